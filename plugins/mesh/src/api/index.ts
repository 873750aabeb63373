export { meshApiRef, type MeshApi } from './MeshApi';
export { MeshClient } from './MeshClient';
export { MeshApiError } from './MeshApiError';
