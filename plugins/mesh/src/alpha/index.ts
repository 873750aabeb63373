/**
 * The mesh plugin for the new frontend system (default export).
 *
 * @packageDocumentation
 */
export { meshPlugin as default } from './plugin';
export { meshApi } from './apis';
export { entityMeshContent } from './entityContent';
export { entityMeshSummaryCard } from './entityCards';
export { meshOverviewPage, meshOverviewRouteRef } from './page';
