import { Button, DialogActions } from '@material-ui/core';
import { GuardedButton } from './GuardedButton';

/**
 * The footer every plan dialog shares: Cancel (Close once applied), Preview (when the dialog
 * previews on demand) and Apply, each disabled with its reason.
 */
export const PlanDialogActions = (props: {
  applied: boolean;
  busy: boolean;
  onClose: () => void;
  onApply: () => void;
  applyDisabledReason?: string;
  /** Omit for dialogs that preview by themselves when they open. */
  onPreview?: () => void;
  previewDisabledReason?: string;
  /** Apply also waits for a plan (dialogs that preview when they open). */
  needsPlan?: boolean;
}) => (
  <DialogActions>
    <Button onClick={props.onClose}>
      {props.applied ? 'Close' : 'Cancel'}
    </Button>
    {!props.applied && props.onPreview && (
      <GuardedButton
        onClick={props.onPreview}
        disabled={props.busy}
        disabledReason={props.previewDisabledReason}
      >
        Preview
      </GuardedButton>
    )}
    {!props.applied && (
      <GuardedButton
        variant="contained"
        onClick={props.onApply}
        disabled={props.busy || Boolean(props.needsPlan)}
        disabledReason={props.applyDisabledReason}
      >
        Apply
      </GuardedButton>
    )}
  </DialogActions>
);
