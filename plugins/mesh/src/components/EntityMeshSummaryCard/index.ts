export { EntityMeshSummaryCard } from './EntityMeshSummaryCard';
