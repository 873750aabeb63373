import { useEffect, useState } from 'react';
import {
  Checkbox,
  Dialog,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  LinearProgress,
  Typography,
} from '@material-ui/core';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  meshForcePermission,
  type MtlsActionRequest,
} from '@mesh-portal/backstage-plugin-mesh-common';
import {
  planApplyReason,
  useMeshAction,
  useMeshApplyPermission,
  useMeshStatus,
} from '../../hooks';
import {
  ActionError,
  ApplyResultView,
  PlanDialogActions,
  PlanView,
} from '../shared';

/**
 * PERMISSIVE → STRICT for the namespace: previews on open; when callers
 * without a sidecar would be cut off the plan is blocked and says who.
 */
export const StrictMtlsDialog = (props: {
  open: boolean;
  onClose: () => void;
  cluster: string;
  namespace: string;
}) => {
  const { open, onClose, cluster, namespace } = props;
  const { entity } = useEntity();
  const action = useMeshAction();
  const permission = useMeshApplyPermission();
  const force = usePermission({
    permission: meshForcePermission,
    resourceRef: stringifyEntityRef(entity),
  });
  const [forced, setForced] = useState(false);
  const { refresh } = useMeshStatus();

  const request: MtlsActionRequest = {
    action: 'mtls',
    mode: 'STRICT',
    scope: 'namespace',
    cluster,
    ...(forced ? { force: true } : {}),
  };

  const { preview } = action;
  useEffect(() => {
    if (open) {
      preview({ action: 'mtls', mode: 'STRICT', scope: 'namespace', cluster });
    }
  }, [open, preview, cluster]);

  const blocked = Boolean(action.plan?.blocked) && !forced;
  const applyReason =
    permission.reason ??
    (blocked
      ? 'Blocked: callers without a sidecar would be rejected (see above).'
      : planApplyReason(
          forced ? undefined : action.plan,
          action.takeOver.confirmed,
        ));

  const onApply = async () => {
    if (await action.apply(request)) {
      refresh();
    }
  };

  const close = () => {
    action.reset();
    setForced(false);
    onClose();
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      maxWidth="md"
      fullWidth
      aria-labelledby="mesh-strict-title"
    >
      <DialogTitle id="mesh-strict-title">
        Switch namespace {namespace} to STRICT mTLS (cluster {cluster})
      </DialogTitle>
      <DialogContent dividers>
        <Typography variant="body2" color="textSecondary" paragraph>
          STRICT rejects plaintext: every caller of these workloads needs a
          sidecar first.
        </Typography>
        {action.busy && <LinearProgress />}
        {action.error && <ActionError error={action.error} />}
        {action.result && <ApplyResultView result={action.result} />}
        {!action.result && action.plan && (
          <PlanView plan={action.plan} takeOver={action.takeOver} />
        )}
        {action.plan?.blocked && force.allowed && !action.result && (
          <FormControlLabel
            control={
              <Checkbox
                checked={forced}
                onChange={e => setForced(e.target.checked)}
                color="secondary"
              />
            }
            label="Apply anyway (force): I know these callers will fail"
          />
        )}
        {applyReason && !permission.loading && !action.result && (
          <Typography variant="body2" color="textSecondary">
            {applyReason}
          </Typography>
        )}
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
