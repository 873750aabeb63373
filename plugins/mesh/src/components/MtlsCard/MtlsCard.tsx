import { useState } from 'react';
import {
  InfoCard,
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import {
  Box,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import type {
  ClusterMeshStatusOk,
  EffectiveMtls,
  MtlsMode,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { MeshStatusBoundary } from '../../hooks';
import {
  ClusterSections,
  GuardedButton,
  MeshCardBody,
  MeshTable,
  NoWrapCell,
} from '../shared';
import { mtlsSourceText, portMtlsSourceText } from './mtlsText';
import { StrictMtlsDialog } from './StrictMtlsDialog';

const ModeStatus = ({ mode }: { mode: MtlsMode }) => {
  switch (mode) {
    case 'STRICT':
      return <StatusOK>STRICT</StatusOK>;
    case 'DISABLE':
      return <StatusError>DISABLE</StatusError>;
    case 'UNSET':
      return <StatusWarning>UNSET (PERMISSIVE)</StatusWarning>;
    default:
      return <StatusWarning>{mode}</StatusWarning>;
  }
};

/** A workload's row, then one row per port its policy's `portLevelMtls` sets apart. */
const MtlsRows = ({ m }: { m: EffectiveMtls }) => {
  const name = m.workload
    ? `${m.namespace}/${m.workload}`
    : `namespace ${m.namespace}`;
  return (
    <>
      <TableRow>
        <TableCell>{name}</TableCell>
        <NoWrapCell>
          <ModeStatus mode={m.mode} />
        </NoWrapCell>
        <TableCell>{mtlsSourceText(m)}</TableCell>
      </TableRow>
      {(m.ports ?? []).map(p => (
        <TableRow key={p.port}>
          <TableCell aria-label={`${name} port ${p.port}`}>
            <Box pl={2}>port {p.port}</Box>
          </TableCell>
          <NoWrapCell>
            <ModeStatus mode={p.mode} />
          </NoWrapCell>
          <TableCell>{portMtlsSourceText(p)}</TableCell>
        </TableRow>
      ))}
    </>
  );
};

const ClusterMtls = ({ cluster }: { cluster: ClusterMeshStatusOk }) => {
  const [dialogNamespace, setDialogNamespace] = useState<string>();
  if (cluster.mtls.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No mTLS information: no workload of the entity was found in this
        cluster.
      </Typography>
    );
  }
  const namespaces = [...new Set(cluster.mtls.map(m => m.namespace))];
  const notStrict = namespaces.filter(ns =>
    cluster.mtls.some(m => m.namespace === ns && m.mode !== 'STRICT'),
  );
  // Ports a workload policy keeps off STRICT: a namespace STRICT does not change them.
  const plaintextPorts = cluster.mtls.flatMap(m =>
    (m.ports ?? []).filter(p => p.mode !== 'STRICT').map(p => ({ m, p })),
  );
  return (
    <>
      <MeshTable label="Effective mTLS">
        <TableHead>
          <TableRow>
            <TableCell>Workload</TableCell>
            <TableCell>Mode</TableCell>
            <TableCell>Set by</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {cluster.mtls.map(m => (
            <MtlsRows key={`${m.namespace}/${m.workload ?? ''}`} m={m} />
          ))}
        </TableBody>
      </MeshTable>
      {plaintextPorts.length > 0 && (
        <Box mt={1}>
          <Typography variant="body2">
            {plaintextPorts
              .map(({ m, p }) => `${m.workload ?? m.namespace} port ${p.port}`)
              .join(', ')}{' '}
            {plaintextPorts.length === 1 ? 'is' : 'are'} kept off STRICT by
            portLevelMtls: edit the workload's PeerAuthentication to change{' '}
            {plaintextPorts.length === 1 ? 'it' : 'them'}.
          </Typography>
        </Box>
      )}
      {notStrict.length === 0
        ? plaintextPorts.length === 0 && (
            <Box mt={1}>
              <Typography variant="body2">
                Every workload only accepts mutual TLS.
              </Typography>
            </Box>
          )
        : notStrict.map(ns => (
            <Box key={ns} mt={1} display="flex" alignItems="center">
              <Typography variant="body2" style={{ flexGrow: 1 }}>
                Namespace {ns} still accepts plaintext.
              </Typography>
              <GuardedButton onClick={() => setDialogNamespace(ns)}>
                {notStrict.length > 1
                  ? `Switch ${ns} to STRICT`
                  : 'Switch to STRICT'}
              </GuardedButton>
            </Box>
          ))}
      {dialogNamespace && (
        <StrictMtlsDialog
          open
          onClose={() => setDialogNamespace(undefined)}
          cluster={cluster.cluster}
          namespace={dialogNamespace}
        />
      )}
    </>
  );
};

/**
 * Effective mTLS mode per workload and what sets it, with PERMISSIVE → STRICT.
 *
 * @public
 */
export const MtlsCard = () => (
  <MeshStatusBoundary>
    <InfoCard title="mTLS">
      <MeshCardBody>
        {status => (
          <ClusterSections
            clusters={status.clusters}
            render={cluster => <ClusterMtls cluster={cluster} />}
          />
        )}
      </MeshCardBody>
    </InfoCard>
  </MeshStatusBoundary>
);
