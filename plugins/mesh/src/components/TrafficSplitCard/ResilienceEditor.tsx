import { useState } from 'react';
import { Box, Button, TextField, Typography } from '@material-ui/core';
import type {
  ResilienceActionRequest,
  TrafficResilience,
} from '@mesh-portal/backstage-plugin-mesh-common';
import {
  planApplyReason,
  useMeshAction,
  useMeshApplyPermission,
  useMeshStatus,
} from '../../hooks';
import { InlinePlanActions, InlinePlanOutcome } from '../shared';

/** The editor's text fields, one per setting (empty: not set). */
const FIELDS = [
  { key: 'timeout', label: 'Timeout', hint: 'e.g. 2s' },
  { key: 'attempts', label: 'Retry attempts', hint: '0 turns retries off' },
  { key: 'perTryTimeout', label: 'Per-try timeout', hint: 'e.g. 500ms' },
  { key: 'retryOn', label: 'Retry on', hint: 'e.g. 5xx,reset,connect-failure' },
  {
    key: 'consecutive5xxErrors',
    label: 'Eject after 5xx',
    hint: 'consecutive errors',
  },
  { key: 'baseEjectionTime', label: 'Ejection time', hint: 'e.g. 30s' },
  { key: 'maxEjectionPercent', label: 'Max ejected %', hint: '0–100' },
  { key: 'maxConnections', label: 'Max connections', hint: 'TCP pool' },
  {
    key: 'http1MaxPendingRequests',
    label: 'Max pending requests',
    hint: 'HTTP/1.1',
  },
] as const;
type FieldKey = (typeof FIELDS)[number]['key'];
type Values = Record<FieldKey, string>;

function valuesOf(current: TrafficResilience | undefined): Values {
  const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  return {
    timeout: text(current?.timeout),
    attempts: text(current?.retries?.attempts),
    perTryTimeout: text(current?.retries?.perTryTimeout),
    retryOn: text(current?.retries?.retryOn),
    consecutive5xxErrors: text(current?.outlierDetection?.consecutive5xxErrors),
    baseEjectionTime: text(current?.outlierDetection?.baseEjectionTime),
    maxEjectionPercent: text(current?.outlierDetection?.maxEjectionPercent),
    maxConnections: text(current?.connectionPool?.tcp?.maxConnections),
    http1MaxPendingRequests: text(
      current?.connectionPool?.http?.http1MaxPendingRequests,
    ),
  };
}

/** A number field as the API wants it: a number, or the text itself so the backend names it. */
const numberOrText = (value: string): number =>
  (/^-?\d+$/.test(value.trim()) ? Number(value) : value) as number;

/**
 * The request for what the form shows. A group left empty is removed when it was set (null),
 * otherwise left alone; fields of other groups the form does not show (e.g. outlier
 * `interval`) are kept from the current settings.
 */
export function resilienceRequest(
  service: string,
  cluster: string,
  values: Values,
  current: TrafficResilience | undefined,
  virtualService?: string,
): ResilienceActionRequest {
  const v = Object.fromEntries(
    Object.entries(values).map(([k, x]) => [k, x.trim()]),
  ) as Values;
  const request: ResilienceActionRequest = {
    action: 'resilience',
    service,
    ...(virtualService ? { virtualService } : {}),
    cluster,
  };
  if (v.timeout) request.timeout = v.timeout;
  else if (current?.timeout) request.timeout = null;

  if (v.attempts || v.perTryTimeout || v.retryOn) {
    request.retries = { attempts: numberOrText(v.attempts || '0') };
    if (v.perTryTimeout) request.retries.perTryTimeout = v.perTryTimeout;
    if (v.retryOn) request.retries.retryOn = v.retryOn;
  } else if (current?.retries) request.retries = null;

  if (v.consecutive5xxErrors || v.baseEjectionTime || v.maxEjectionPercent) {
    request.outlierDetection = { ...current?.outlierDetection };
    delete request.outlierDetection.consecutive5xxErrors;
    delete request.outlierDetection.baseEjectionTime;
    delete request.outlierDetection.maxEjectionPercent;
    if (v.consecutive5xxErrors)
      request.outlierDetection.consecutive5xxErrors = numberOrText(
        v.consecutive5xxErrors,
      );
    if (v.baseEjectionTime)
      request.outlierDetection.baseEjectionTime = v.baseEjectionTime;
    if (v.maxEjectionPercent)
      request.outlierDetection.maxEjectionPercent = numberOrText(
        v.maxEjectionPercent,
      );
  } else if (current?.outlierDetection) request.outlierDetection = null;

  if (v.maxConnections || v.http1MaxPendingRequests) {
    const tcp = { ...current?.connectionPool?.tcp };
    const http = { ...current?.connectionPool?.http };
    delete tcp.maxConnections;
    delete http.http1MaxPendingRequests;
    if (v.maxConnections) tcp.maxConnections = numberOrText(v.maxConnections);
    if (v.http1MaxPendingRequests)
      http.http1MaxPendingRequests = numberOrText(v.http1MaxPendingRequests);
    request.connectionPool = {};
    if (Object.keys(tcp).length) request.connectionPool.tcp = tcp;
    if (Object.keys(http).length) request.connectionPool.http = http;
  } else if (current?.connectionPool) request.connectionPool = null;
  return request;
}

