import { useState } from 'react';
import { InfoCard } from '@backstage/core-components';
import { Box, Chip, Typography } from '@material-ui/core';
import {
  meshedPodTotals,
  type ClusterMeshStatusOk,
  type NamespaceMeshStatus,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { MeshStatusBoundary, useMeshApplyPermission } from '../../hooks';
import { ClusterSections, GuardedButton, MeshCardBody } from '../shared';
import { ExposeDialog, GatewayBindings } from './ExposeDialog';
import { OnboardingDialog } from './OnboardingDialog';
import { PodTable } from './PodTable';

const INJECTION_LABELS: Record<string, string> = {
  sidecar: 'Sidecar injection enabled (istio-injection=enabled)',
  revision: 'Revision-based injection (istio.io/rev)',
  ambient: 'Ambient mode (istio.io/dataplane-mode=ambient)',
  disabled: 'Injection disabled (istio-injection=disabled)',
  none: 'Not labelled for injection',
};

const NamespaceInjection = ({ ns }: { ns: NamespaceMeshStatus }) => (
  <Box mb={1}>
    <Typography variant="body2" component="span">
      Namespace <strong>{ns.name}</strong>:{' '}
    </Typography>
    <Chip
      size="small"
      color={
        ns.injection.mode === 'none' || ns.injection.mode === 'disabled'
          ? 'default'
          : 'primary'
      }
      label={`${INJECTION_LABELS[ns.injection.mode] ?? ns.injection.mode}${
        ns.injection.revision ? ` — revision ${ns.injection.revision}` : ''
      }`}
    />
    {ns.injection.conflict && (
      <Typography variant="body2" color="error">
        {ns.injection.conflict}
      </Typography>
    )}
  </Box>
);

const ClusterSidecars = ({ cluster }: { cluster: ClusterMeshStatusOk }) => {
  const [open, setOpen] = useState(false);
  const [exposeOpen, setExposeOpen] = useState(false);
  const permission = useMeshApplyPermission();
  const { meshed, total } = meshedPodTotals(cluster.workloads);
  const everyPodMeshed = total > 0 && meshed === total;

  return (
    <>
      {cluster.namespaces.map(ns => (
        <NamespaceInjection key={ns.name} ns={ns} />
      ))}
      <Box display="flex" alignItems="center" my={1}>
        <Typography variant="body2" style={{ flexGrow: 1 }}>
          {meshed} of {total} pods in the mesh
        </Typography>
        {/* Open even without apply permission: previewing is read-only. */}
        <GuardedButton onClick={() => setOpen(true)}>Onboard</GuardedButton>
        <Box ml={1}>
          <GuardedButton onClick={() => setExposeOpen(true)}>
            Expose through ingress
          </GuardedButton>
        </Box>
      </Box>
      <GatewayBindings cluster={cluster} />
      {permission.reason && !permission.loading && (
        <Typography variant="caption" color="textSecondary" component="p">
          {permission.reason}
        </Typography>
      )}
      {everyPodMeshed && (
        <Typography variant="caption" color="textSecondary" component="p">
          Every pod already has a sidecar; onboarding again only re-applies the
          labels.
        </Typography>
      )}
      {cluster.workloads.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No workloads match the entity's backstage.io/kubernetes-id or
          backstage.io/kubernetes-label-selector annotation in this cluster.
        </Typography>
      ) : (
        <PodTable workloads={cluster.workloads} />
      )}
      {open && (
        <OnboardingDialog
          open={open}
          onClose={() => setOpen(false)}
          cluster={cluster}
        />
      )}
      {exposeOpen && (
        <ExposeDialog
          open={exposeOpen}
          onClose={() => setExposeOpen(false)}
          cluster={cluster}
        />
      )}
    </>
  );
};

/**
 * Sidecar state of the entity's workloads and pods, with onboarding and
 * exposure through the ingress gateway.
 *
 * @public
 */
export const SidecarStatusCard = () => (
  <MeshStatusBoundary>
    <InfoCard title="Sidecars">
      <MeshCardBody>
        {status => (
          <ClusterSections
            clusters={status.clusters}
            render={cluster => <ClusterSidecars cluster={cluster} />}
          />
        )}
      </MeshCardBody>
    </InfoCard>
  </MeshStatusBoundary>
);
