import {
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
import { MeshTable, NoWrapCell, YesNo } from '../shared';

const nativeSidecarText = (p: PodMeshStatus) => {
  if (!p.injected) {
    return '—';
  }
  return p.nativeSidecar ? 'Yes' : 'No';
};

const workloadLabel = (w: WorkloadStatus) =>
  `${w.kind} ${w.name}${w.labels.version ? ` (${w.labels.version})` : ''}`;

/** Pods of the given workloads with their sidecar state. */
export const PodTable = ({ workloads }: { workloads: WorkloadStatus[] }) => {
  const rows = workloads.flatMap(w => w.pods.map(p => ({ w, p })));
  // The status lists a bounded number of pods per workload, those needing attention first.
  const notListed = workloads.filter(w => w.podCounts.total > w.pods.length);
  if (rows.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No pods are running for these workloads.
      </Typography>
    );
  }
  return (
    <MeshTable label="Pods and sidecars">
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
            <TableCell>{workloadLabel(w)}</TableCell>
            <TableCell>{p.name}</TableCell>
            <NoWrapCell>
              {p.injected && <StatusOK>Injected</StatusOK>}
              {!p.injected && p.ambient && <StatusOK>Ambient</StatusOK>}
              {!p.injected && !p.ambient && (
                <StatusWarning>No sidecar</StatusWarning>
              )}
            </NoWrapCell>
            <NoWrapCell>{nativeSidecarText(p)}</NoWrapCell>
            <NoWrapCell>{p.proxyVersion ?? '—'}</NoWrapCell>
            <NoWrapCell>{p.revision ?? '—'}</NoWrapCell>
            <NoWrapCell>
              <YesNo value={p.ready} warnOnNo no={`No (${p.phase})`} />
            </NoWrapCell>
            <TableCell>
              {p.optedOut ? 'Yes (sidecar.istio.io/inject=false)' : 'No'}
            </TableCell>
          </TableRow>
        ))}
        {notListed.map(w => (
          <TableRow key={`${w.namespace}/${w.kind}/${w.name}/not-listed`}>
            <TableCell>{workloadLabel(w)}</TableCell>
            <TableCell colSpan={7}>
              <Typography variant="body2" color="textSecondary">
                {`${w.pods.length} of ${w.podCounts.total.toLocaleString(
                  'en-US',
                )} pods listed (those needing attention first): ${w.podCounts.meshed.toLocaleString(
                  'en-US',
                )} meshed, ${w.podCounts.ready.toLocaleString(
                  'en-US',
                )} ready, ${w.podCounts.optedOut.toLocaleString(
                  'en-US',
                )} opted out in all.`}
              </Typography>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </MeshTable>
  );
};
