import { useState } from 'react';
import {
  Box,
  Dialog,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormLabel,
  LinearProgress,
  Radio,
  RadioGroup,
  TextField,
  Typography,
} from '@material-ui/core';
import {
  isDns1123Label,
  workloadRequestNames,
  type ClusterMeshStatusOk,
  type OnboardActionRequest,
  type PortProtocolAnswer,
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
import { PodTable } from './PodTable';
import { PortProtocolFields, undeclaredPorts } from './PortProtocolFields';

/** How long the status is re-read after an onboarding, while pods restart. */
const WATCH_RESTART_MS = 3 * 60 * 1000;

type DataPlaneMode = 'sidecar' | 'ambient';

/** Shown under the revision field when it is not a DNS-1123 label. */
export const REVISION_INVALID_MESSAGE =
  'The Istio revision must be a DNS-1123 label (lower-case a-z, 0-9, "-", at most 63 characters).';

const WATCHING_TEXT: Record<DataPlaneMode, string> = {
  sidecar:
    'Watching pods restart with sidecars (refreshing every few seconds)…',
  ambient:
    'Watching pods join the ambient mesh (refreshing every few seconds)…',
};

const REVISION_HELP = 'Leave empty for the default revision; sets istio.io/rev';

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
  const [mode, setMode] = useState<DataPlaneMode>('sidecar');
  const [revisionInput, setRevisionInput] = useState('');
  const [portProtocols, setPortProtocols] = useState<PortProtocolAnswer[]>([]);
  const openPorts = undeclaredPorts(cluster);
  const action = useMeshAction();
  const permission = useMeshApplyPermission();
  const { status, poll, polling } = useMeshStatus();

  // The revision only applies to sidecar injection (istio.io/rev).
  const revision = mode === 'sidecar' ? revisionInput.trim() : '';
  const revisionError =
    revision !== '' && !isDns1123Label(revision)
      ? REVISION_INVALID_MESSAGE
      : undefined;

  const request: OnboardActionRequest = {
    action: 'onboard',
    scope,
    cluster: cluster.cluster,
    ...(scope === 'workload'
      ? { workloads: workloadRequestNames(cluster.workloads) }
      : {}),
    // Sidecar is the backend's default: only ambient is sent explicitly.
    ...(mode === 'ambient' ? { mode } : {}),
    ...(revision ? { revision } : {}),
    ...(portProtocols.length > 0 ? { portProtocols } : {}),
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
    revisionError ??
    permission.reason ??
    planApplyReason(action.plan, action.takeOver.confirmed);

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
                cluster.workloads.map(w => `${w.kind} ${w.name}`).join(', ') ||
                'none found'
              })`}
            />
          </RadioGroup>
        </FormControl>
        <Box mt={2}>
          <FormControl component="fieldset" disabled={Boolean(action.result)}>
            <FormLabel component="legend">Data plane</FormLabel>
            <RadioGroup
              row
              value={mode}
              onChange={e => {
                setMode(e.target.value as DataPlaneMode);
                action.reset();
              }}
            >
              <FormControlLabel
                value="sidecar"
                control={<Radio color="primary" />}
                label="Sidecar (Envoy in each pod)"
              />
              <FormControlLabel
                value="ambient"
                control={<Radio color="primary" />}
                label="Ambient (no sidecar, no restart)"
              />
            </RadioGroup>
          </FormControl>
        </Box>
        {mode === 'sidecar' && (
          <Box mt={1} mb={2} maxWidth={360}>
            <TextField
              id="mesh-onboard-revision"
              label="Istio revision"
              placeholder="default"
              size="small"
              variant="outlined"
              fullWidth
              disabled={Boolean(action.result)}
              value={revisionInput}
              error={Boolean(revisionError)}
              helperText={revisionError ?? REVISION_HELP}
              onChange={e => {
                setRevisionInput(e.target.value);
                action.reset();
              }}
            />
          </Box>
        )}
        {openPorts.length > 0 && (
          <PortProtocolFields
            ports={openPorts}
            answers={portProtocols}
            disabled={Boolean(action.result)}
            onChange={answers => {
              setPortProtocols(answers);
              action.reset();
            }}
          />
        )}
        <Typography variant="body2" color="textSecondary" paragraph>
          {mode === 'sidecar'
            ? 'Sidecars are injected when pods are created: applying restarts the Deployments, StatefulSets and DaemonSets whose pods have no sidecar (rolling, make-before-break).'
            : 'Ambient mode labels the namespace or pods with istio.io/dataplane-mode=ambient: ztunnel takes over their traffic without a sidecar and without restarting pods.'}
        </Typography>
        {action.busy && <LinearProgress />}
        {action.error && <ActionError error={action.error} />}
        {action.result && (
          <>
            <ApplyResultView result={action.result} />
            <Typography variant="subtitle2" component="h4">
              {polling ? WATCHING_TEXT[mode] : 'Pods'}
            </Typography>
            {live && <PodTable workloads={live.workloads} />}
          </>
        )}
        {!action.result && action.plan && (
          <PlanView plan={action.plan} takeOver={action.takeOver} />
        )}
        {permission.reason && !permission.loading && (
          <Box mt={1}>
            <Typography variant="body2" color="textSecondary">
              {permission.reason}
            </Typography>
          </Box>
        )}
      </DialogContent>
      <PlanDialogActions
        applied={Boolean(action.result)}
        busy={Boolean(action.busy)}
        onClose={close}
        onPreview={() => action.preview(request)}
        previewDisabledReason={revisionError}
        onApply={onApply}
        applyDisabledReason={applyReason}
      />
    </Dialog>
  );
};
