import {
  EmptyState,
  Link,
  ResponseErrorPanel,
  StatusOK,
  StatusWarning,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { parseEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntityRefLink } from '@backstage/plugin-catalog-react';
import type { MeshOverviewRow } from '@mesh-portal/backstage-plugin-mesh-common';
import useAsync from 'react-use/esm/useAsync';
import { meshApiRef } from '../../api';

/** A row flattened for sorting, searching and select filters. */
interface OverviewTableRow {
  id: string;
  entityRef: string;
  entity: string;
  link: string;
  cluster: string;
  namespace: string;
  meshed: string;
  meshedRatio: number;
  mtls: string;
  canary: string;
  findings: number;
  findingsText: string;
}

function toTableRow(
  row: MeshOverviewRow,
  entityLink: (ref: string) => string,
): OverviewTableRow {
  const ref = parseEntityRef(row.entityRef);
  const { error, warning, info } = row.findings;
  return {
    id: `${row.entityRef}@${row.cluster}/${row.namespace}`,
    entityRef: row.entityRef,
    entity: row.title ?? ref.name,
    link: `${entityLink(row.entityRef)}/mesh`,
    cluster: row.cluster,
    namespace: row.namespace,
    meshed: `${row.meshedPods}/${row.pods}`,
    meshedRatio: row.pods === 0 ? 0 : row.meshedPods / row.pods,
    mtls: row.mtlsMode,
    canary: row.canaryInProgress ? 'Yes' : 'No',
    findings: error + warning + info,
    findingsText: `${error} error${error === 1 ? '' : 's'}, ${warning} warning${
      warning === 1 ? '' : 's'
    }, ${info} info`,
  };
}

const columns: TableColumn<OverviewTableRow>[] = [
  {
    title: 'Entity',
    field: 'entity',
    highlight: true,
    render: r => <Link to={r.link}>{r.entity}</Link>,
    customFilterAndSearch: (term, r) =>
      `${r.entity} ${r.entityRef}`
        .toLowerCase()
        .includes(String(term).toLowerCase()),
  },
  { title: 'Cluster', field: 'cluster' },
  { title: 'Namespace', field: 'namespace' },
  {
    title: 'Meshed pods',
    field: 'meshed',
    customSort: (a, b) => a.meshedRatio - b.meshedRatio,
    render: r =>
      r.meshedRatio === 1 ? (
        <StatusOK>{r.meshed}</StatusOK>
      ) : (
        <StatusWarning>{r.meshed}</StatusWarning>
      ),
  },
  {
    title: 'mTLS',
    field: 'mtls',
    render: r =>
      r.mtls === 'STRICT' ? (
        <StatusOK>STRICT</StatusOK>
      ) : (
        <StatusWarning>{r.mtls}</StatusWarning>
      ),
  },
  { title: 'Canary in progress', field: 'canary' },
  {
    title: 'Findings',
    field: 'findings',
    type: 'numeric',
    render: r => <span title={r.findingsText}>{r.findings}</span>,
  },
];

/**
 * Mesh adoption across the catalog: one row per entity and cluster.
 *
 * @public
 */
export const MeshOverviewTable = () => {
  const meshApi = useApi(meshApiRef);
  const entityLink = useEntityRefLink();
  const { value, loading, error } = useAsync(
    () => meshApi.getOverview(),
    [meshApi],
  );

  if (error) {
    return (
      <ResponseErrorPanel
        error={error}
        title="Could not load the mesh overview"
      />
    );
  }
  const rows = (value?.rows ?? []).map(r => toTableRow(r, entityLink));
  if (!loading && rows.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No entity is in a cluster yet"
        description="Entities show up here once their catalog-info.yaml carries the backstage.io/kubernetes-id or backstage.io/kubernetes-label-selector annotation and their workloads run in a configured cluster."
      />
    );
  }
  return (
    <Table<OverviewTableRow>
      title="Mesh adoption"
      isLoading={loading}
      columns={columns}
      data={rows}
      filters={[
        { column: 'Cluster', type: 'multiple-select' },
        { column: 'mTLS', type: 'select' },
        { column: 'Canary in progress', type: 'select' },
      ]}
      options={{
        search: true,
        paging: rows.length > 20,
        pageSize: 20,
        padding: 'dense',
      }}
    />
  );
};
