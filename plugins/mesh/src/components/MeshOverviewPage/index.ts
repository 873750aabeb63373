export { MeshOverviewPage, MeshOverviewContent } from './MeshOverviewPage';
export { MeshOverviewTable } from './MeshOverviewTable';
