import { useState } from 'react';
import {
  Box,
  Dialog,
  DialogContent,
  DialogTitle,
  LinearProgress,
  List,
  ListItem,
  ListItemText,
  TextField,
  Typography,
} from '@material-ui/core';
import {
  isDns1123Subdomain,
  isMeshHostName,
  type ClusterMeshStatusOk,
  type ExposeActionRequest,
  type TrafficSplit,
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

/** Shown under the Host field when it is not a host Istio accepts. */
export const HOST_INVALID_MESSAGE =
  'The host must be a host name (e.g. backend.example.com), "*.domain" or "*".';

/** Shown under the Gateway name field when it is not a valid object name. */
export const GATEWAY_INVALID_MESSAGE =
  'The gateway name must be a DNS-1123 subdomain (lower-case a-z, 0-9, "-", ".").';

const HOST_REQUIRED_REASON = 'Enter the host to expose first.';
const NO_SERVICE_REASON =
  'No Kubernetes Service selects the pods of this entity: expose needs one.';

/** `mesh` is the sidecars' own pseudo-gateway, not an ingress. */
const MESH_GATEWAY = 'mesh';

/** The VirtualServices of a cluster that are bound to an ingress gateway. */
export function gatewayBindings(
  cluster: ClusterMeshStatusOk,
): Array<{ gateway: string; split: TrafficSplit }> {
  return cluster.trafficSplits.flatMap(split =>
    split.gateways
      .filter(gateway => gateway !== MESH_GATEWAY)
      .map(gateway => ({ gateway, split })),
  );
}

/** "Exposed through gateway X" per gateway-bound VirtualService. */
export const GatewayBindings = ({
  cluster,
}: {
  cluster: ClusterMeshStatusOk;
}) => {
  const bindings = gatewayBindings(cluster);
  if (bindings.length === 0) {
    return null;
  }
  return (
    <List dense disablePadding aria-label="Ingress exposure">
      {bindings.map(({ gateway, split }) => (
        <ListItem
          key={`${split.namespace}/${
            split.virtualService ?? split.host
          }/${gateway}`}
          disableGutters
        >
          <ListItemText
            primary={`Exposed through gateway ${gateway}`}
            secondary={`VirtualService ${split.namespace}/${
              split.virtualService ?? '—'
            } routes ${split.host}`}
          />
        </ListItem>
      ))}
    </List>
  );
};

const portLabel = (p: { port: number; name?: string }) =>
  p.name ? `${p.port} (${p.name})` : String(p.port);

/**
 * Expose a Service of the entity through the ingress gateway: host, optional
 * gateway name, Service and port; preview the plan (YAML + diff), apply.
 */
export const ExposeDialog = (props: {
  open: boolean;
  onClose: () => void;
  cluster: ClusterMeshStatusOk;
}) => {
  const { open, onClose, cluster } = props;
  const services = cluster.services;
  const [host, setHost] = useState('');
  const [gateway, setGateway] = useState('');
  const [serviceName, setServiceName] = useState(services[0]?.name ?? '');
  const service = services.find(s => s.name === serviceName) ?? services[0];
  const [portInput, setPortInput] = useState<number | undefined>(
    service?.ports[0]?.port,
  );
  const port =
    service?.ports.find(p => p.port === portInput)?.port ??
    service?.ports[0]?.port;
  const action = useMeshAction();
  const permission = useMeshApplyPermission();
  const { refresh } = useMeshStatus();

  const hostValue = host.trim();
  const gatewayValue = gateway.trim();
  const hostError =
    hostValue !== '' && !isMeshHostName(hostValue)
      ? HOST_INVALID_MESSAGE
      : undefined;
  const gatewayError =
    gatewayValue !== '' && !isDns1123Subdomain(gatewayValue)
      ? GATEWAY_INVALID_MESSAGE
      : undefined;
  let inputReason = hostError ?? gatewayError;
  if (!inputReason && !service) {
    inputReason = NO_SERVICE_REASON;
  }
  if (!inputReason && hostValue === '') {
    inputReason = HOST_REQUIRED_REASON;
  }

  const request: ExposeActionRequest = {
    action: 'expose',
    hosts: [hostValue],
    cluster: cluster.cluster,
    ...(service ? { service: service.name } : {}),
    ...(gatewayValue ? { gateway: gatewayValue } : {}),
    // Only needed (and only meaningful) when the Service has several ports.
    ...(service && service.ports.length > 1 && port !== undefined
      ? { port }
      : {}),
  };

  const applyReason =
    inputReason ??
    permission.reason ??
    planApplyReason(action.plan, action.takeOver.confirmed);

  const onApply = async () => {
    if (await action.apply(request)) {
      refresh();
    }
  };

  const close = () => {
    action.reset();
    onClose();
  };

  const editable = !action.result;

  return (
    <Dialog
      open={open}
      onClose={close}
      maxWidth="md"
      fullWidth
      aria-labelledby="mesh-expose-title"
    >
      <DialogTitle id="mesh-expose-title">
        Expose through the ingress gateway (cluster {cluster.cluster})
      </DialogTitle>
      <DialogContent dividers>
        <Typography variant="body2" color="textSecondary" paragraph>
          Creates a Gateway for the host on the ingress gateway and a
          VirtualService that routes it to the Service.
        </Typography>
        <GatewayBindings cluster={cluster} />
        <Box display="flex" flexWrap="wrap" alignItems="flex-start">
          <Box mr={2} mb={2} width={320}>
            <TextField
              id="mesh-expose-host"
              label="Host"
              placeholder="backend.example.com"
              size="small"
              variant="outlined"
              fullWidth
              required
              disabled={!editable}
              value={host}
              error={Boolean(hostError)}
              helperText={
                hostError ??
                'The host name clients use, e.g. backend.example.com'
              }
              onChange={e => {
                setHost(e.target.value);
                action.reset();
              }}
            />
          </Box>
          <Box mr={2} mb={2} width={280}>
            <TextField
              id="mesh-expose-gateway"
              label="Gateway name"
              placeholder={`${service?.name ?? '<service>'}-gateway`}
              size="small"
              variant="outlined"
              fullWidth
              disabled={!editable}
              value={gateway}
              error={Boolean(gatewayError)}
              helperText={
                gatewayError ??
                `Optional; default ${service?.name ?? '<service>'}-gateway`
              }
              onChange={e => {
                setGateway(e.target.value);
                action.reset();
              }}
            />
          </Box>
          {services.length > 1 && (
            <Box mr={2} mb={2} width={200}>
              <TextField
                id="mesh-expose-service"
                select
                SelectProps={{ native: true }}
                label="Service"
                size="small"
                variant="outlined"
                fullWidth
                disabled={!editable}
                value={service?.name ?? ''}
                onChange={e => {
                  const next = services.find(s => s.name === e.target.value);
                  setServiceName(e.target.value);
                  setPortInput(next?.ports[0]?.port);
                  action.reset();
                }}
              >
                {services.map(s => (
                  <option key={`${s.namespace}/${s.name}`} value={s.name}>
                    {s.name}
                  </option>
                ))}
              </TextField>
            </Box>
          )}
          {service && service.ports.length > 1 && (
            <Box mr={2} mb={2} width={160}>
              <TextField
                id="mesh-expose-port"
                select
                SelectProps={{ native: true }}
                label="Port"
                size="small"
                variant="outlined"
                fullWidth
                disabled={!editable}
                value={port ?? ''}
                onChange={e => {
                  setPortInput(Number(e.target.value));
                  action.reset();
                }}
              >
                {service.ports.map(p => (
                  <option key={p.port} value={p.port}>
                    {portLabel(p)}
                  </option>
                ))}
              </TextField>
            </Box>
          )}
        </Box>
        {service && services.length === 1 && (
          <Typography variant="body2" color="textSecondary" paragraph>
            Service {service.namespace}/{service.name}
            {service.ports.length === 1
              ? `, port ${portLabel(service.ports[0])}`
              : ''}
          </Typography>
        )}
        {!service && (
          <Typography variant="body2" color="error" paragraph>
            {NO_SERVICE_REASON}
          </Typography>
        )}
        {action.busy && <LinearProgress />}
        {action.error && <ActionError error={action.error} />}
        {action.result && <ApplyResultView result={action.result} />}
        {!action.result && action.plan && (
          <PlanView plan={action.plan} takeOver={action.takeOver} />
        )}
        {permission.reason && !permission.loading && !action.result && (
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
        previewDisabledReason={inputReason}
        onApply={onApply}
        applyDisabledReason={applyReason}
      />
    </Dialog>
  );
};
