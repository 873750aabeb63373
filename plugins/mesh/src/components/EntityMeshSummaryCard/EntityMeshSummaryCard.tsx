import { InfoCard, StatusOK, StatusWarning } from '@backstage/core-components';
import { useEntity, useEntityRefLink } from '@backstage/plugin-catalog-react';
import {
  Table as MuiTable,
  TableBody,
  TableCell,
  TableRow,
} from '@material-ui/core';
import {
  meshedPodTotals,
  findingCounts,
  type ClusterMeshStatusOk,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { MeshStatusBoundary } from '../../hooks';
import { ClusterSections, MeshCardBody } from '../shared';

/** The modes in effect, e.g. `STRICT` or `PERMISSIVE, STRICT`. */
export function mtlsSummary(cluster: ClusterMeshStatusOk): string {
  const modes = [...new Set(cluster.mtls.map(m => m.mode))].sort();
  return modes.length ? modes.join(', ') : 'unknown';
}

const Row = (props: { label: string; children: React.ReactNode }) => (
  <TableRow>
    <TableCell component="th" scope="row" style={{ width: '40%' }}>
      {props.label}
    </TableCell>
    <TableCell>{props.children}</TableCell>
  </TableRow>
);

const ClusterSummary = ({ cluster }: { cluster: ClusterMeshStatusOk }) => {
  const { meshed, total } = meshedPodTotals(cluster.workloads);
  const mtls = mtlsSummary(cluster);
  const { error: errors, warning: warnings } = findingCounts(cluster.findings);
  return (
    <MuiTable
      size="small"
      aria-label={`Mesh summary for cluster ${cluster.cluster}`}
    >
      <TableBody>
        <Row label="Sidecars">
          {total > 0 && meshed === total ? (
            <StatusOK>{`${meshed}/${total} pods meshed`}</StatusOK>
          ) : (
            <StatusWarning>{`${meshed}/${total} pods meshed`}</StatusWarning>
          )}
        </Row>
        <Row label="mTLS">
          {mtls === 'STRICT' ? (
            <StatusOK>STRICT</StatusOK>
          ) : (
            <StatusWarning>{mtls}</StatusWarning>
          )}
        </Row>
        <Row label="Traffic">
          {cluster.trafficSplits.length === 0
            ? 'No split'
            : cluster.trafficSplits
                .map(
                  s =>
                    `${s.host.split('.')[0]}: ${s.routes
                      .map(r => `${r.subset ?? r.host} ${r.weight}%`)
                      .join(' / ')}${s.canaryInProgress ? ' (canary)' : ''}`,
                )
                .join('; ')}
        </Row>
        <Row label="Findings">
          {errors + warnings === 0 ? (
            <StatusOK>None</StatusOK>
          ) : (
            <StatusWarning>{`${errors} error${
              errors === 1 ? '' : 's'
            }, ${warnings} warning${warnings === 1 ? '' : 's'}`}</StatusWarning>
          )}
        </Row>
      </TableBody>
    </MuiTable>
  );
};

/**
 * Compact mesh summary for the entity overview, linking to the Mesh tab.
 *
 * @public
 */
export const EntityMeshSummaryCard = () => {
  const { entity } = useEntity();
  const entityLink = useEntityRefLink();
  return (
    <MeshStatusBoundary>
      <InfoCard
        title="Service mesh"
        deepLink={{
          title: 'Open the Mesh tab',
          link: `${entityLink(entity)}/mesh`,
        }}
      >
        <MeshCardBody>
          {status => (
            <ClusterSections
              clusters={status.clusters}
              render={cluster => <ClusterSummary cluster={cluster} />}
            />
          )}
        </MeshCardBody>
      </InfoCard>
    </MeshStatusBoundary>
  );
};