/** One line saying what is in force, Istio's defaults named where nothing is set. */
export function describeResilience(
  current: TrafficResilience | undefined,
): string {
  const r = current?.retries;
  return [
    `timeout ${current?.timeout ?? 'none'}`,
    r
      ? `retries ${r.attempts}${r.retryOn ? ` on ${r.retryOn}` : ''}${
          r.perTryTimeout ? ` (${r.perTryTimeout} each)` : ''
        }`
      : "Istio's default retries (2 on connect failures and 503)",
    current?.outlierDetection
      ? `ejects a pod after ${
          current.outlierDetection.consecutive5xxErrors ?? 5
        } consecutive 5xx`
      : 'no outlier detection',
  ].join(' · ');
}

/**
 * Timeouts and retries on the route the service's traffic takes, outlier detection and
 * connection limits on its DestinationRule: preview (YAML, diff, findings), then apply.
 * Every other field of the route and rule is kept.
 */
export const ResilienceEditor = (props: {
  cluster: string;
  service: string;
  /** The split's VirtualService: where the route's timeout and retries are set. */
  virtualService?: string;
  current?: TrafficResilience;
}) => {
  const { cluster, service, virtualService, current } = props;
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<Values>(() => valuesOf(current));
  const action = useMeshAction();
  const permission = useMeshApplyPermission();
  const { refresh } = useMeshStatus();
  const request = resilienceRequest(
    service,
    cluster,
    values,
    current,
    virtualService,
  );
  const nothing =
    request.timeout === undefined &&
    request.retries === undefined &&
    request.outlierDetection === undefined &&
    request.connectionPool === undefined
      ? 'Nothing to change: fill in a setting.'
      : undefined;
  const applyReason =
    nothing ??
    permission.reason ??
    planApplyReason(
      action.plan,
      action.takeOver.confirmed,
      'Blocked by the findings of the plan.',
    );

  return (
    <Box mt={1}>
      <Typography variant="body2" color="textSecondary">
        Resilience: {describeResilience(current)}
      </Typography>
      {!open ? (
        <Button size="small" onClick={() => setOpen(true)}>
          Edit timeouts and retries
        </Button>
      ) : (
        <Box mt={1}>
          <Box display="flex" flexWrap="wrap">
            {FIELDS.map(f => (
              <Box key={f.key} mr={2} mb={1} width={190}>
                <TextField
                  id={`mesh-resilience-${cluster}-${service}-${
                    virtualService ?? ''
                  }-${f.key}`}
                  label={f.label}
                  helperText={f.hint}
                  size="small"
                  variant="outlined"
                  value={values[f.key]}
                  onChange={e => {
                    setValues({ ...values, [f.key]: e.target.value });
                    action.reset();
                  }}
                />
              </Box>
            ))}
          </Box>
          <Typography variant="caption" color="textSecondary" component="p">
            Empty fields remove a setting that is set. Retries count after the
            first try; the timeout bounds all of them.
          </Typography>
          <InlinePlanActions
            action={action}
            request={request}
            previewDisabledReason={nothing}
            applyDisabledReason={applyReason}
            onApplied={refresh}
          />
          <InlinePlanOutcome action={action} />
        </Box>
      )}
    </Box>
  );
};
