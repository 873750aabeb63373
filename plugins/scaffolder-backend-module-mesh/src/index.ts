/**
 * The mesh module for the scaffolder: `mesh:manifests:generate` and `mesh:apply`.
 *
 * @packageDocumentation
 */

export { scaffolderModuleMesh as default } from './module';
export {
  createMeshManifestsGenerateAction,
  MESH_MANIFESTS_GENERATE_ACTION_ID,
  BUNDLE_FILE_NAME,
} from './actions/generateManifests';
export {
  createMeshApplyAction,
  MESH_APPLY_ACTION_ID,
  type MeshApplyActionOptions,
} from './actions/applyMesh';
export {
  buildMeshedService,
  generateManifestsInputSchema,
  manifestFileName,
  MESH_PROTOCOLS,
  type GenerateManifestsInput,
  type MeshedServiceManifests,
} from './actions/meshedService';
export { MeshActionInputError, MeshBackendError } from './actions/errors';
