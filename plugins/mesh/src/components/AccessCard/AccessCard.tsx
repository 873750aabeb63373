import { useState } from 'react';
import {
  InfoCard,
  Progress,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import {
  Box,
  Divider,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import type {
  AccessActionMode,
  AccessCaller,
  AccessDenials,
  AccessPolicyMode,
  ClusterMeshStatusOk,
  ServiceAccess,
  ServiceAccessStatus,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { MeshStatusBoundary, useMeshApplyPermission } from '../../hooks';
import {
  ClusterSections,
  FindingsList,
  GuardedButton,
  MeshCardBody,
  MeshTable,
  NoWrapCell,
  YesNo,
} from '../shared';
import { AccessPolicyDialog } from './AccessPolicyDialog';
import { useAccess, type AccessState } from './useAccess';

const ModeStatus = ({ mode }: { mode: AccessPolicyMode }) => {
  switch (mode) {
    case 'enforced':
      return <StatusOK>Enforced</StatusOK>;
    case 'dry-run':
      return <StatusWarning>Dry run (not enforced)</StatusWarning>;
    default:
      return <StatusPending>No policy</StatusPending>;
  }
};

const declaredBy = (caller: Pick<AccessCaller, 'declaredBy'>) =>
  caller.declaredBy
    .map(d => (d.relation === 'dependsOn' ? 'dependsOn' : `consumes ${d.api}`))
    .join(', ');

const CallersTable = (props: { service: string; callers: AccessCaller[] }) => (
  <MeshTable label={`Declared callers of ${props.service}`}>
    <TableHead>
      <TableRow>
        <TableCell>Caller</TableCell>
        <TableCell>Principal</TableCell>
        <TableCell>Sidecar</TableCell>
      </TableRow>
    </TableHead>
    <TableBody>
      {props.callers.map(c => (
        <TableRow key={`${c.entityRef}/${c.principal}`}>
          <TableCell>
            {c.entityRef}
            <Typography variant="caption" color="textSecondary" component="p">
              {declaredBy(c)}
            </Typography>
          </TableCell>
          <TableCell>
            <code>{c.principal}</code>
          </TableCell>
          <NoWrapCell>
            <YesNo
              value={c.hasSidecar}
              no={`No (${c.meshedPods}/${c.pods} pods)`}
              warnOnNo
            />
          </NoWrapCell>
        </TableRow>
      ))}
    </TableBody>
  </MeshTable>
);

/** The denials the sidecars counted, or why there is no count. */
const Denials = ({ denials }: { denials: AccessDenials }) => {
  switch (denials.state) {
    case 'ok': {
      const what =
        denials.kind === 'would-be-denied'
          ? 'would have been denied'
          : 'were denied';
      const perPod = denials.byPod
        .filter(p => p.count > 0)
        .map(p => `${p.pod}: ${p.count}`)
        .join(', ');
      const line = `${denials.total} request${
        denials.total === 1 ? '' : 's'
      } ${what} in the last ${denials.window}${perPod ? ` (${perPod})` : ''}.`;
      return denials.total > 0 ? (
        <StatusWarning>{line}</StatusWarning>
      ) : (
        <StatusOK>{line}</StatusOK>
      );
    }
    case 'not-configured':
      return (
        <Typography variant="body2" color="textSecondary">
          Denials not counted: no Prometheus is configured for this cluster.
        </Typography>
      );
    case 'unavailable':
      return (
        <Typography variant="body2" color="textSecondary">
          Denials unavailable: {denials.reason}
        </Typography>
      );
    default:
      return null;
  }
};

const ServiceAccessView = (props: {
  cluster: string;
  status: ServiceAccessStatus;
  view?: ServiceAccess;
  state: AccessState;
  onAction: (mode: AccessActionMode) => void;
}) => {
  const { status, view, state, onAction } = props;
  const permission = useMeshApplyPermission();
  return (
    <Box mb={2}>
      <Box display="flex" alignItems="center" flexWrap="wrap" mb={1}>
        <Typography variant="subtitle1" component="h3">
          {status.service}
        </Typography>
        <Box ml={2}>
          <ModeStatus mode={status.mode} />
        </Box>
      </Box>
      <Typography variant="caption" color="textSecondary" component="p">
        AuthorizationPolicy {status.namespace}/{status.policyName}
      </Typography>
      {status.mode === 'none' ? (
        <Typography variant="body2" paragraph>
          No access policy: {status.service} accepts requests from any caller.
        </Typography>
      ) : (
        <Box mb={1}>
          <Typography variant="body2">
            {status.mode === 'enforced' ? 'Allowed' : 'Would allow'}:{' '}
            {status.allowedPrincipals.length === 0
              ? 'nobody'
              : status.allowedPrincipals.join(', ')}
          </Typography>
        </Box>
      )}
      {state.loading && <Progress />}
      {state.error && (
        <Typography variant="body2" color="error">
          Declared callers could not be read: {state.error.message}
        </Typography>
      )}
      {view && (
        <>
          {view.callers.length > 0 ? (
            <CallersTable service={status.service} callers={view.callers} />
          ) : (
            <Typography variant="body2">
              No declared caller runs in this cluster (dependsOn or consumesApis
              in the catalog).
            </Typography>
          )}
          {view.unresolvedCallers.map(u => (
            <Typography key={u.entityRef} variant="body2" color="textSecondary">
              {u.entityRef} ({declaredBy(u)}): {u.reason}
            </Typography>
          ))}
          <Box mt={1}>
            <Denials denials={view.denials} />
          </Box>
          {view.findings.length > 0 && (
            <Box mt={1}>
              <Typography variant="subtitle2" component="h4">
                {status.mode === 'enforced'
                  ? 'What the enforced policy means'
                  : 'What enforcing now would mean'}
              </Typography>
              <FindingsList findings={view.findings} />
            </Box>
          )}
        </>
      )}
      <Box mt={1} display="flex" style={{ gap: 8 }}>
        <GuardedButton
          onClick={() => onAction('dry-run')}
          disabledReason={permission.reason}
        >
          Dry-run
        </GuardedButton>
        <GuardedButton
          onClick={() => onAction('enforce')}
          disabledReason={permission.reason}
        >
          Enforce
        </GuardedButton>
        <GuardedButton
          onClick={() => onAction('remove')}
          disabledReason={
            permission.reason ??
            (status.mode === 'none' ? 'No access policy to remove.' : undefined)
          }
        >
          Remove
        </GuardedButton>
      </Box>
    </Box>
  );
};

const ClusterAccess = (props: {
  cluster: ClusterMeshStatusOk;
  state: AccessState;
}) => {
  const { cluster, state } = props;
  const [dialog, setDialog] = useState<{
    service: string;
    mode: AccessActionMode;
  }>();
  const clusterView = state.access?.clusters.find(
    c => c.cluster === cluster.cluster,
  );
  const views = clusterView?.ok ? clusterView.services : [];
  const statuses: ServiceAccessStatus[] = cluster.access ?? views;
  if (clusterView && !clusterView.ok) {
    return (
      <Typography variant="body2" color="error">
        Access could not be read: {clusterView.error.message}
      </Typography>
    );
  }
  if (statuses.length === 0 && state.loading) return <Progress />;
  if (statuses.length === 0 && state.error) {
    return (
      <Typography variant="body2" color="error">
        Declared callers could not be read: {state.error.message}
      </Typography>
    );
  }
  if (statuses.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No Service selects the entity's pods: there is nothing to lock down.
      </Typography>
    );
  }
  return (
    <>
      {statuses.map((status, i) => (
        <Box key={`${status.namespace}/${status.service}`}>
          {i > 0 && <Divider />}
          <ServiceAccessView
            cluster={cluster.cluster}
            status={status}
            view={views.find(
              v =>
                v.service === status.service &&
                v.namespace === status.namespace,
            )}
            state={state}
            onAction={mode => setDialog({ service: status.service, mode })}
          />
        </Box>
      ))}
      {dialog && (
        <AccessPolicyDialog
          open
          onClose={() => setDialog(undefined)}
          cluster={cluster.cluster}
          service={dialog.service}
          mode={dialog.mode}
        />
      )}
    </>
  );
};

const AccessCardContent = () => {
  const state = useAccess();
  return (
    <InfoCard title="Access">
      <MeshCardBody>
        {status => (
          <ClusterSections
            clusters={status.clusters}
            render={cluster => (
              <ClusterAccess cluster={cluster} state={state} />
            )}
          />
        )}
      </MeshCardBody>
    </InfoCard>
  );
};

/**
 * Who may call the entity's Services: the declared callers (catalog `dependsOn` and
 * `consumesApis`) with their mTLS principals and sidecar state, the access policy's mode, the
 * denials the sidecars counted, and Dry-run / Enforce / Remove through the plan dialog.
 *
 * @public
 */
export const AccessCard = () => (
  <MeshStatusBoundary>
    <AccessCardContent />
  </MeshStatusBoundary>
);
