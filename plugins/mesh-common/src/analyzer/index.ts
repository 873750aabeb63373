export { analyze } from './analyze';
export type { MeshBundle } from './bundle';
