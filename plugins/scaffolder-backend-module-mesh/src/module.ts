import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createMeshApplyAction } from './actions/applyMesh';
import { createMeshManifestsGenerateAction } from './actions/generateManifests';

/**
 * Adds the mesh actions to the scaffolder: `mesh:manifests:generate` (files into the
 * workspace) and `mesh:apply` (through the mesh backend, as the task's user).
 *
 * @public
 */
export const scaffolderModuleMesh = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'mesh',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolderActions, discovery, auth }) {
        scaffolderActions.addActions(
          createMeshManifestsGenerateAction(),
          createMeshApplyAction({ discovery, auth }),
        );
      },
    });
  },
});
