import {
  Table as MuiTable,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import { StatusOK, StatusWarning } from '@backstage/core-components';
import type {
  PodMeshStatus,
  WorkloadStatus,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { YesNo } from '../shared';

const nativeSidecarText = (p: PodMeshStatus) => {
  if (!p.injected) {
    return '—';
  }
  return p.nativeSidecar ? 'Yes' : 'No';
};

/** Pods of the given workloads with their sidecar state. */
export const PodTable = ({ workloads }: { workloads: WorkloadStatus[] }) => {
  const rows = workloads.flatMap(w => w.pods.map(p => ({ w, p })));
  if (rows.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No pods are running for these workloads.
      </Typography>
    );
  }
  return (
    <MuiTable size="small" aria-label="Pods and sidecars">
      <TableHead>
        <TableRow>
          <TableCell>Workload</TableCell>
          <TableCell>Pod</TableCell>
          <TableCell>Sidecar</TableCell>
          <TableCell>Native sidecar</TableCell>
          <TableCell>Proxy version</TableCell>
          <TableCell>Revision</TableCell>
          <TableCell>Ready</TableCell>
          <TableCell>Opted out</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map(({ w, p }) => (
          <TableRow key={`${w.namespace}/${p.name}`}>
            <TableCell>
              {w.kind} {w.name}
              {w.labels.version ? ` (${w.labels.version})` : ''}
            </TableCell>
            <TableCell>{p.name}</TableCell>
            <TableCell>
              {p.injected && <StatusOK>Injected</StatusOK>}
              {!p.injected && p.ambient && <StatusOK>Ambient</StatusOK>}
              {!p.injected && !p.ambient && (
                <StatusWarning>No sidecar</StatusWarning>
              )}
            </TableCell>
            <TableCell>{nativeSidecarText(p)}</TableCell>
            <TableCell>{p.proxyVersion ?? '—'}</TableCell>
            <TableCell>{p.revision ?? '—'}</TableCell>
            <TableCell>
              <YesNo value={p.ready} warnOnNo no={`No (${p.phase})`} />
            </TableCell>
            <TableCell>
              {p.optedOut ? 'Yes (sidecar.istio.io/inject=false)' : 'No'}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </MuiTable>
  );
};
