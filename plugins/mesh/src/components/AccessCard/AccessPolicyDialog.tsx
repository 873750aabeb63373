import { useEffect } from 'react';
import {
  Dialog,
  DialogContent,
  DialogTitle,
  Typography,
} from '@material-ui/core';
import type {
  AccessActionMode,
  AccessActionRequest,
} from '@mesh-portal/backstage-plugin-mesh-common';
import {
  planApplyReason,
  useMeshAction,
  useMeshApplyPermission,
  useMeshStatus,
} from '../../hooks';
import { PlanDialogActions, PlanOutcome } from '../shared';

const TITLES: Record<AccessActionMode, string> = {
  'dry-run': 'Dry-run the access policy',
  enforce: 'Enforce the access policy',
  remove: 'Remove the access policy',
};

const EXPLANATIONS: Record<AccessActionMode, string> = {
  'dry-run':
    'The policy is written with istio.io/dry-run: "true": nothing is denied, the sidecars count the requests it would deny.',
  enforce:
    'Only the listed principals may call the service: every other request is denied (403 for HTTP, connection closed for TCP).',
  remove:
    'The portal deletes its policy (never one it did not write): the service accepts every caller again, unless another ALLOW policy selects it.',
};

/**
 * One access-policy change for one Service: previews the plan (YAML, diff against the cluster,
 * findings) when it opens, applies on demand.
 */
export const AccessPolicyDialog = (props: {
  open: boolean;
  onClose: () => void;
  cluster: string;
  service: string;
  mode: AccessActionMode;
}) => {
  const { open, onClose, cluster, service, mode } = props;
  const action = useMeshAction();
  const permission = useMeshApplyPermission();
  const { refresh } = useMeshStatus();
  const { preview } = action;

  useEffect(() => {
    if (open) {
      preview({ action: 'access', mode, service, cluster });
    }
  }, [open, preview, mode, service, cluster]);

  const request: AccessActionRequest = {
    action: 'access',
    mode,
    service,
    cluster,
  };
  const applyReason =
    permission.reason ??
    planApplyReason(
      action.plan,
      action.takeOver.confirmed,
      'Blocked: applying would cut off callers (see above).',
    );

  const onApply = async () => {
    if (await action.apply(request)) {
      refresh();
    }
  };

  const close = () => {
    action.reset();
    onClose();
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      maxWidth="md"
      fullWidth
      aria-labelledby="mesh-access-title"
    >
      <DialogTitle id="mesh-access-title">
        {TITLES[mode]} of {service} (cluster {cluster})
      </DialogTitle>
      <DialogContent dividers>
        <Typography variant="body2" color="textSecondary" paragraph>
          {EXPLANATIONS[mode]}
        </Typography>
        <PlanOutcome
          action={action}
          applyReason={applyReason}
          permissionLoading={permission.loading}
        />
      </DialogContent>
      <PlanDialogActions
        applied={Boolean(action.result)}
        busy={Boolean(action.busy)}
        needsPlan={!action.plan}
        onClose={close}
        onApply={onApply}
        applyDisabledReason={applyReason}
      />
    </Dialog>
  );
};
