import { useState } from 'react';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormLabel,
  LinearProgress,
  Radio,
  RadioGroup,
  Typography,
} from '@material-ui/core';
import type {
  ClusterMeshStatusOk,
  OnboardActionRequest,
} from '@mesh-portal/backstage-plugin-mesh-common';
import {
  useMeshAction,
  useMeshApplyPermission,
  useMeshStatus,
} from '../../hooks';
import {
  ActionError,
  ApplyResultView,
  GuardedButton,
  PlanView,
} from '../shared';
import { PodTable } from './PodTable';

/** How long the status is re-read after an onboarding, while pods restart. */
const WATCH_RESTART_MS = 3 * 60 * 1000;

/**
 * Onboarding: choose the scope, preview the plan (YAML + diff), apply, then
 * watch the pods restart with their sidecars.
 */
export const OnboardingDialog = (props: {
  open: boolean;
  onClose: () => void;
  cluster: ClusterMeshStatusOk;
}) => {
  const { open, onClose, cluster } = props;
  const [scope, setScope] = useState<'namespace' | 'workload'>('namespace');
  const action = useMeshAction();
  const permission = useMeshApplyPermission();
  const { status, poll, polling } = useMeshStatus();

  const request: OnboardActionRequest = {
    action: 'onboard',
    scope,
    cluster: cluster.cluster,
    ...(scope === 'workload'
      ? { workloads: cluster.workloads.map(w => w.name) }
      : {}),
  };

  const onApply = async () => {
    const result = await action.apply(request);
    if (result) {
      poll(WATCH_RESTART_MS);
    }
  };

  const close = () => {
    action.reset();
    onClose();
  };

  // Live pods of this cluster, re-read while polling.
  const live = status?.clusters.find(
    (c): c is ClusterMeshStatusOk => c.ok && c.cluster === cluster.cluster,
  );
  const namespaces = [...new Set(cluster.workloads.map(w => w.namespace))];
  const applyReason =
    permission.reason ??
    (action.plan?.blocked ? 'Blocked by the findings above.' : undefined);

  return (
    <Dialog
      open={open}
      onClose={close}
      maxWidth="md"
      fullWidth
      aria-labelledby="mesh-onboard-title"
    >
      <DialogTitle id="mesh-onboard-title">
        Onboard to the mesh (cluster {cluster.cluster})
      </DialogTitle>
      <DialogContent dividers>
        <FormControl component="fieldset" disabled={Boolean(action.result)}>
          <FormLabel component="legend">Scope</FormLabel>
          <RadioGroup
            row
            value={scope}
            onChange={e => {
              setScope(e.target.value as 'namespace' | 'workload');
              action.reset();
            }}
          >
            <FormControlLabel
              value="namespace"
              control={<Radio color="primary" />}
              label={`Namespace (${
                namespaces.join(', ') || 'entity namespace'
              }): every pod gets a sidecar`}
            />
            <FormControlLabel
              value="workload"
              control={<Radio color="primary" />}
              label={`Workloads only (${
                cluster.workloads.map(w => w.name).join(', ') || 'none found'
              })`}
            />
          </RadioGroup>
        </FormControl>
        <Typography variant="body2" color="textSecondary" paragraph>
          Sidecars are injected when pods are created: applying restarts the
          Deployments (rolling, make-before-break).
        </Typography>
        {action.busy && <LinearProgress />}
        {action.error && <ActionError error={action.error} />}
        {action.result && (
          <>
            <ApplyResultView result={action.result} />
            <Typography variant="subtitle2" component="h4">
              {polling
                ? 'Watching pods restart with sidecars (refreshing every few seconds)…'
                : 'Pods'}
            </Typography>
            {live && <PodTable workloads={live.workloads} />}
          </>
        )}
        {!action.result && action.plan && <PlanView plan={action.plan} />}
        {permission.reason && !permission.loading && (
          <Box mt={1}>
            <Typography variant="body2" color="textSecondary">
              {permission.reason}
            </Typography>
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>{action.result ? 'Close' : 'Cancel'}</Button>
        {!action.result && (
          <>
            <GuardedButton
              onClick={() => action.preview(request)}
              disabled={Boolean(action.busy)}
            >
              Preview
            </GuardedButton>
            <GuardedButton
              variant="contained"
              onClick={onApply}
              disabled={Boolean(action.busy)}
              disabledReason={applyReason}
            >
              Apply
            </GuardedButton>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
};
