import { InfoCard, Table, TableColumn } from '@backstage/core-components';
import { Typography } from '@material-ui/core';
import type {
  ClusterMeshStatusOk,
  Finding,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { MeshStatusBoundary } from '../../hooks';
import { ClusterSections, MeshCardBody, SeverityStatus } from '../shared';

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

const columns: TableColumn<Finding>[] = [
  {
    title: 'Severity',
    field: 'severity',
    width: '120px',
    render: f => <SeverityStatus severity={f.severity} />,
    customSort: (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
  },
  { title: 'Code', field: 'code', width: '110px' },
  {
    title: 'Message',
    field: 'message',
    render: f => (
      <>
        {f.message}
        {f.blocking && (
          <Typography variant="caption" color="error" component="div">
            Blocks apply
          </Typography>
        )}
      </>
    ),
  },
  {
    title: 'Resource',
    render: f =>
      f.resource
        ? `${f.resource.kind} ${
            f.resource.namespace ? `${f.resource.namespace}/` : ''
          }${f.resource.name}`
        : '—',
  },
  { title: 'How to fix', field: 'hint' },
];

const ClusterFindings = ({ cluster }: { cluster: ClusterMeshStatusOk }) => {
  if (cluster.findings.length === 0) {
    return (
      <Typography variant="body2">
        No findings: the mesh configuration of this entity looks right.
      </Typography>
    );
  }
  const sorted = [...cluster.findings].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
  );
  return (
    <Table<Finding>
      columns={columns}
      data={sorted}
      options={{
        paging: sorted.length > 10,
        pageSize: 10,
        search: false,
        toolbar: false,
        padding: 'dense',
      }}
    />
  );
};

/**
 * Problems in the mesh configuration (istioctl-analyze style) and how to fix them.
 *
 * @public
 */
export const FindingsCard = () => (
  <MeshStatusBoundary>
    <InfoCard title="Findings">
      <MeshCardBody>
        {status => (
          <ClusterSections
            clusters={status.clusters}
            render={cluster => <ClusterFindings cluster={cluster} />}
          />
        )}
      </MeshCardBody>
    </InfoCard>
  </MeshStatusBoundary>
);
