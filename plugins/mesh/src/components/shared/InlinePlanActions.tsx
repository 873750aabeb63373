import { Box, LinearProgress } from '@material-ui/core';
import type {
  MeshActionRequest,
  MeshApplyResult,
} from '@mesh-portal/backstage-plugin-mesh-common';
import type { MeshActionState } from '../../hooks';
import { GuardedButton } from './GuardedButton';
import { ActionError, ApplyResultView, PlanView } from './PlanView';

/**
 * Preview and Apply under an inline editor (no dialog), each disabled with its reason, then
 * progress, the error, the applied result or the previewed plan (YAML, diff, findings).
 */
export const InlinePlanActions = (props: {
  action: MeshActionState;
  request: MeshActionRequest;
  previewDisabledReason?: string;
  applyDisabledReason?: string;
  onApplied: (result: MeshApplyResult) => void;
}) => {
  const { action, request } = props;
  return (
    <Box display="flex" my={1}>
      <Box mr={1}>
        <GuardedButton
          onClick={() => action.preview(request)}
          disabled={Boolean(action.busy)}
          disabledReason={props.previewDisabledReason}
        >
          Preview
        </GuardedButton>
      </Box>
      <GuardedButton
        variant="contained"
        onClick={async () => {
          const result = await action.apply(request);
          if (result) props.onApplied(result);
        }}
        disabled={Boolean(action.busy)}
        disabledReason={props.applyDisabledReason}
      >
        Apply
      </GuardedButton>
    </Box>
  );
};

/** What follows the buttons: progress, the error, the applied result or the plan. */
export const InlinePlanOutcome = ({ action }: { action: MeshActionState }) => (
  <>
    {action.busy && <LinearProgress />}
    {action.error && <ActionError error={action.error} />}
    {action.result && <ApplyResultView result={action.result} />}
    {!action.result && action.plan && (
      <PlanView plan={action.plan} takeOver={action.takeOver} />
    )}
  </>
);
