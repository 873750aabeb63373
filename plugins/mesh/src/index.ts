/**
 * Frontend plugin for the service mesh (Istio) portal.
 *
 * This entry point holds the legacy (`@backstage/core-plugin-api`) exports and
 * has NO default export: `app.packages: all` discovery loads the default
 * export of both this entry and `./alpha`, and only `./alpha`'s default is the
 * new-frontend-system plugin.
 *
 * @packageDocumentation
 */
export {
  meshPlugin,
  EntityMeshContent,
  MeshOverviewPage,
  EntityMeshSummaryCard,
  EntitySidecarStatusCard,
  EntityTrafficSplitCard,
  EntityMtlsCard,
  EntityMeshAccessCard,
  EntityKialiCard,
  EntityMeshFindingsCard,
  EntityMeshHistoryCard,
} from './plugin';
export { meshApiRef, MeshClient, MeshApiError, type MeshApi } from './api';
export { isMeshAvailable } from '@mesh-portal/backstage-plugin-mesh-common';
