export {
  MeshStatusBoundary,
  MeshStatusProvider,
  useMeshStatus,
  POLL_INTERVAL_MS,
  type MeshStatusState,
} from './MeshStatusContext';
export {
  useMeshApplyPermission,
  PERMISSION_DENIED_REASON,
  type MeshApplyPermission,
} from './useMeshApplyPermission';
export {
  useMeshAction,
  planApplyReason,
  type MeshActionState,
  type TakeOverConfirmation,
} from './useMeshAction';
