export { ClusterSections, ClusterErrorPanel } from './ClusterSections';
export { GuardedButton } from './GuardedButton';
export { MeshCardBody } from './MeshCardBody';
export {
  PlanView,
  ApplyResultView,
  ActionError,
  BlockedPanel,
  FindingsList,
  PlanOutcome,
} from './PlanView';
export { SeverityStatus, YesNo } from './SeverityStatus';
export { PlanDialogActions } from './PlanDialogActions';
export { MeshTable, NoWrapCell } from './MeshTable';
export { InlinePlanActions, InlinePlanOutcome } from './InlinePlanActions';
export { OneLineTextField } from './OneLineTextField';
