import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import {
  Box,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import type {
  CanaryAdvice,
  CanaryThresholds,
  ClusterHealthOk,
  TrafficSplit,
  VersionHealth,
} from '@mesh-portal/backstage-plugin-mesh-common';
import type { ReactNode } from 'react';
import type { CanaryHealthState } from './useCanaryHealth';

const rate = (n: number) => `${n.toFixed(2)} req/s`;
const percent = (n?: number) =>
  n === undefined ? '—' : `${Number(n.toFixed(2))} %`;
const millis = (n?: number) => (n === undefined ? '—' : `${Math.round(n)} ms`);

/** A metric coloured by its threshold; not judged (too little traffic, no value) is pending. */
const Judged = (props: {
  judged: boolean;
  ok: boolean;
  children: ReactNode;
}) => {
  if (!props.judged) return <StatusPending>{props.children}</StatusPending>;
  return props.ok ? (
    <StatusOK>{props.children}</StatusOK>
  ) : (
    <StatusError>{props.children}</StatusError>
  );
};

const VersionRow = (props: {
  version: VersionHealth;
  thresholds: CanaryThresholds;
}) => {
  const { version: v, thresholds } = props;
  const judged = v.verdict !== 'insufficient-traffic';
  return (
    <TableRow>
      <TableCell>{v.version}</TableCell>
      <TableCell align="right">{v.weight} %</TableCell>
      <TableCell align="right">{rate(v.requestRate)}</TableCell>
      <TableCell align="right">
        <Judged
          judged={judged && v.successRate !== undefined}
          ok={(v.successRate ?? 0) >= thresholds.minSuccessRate}
        >
          {percent(v.successRate)}
        </Judged>
      </TableCell>
      <TableCell align="right">
        <Judged
          judged={judged && v.p99Ms !== undefined}
          ok={(v.p99Ms ?? 0) <= thresholds.maxP99Ms}
        >
          {millis(v.p99Ms)}
        </Judged>
      </TableCell>
    </TableRow>
  );
};

const AdviceLine = ({ advice }: { advice: CanaryAdvice }) => {
  const text = (
    <Typography variant="body2" component="span">
      {advice.message}
    </Typography>
  );
  switch (advice.action) {
    case 'rollback':
      return <StatusError>{text}</StatusError>;
    case 'advance':
    case 'promote':
      return <StatusOK>{text}</StatusOK>;
    case 'wait':
    case 'hold':
      return <StatusWarning>{text}</StatusWarning>;
    default:
      return text;
  }
};

const Note = ({ children }: { children: ReactNode }) => (
  <Typography variant="caption" color="textSecondary" component="p">
    {children}
  </Typography>
);

const HealthTable = (props: {
  cluster: ClusterHealthOk;
  split: TrafficSplit;
}) => {
  const { cluster, split } = props;
  const health = cluster.splits.find(
    s =>
      s.namespace === split.namespace &&
      s.host === split.host &&
      s.virtualService === split.virtualService,
  );
  if (!health || health.versions.length === 0) {
    return (
      <Note>
        No request metrics for {split.host} in the last {cluster.window}.
      </Note>
    );
  }
  const { thresholds } = cluster;
  return (
    <Box>
      <Table size="small" aria-label={`Health of ${split.host} per version`}>
        <TableHead>
          <TableRow>
            <TableCell>Version</TableCell>
            <TableCell align="right">Weight</TableCell>
            <TableCell align="right">Requests ({cluster.window})</TableCell>
            <TableCell align="right">
              Success (≥ {thresholds.minSuccessRate} %)
            </TableCell>
            <TableCell align="right">
              p99 (≤ {thresholds.maxP99Ms} ms)
            </TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {health.versions.map(v => (
            <VersionRow key={v.version} version={v} thresholds={thresholds} />
          ))}
        </TableBody>
      </Table>
      <Box mt={1}>
        <AdviceLine advice={health.advice} />
      </Box>
    </Box>
  );
};

/**
 * Per-version request rate, success rate and p99 of one split, coloured against the
 * thresholds, with the advice; or why there is none (not configured, unavailable).
 */
export const SplitHealth = (props: {
  cluster: string;
  split: TrafficSplit;
  state: CanaryHealthState;
}) => {
  const { cluster, split, state } = props;
  if (state.loading) return <Note>Reading health from Prometheus…</Note>;
  if (state.error)
    return <Note>Health unavailable: {state.error.message}</Note>;
  const health = state.health?.clusters.find(c => c.cluster === cluster);
  if (!health) return null;
  if (health.state === 'not-configured') {
    return (
      <Note>
        Prometheus not configured for cluster {cluster} (mesh.clusters.{cluster}
        .prometheusUrl): no per-version health.
      </Note>
    );
  }
  if (health.state === 'unavailable') {
    return <Note>Health unavailable: {health.reason}</Note>;
  }
  return <HealthTable cluster={health} split={split} />;
};
