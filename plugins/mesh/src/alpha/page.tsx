import { createRouteRef, PageBlueprint } from '@backstage/frontend-plugin-api';
import { MeshIcon } from '../components/MeshIcon';

/** Route of the overview page in the new frontend system. @alpha */
export const meshOverviewRouteRef = createRouteRef();

/**
 * Admin overview of mesh adoption at `/mesh`. With a title and an icon the
 * page also appears in the sidebar (the app's nav lists pages; there is no
 * separate nav item blueprint in this frontend-plugin-api version).
 *
 * @alpha
 */
export const meshOverviewPage = PageBlueprint.make({
  params: {
    path: '/mesh',
    title: 'Mesh',
    icon: <MeshIcon fontSize="small" />,
    routeRef: meshOverviewRouteRef,
    loader: () =>
      import('../components/MeshOverviewPage').then(m => (
        <m.MeshOverviewContent />
      )),
  },
});
