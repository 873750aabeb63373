import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { meshApiRef, MeshClient } from './api';
import { entityContentRouteRef, rootRouteRef } from './routes';

/**
 * The mesh plugin for legacy (`@backstage/core-plugin-api`) apps.
 *
 * @public
 */
export const meshPlugin = createPlugin({
  id: 'mesh',
  apis: [
    createApiFactory({
      api: meshApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MeshClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef, entityContent: entityContentRouteRef },
});

/**
 * The Mesh tab for legacy entity pages
 * (`<EntityLayout.Route path="/mesh" title="Mesh" if={isMeshAvailable}>`).
 *
 * @public
 */
export const EntityMeshContent = meshPlugin.provide(
  createRoutableExtension({
    name: 'EntityMeshContent',
    component: () =>
      import('./components/EntityMeshContent').then(m => m.EntityMeshContent),
    mountPoint: entityContentRouteRef,
  }),
);

/**
 * The admin overview page of mesh adoption.
 *
 * @public
 */
export const MeshOverviewPage = meshPlugin.provide(
  createRoutableExtension({
    name: 'MeshOverviewPage',
    component: () =>
      import('./components/MeshOverviewPage').then(m => m.MeshOverviewPage),
    mountPoint: rootRouteRef,
  }),
);

/** @public */
export const EntityMeshSummaryCard = meshPlugin.provide(
  createComponentExtension({
    name: 'EntityMeshSummaryCard',
    component: {
      lazy: () =>
        import('./components/EntityMeshSummaryCard').then(
          m => m.EntityMeshSummaryCard,
        ),
    },
  }),
);

/** @public */
export const EntitySidecarStatusCard = meshPlugin.provide(
  createComponentExtension({
    name: 'EntitySidecarStatusCard',
    component: {
      lazy: () =>
        import('./components/SidecarStatusCard').then(m => m.SidecarStatusCard),
    },
  }),
);

/** @public */
export const EntityTrafficSplitCard = meshPlugin.provide(
  createComponentExtension({
    name: 'EntityTrafficSplitCard',
    component: {
      lazy: () =>
        import('./components/TrafficSplitCard').then(m => m.TrafficSplitCard),
    },
  }),
);

/** @public */
export const EntityMtlsCard = meshPlugin.provide(
  createComponentExtension({
    name: 'EntityMtlsCard',
    component: {
      lazy: () => import('./components/MtlsCard').then(m => m.MtlsCard),
    },
  }),
);

/** @public */
export const EntityMeshAccessCard = meshPlugin.provide(
  createComponentExtension({
    name: 'EntityMeshAccessCard',
    component: {
      lazy: () => import('./components/AccessCard').then(m => m.AccessCard),
    },
  }),
);

/** @public */
export const EntityKialiCard = meshPlugin.provide(
  createComponentExtension({
    name: 'EntityKialiCard',
    component: {
      lazy: () => import('./components/KialiCard').then(m => m.KialiCard),
    },
  }),
);

/** @public */
export const EntityMeshFindingsCard = meshPlugin.provide(
  createComponentExtension({
    name: 'EntityMeshFindingsCard',
    component: {
      lazy: () => import('./components/FindingsCard').then(m => m.FindingsCard),
    },
  }),
);

/** @public */
export const EntityMeshHistoryCard = meshPlugin.provide(
  createComponentExtension({
    name: 'EntityMeshHistoryCard',
    component: {
      lazy: () => import('./components/HistoryCard').then(m => m.HistoryCard),
    },
  }),
);
