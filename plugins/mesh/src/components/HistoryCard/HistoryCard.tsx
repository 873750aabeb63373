import { Fragment } from 'react';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Typography } from '@material-ui/core';
import type {
  AuditEntry,
  MeshActionRequest,
} from '@mesh-portal/backstage-plugin-mesh-common';
import useAsync from 'react-use/esm/useAsync';
import { meshApiRef } from '../../api';
import { MeshStatusBoundary, useMeshStatus } from '../../hooks';

/** One line describing what an action asked for. */
export function describeRequest(r: MeshActionRequest): string {
  switch (r.action) {
    case 'onboard':
      return `Onboard (${r.scope}${
        r.workloads ? `: ${r.workloads.join(', ')}` : ''
      })`;
    case 'canary':
      if (r.weights) {
        return `Traffic split ${Object.entries(r.weights)
          .map(([k, v]) => `${k} ${v}%`)
          .join(' / ')}`;
      }
      return `Traffic split preset ${r.preset}`;
    case 'mtls':
      return `mTLS ${r.mode} (${r.scope}${r.workload ? ` ${r.workload}` : ''})${
        r.force ? ', forced' : ''
      }`;
    case 'expose':
      return `Expose ${r.hosts.join(', ')}`;
    case 'resilience':
      return `Resilience (${[
        r.timeout !== undefined ? `timeout ${r.timeout ?? 'removed'}` : '',
        r.retries !== undefined
          ? `retries ${r.retries ? r.retries.attempts : 'removed'}`
          : '',
        r.outlierDetection !== undefined
          ? `outlier detection ${r.outlierDetection ? 'set' : 'removed'}`
          : '',
        r.connectionPool !== undefined
          ? `connection pool ${r.connectionPool ? 'set' : 'removed'}`
          : '',
      ]
        .filter(Boolean)
        .join(', ')})`;
    case 'access':
      return `Access policy ${r.mode}${r.service ? ` (${r.service})` : ''}`;
    default:
      return String((r as { action: string }).action);
  }
}

/**
 * Entity refs and object names have no spaces: offer line breaks after `:`, `/` and `-`, so a
 * narrow column wraps `user:default/guest` at its parts instead of mid-word.
 */
const Breakable = ({ text }: { text: string }) => (
  <>
    {text.split(/(?<=[:/-])/).map((part, i) => (
      <Fragment key={i}>
        {i > 0 && <wbr />}
        {part}
      </Fragment>
    ))}
  </>
);

const columns: TableColumn<AuditEntry>[] = [
  {
    title: 'When',
    field: 'createdAt',
    defaultSort: 'desc',
    render: e => new Date(e.createdAt).toLocaleString(),
  },
  { title: 'Who', field: 'actor', render: e => <Breakable text={e.actor} /> },
  {
    title: 'Change',
    render: e => (
      <>
        {describeRequest(e.params)}
        {e.takeOvers?.length ? (
          <Typography variant="caption" display="block" color="textSecondary">
            Took over{' '}
            {e.takeOvers
              .map(
                t =>
                  `${t.fields.join(', ')} of ${t.kind} ${t.name} from ${
                    t.manager
                  }`,
              )
              .join('; ')}
          </Typography>
        ) : null}
      </>
    ),
  },
  {
    title: 'Objects',
    render: e =>
      e.objects.length === 0
        ? '—'
        : e.objects.map((o, i) => (
            <Fragment key={`${o.kind}/${o.name}/${i}`}>
              {i > 0 && ', '}
              {o.kind} <Breakable text={o.name} />
            </Fragment>
          )),
  },
  {
    title: 'Result',
    field: 'result',
    render: e =>
      e.result === 'success' ? (
        <StatusOK>Success</StatusOK>
      ) : (
        <StatusError>Failed{e.message ? `: ${e.message}` : ''}</StatusError>
      ),
  },
];

const HistoryTable = () => {
  const { entity } = useEntity();
  const meshApi = useApi(meshApiRef);
  // Re-read when the status changes, so a change applied on this page shows up.
  const { status } = useMeshStatus();
  const { value, loading, error } = useAsync(
    () => meshApi.getHistory(getCompoundEntityRef(entity)),
    [meshApi, entity, status],
  );
  if (loading && !value) {
    return <Progress />;
  }
  if (error) {
    return (
      <ResponseErrorPanel
        error={error}
        title="Could not load the change history"
      />
    );
  }
  const items = value?.items ?? [];
  if (items.length === 0) {
    return (
      <Typography variant="body2">
        No mesh changes have been applied to this entity from the portal yet.
      </Typography>
    );
  }
  return (
    <Table<AuditEntry>
      columns={columns}
      data={items}
      options={{
        paging: items.length > 10,
        pageSize: 10,
        search: false,
        toolbar: false,
        padding: 'dense',
      }}
    />
  );
};

/**
 * Audit trail of the mesh changes applied from the portal.
 *
 * @public
 */
export const HistoryCard = () => (
  <MeshStatusBoundary>
    <InfoCard title="Change history">
      <HistoryTable />
    </InfoCard>
  </MeshStatusBoundary>
);
