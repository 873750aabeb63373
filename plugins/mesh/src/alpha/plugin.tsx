import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import { MeshIcon } from '../components/MeshIcon';
import { meshApi } from './apis';
import { entityMeshSummaryCard } from './entityCards';
import { entityMeshContent } from './entityContent';
import { meshOverviewPage, meshOverviewRouteRef } from './page';

/**
 * The mesh plugin for the new frontend system: API, entity Mesh tab, summary
 * card and the overview page (which also gives the "Mesh" sidebar item).
 *
 * @alpha
 */
export const meshPlugin = createFrontendPlugin({
  pluginId: 'mesh',
  title: 'Mesh',
  icon: <MeshIcon fontSize="small" />,
  info: { packageJson: () => import('../../package.json') },
  extensions: [
    meshApi,
    entityMeshContent,
    entityMeshSummaryCard,
    meshOverviewPage,
  ],
  routes: { root: meshOverviewRouteRef },
});
