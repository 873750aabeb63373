import { MANAGED_ROUTE_NAME } from '../annotations';
import type {
  ConnectionPoolSettings,
  HttpRetrySettings,
  OutlierDetectionSettings,
} from '../api/resilience';
import { MeshFindingCodes } from '../api/codes';
import type { Finding } from '../api/findings';
import type { PlannedObject } from '../api/plan';
import { serviceOfHost } from '../kube/hosts';
import { findSplitRouteIndex, isForwardingRoute } from '../kube/splitRoute';
import type {
  IstioDestinationRule,
  IstioHttpRoute,
  IstioVirtualService,
  KubeService,
} from '../kube/types';
import { durationMs } from '../kube/durations';
import {
  NETWORKING_V1,
  desiredFromLive,
  jsonEqual,
  ownedMetadata,
  planned,
} from './objects';
import type { BuiltPlan } from './planOnboard';

/**
 * Input of {@link planResilience}. For each setting, `undefined` keeps what is there and `null`
 * removes it.
 *
 * @public
 */
export interface ResiliencePlanInput {
  service: KubeService;
  /** The VirtualService now routing the service (the user's, or ours from a canary). */
  existingVirtualService?: IstioVirtualService;
  /** The DestinationRule now defining the service's traffic policy and subsets. */
  existingDestinationRule?: IstioDestinationRule;
  timeout?: string | null;
  retries?: HttpRetrySettings | null;
  outlierDetection?: OutlierDetectionSettings | null;
  connectionPool?: ConnectionPoolSettings | null;
  entityRef?: string;
}

/**
 * Plans timeouts and retries on the route that carries the service's default traffic, and
 * outlier detection and connection-pool limits on its DestinationRule's traffic policy.
 *
 * Merge rule, as for the canary: every field a user wrote is kept — other routes, the matches,
 * headers, mirrors and destinations of the default route, the subsets and every other
 * trafficPolicy field (tls, loadBalancer, portLevelSettings) — and only the four settings
 * asked for change. The route is the one Istio uses for default traffic, the first catch-all
 * ({@link findSplitRouteIndex}); without one, a catch-all route to the service is appended.
 *
 * Why the retry notes: with no `retries` on a route Istio still retries — twice, on
 * connect-failure, refused-stream, unavailable, cancelled and 503 (istio/istio
 * pilot/pkg/networking/core/route/retry/retry.go, `DefaultPolicy`); a route's own `retries`
 * replaces that default entirely, and `attempts: 0` turns retries off.
 *
 * @public
 */
export function planResilience(input: ResiliencePlanInput): BuiltPlan {
  const findings: Finding[] = [];
  const serviceName = input.service.metadata?.name ?? '';
  const namespace = input.service.metadata?.namespace ?? '';
  const touchesRoute =
    input.timeout !== undefined || input.retries !== undefined;
  const touchesPolicy =
    input.outlierDetection !== undefined || input.connectionPool !== undefined;
  const objects: PlannedObject[] = [];

  if (touchesPolicy) {
    const destinationRule = planDestinationRule(input, serviceName, namespace);
    if (destinationRule) objects.push(planned(destinationRule, 'apply'));
  }
  if (touchesRoute) {
    const virtualService = planVirtualService(
      input,
      serviceName,
      namespace,
      findings,
    );
    if (virtualService) objects.push(planned(virtualService, 'apply'));
  }

  const timeoutMs = input.timeout ? durationMs(input.timeout) : undefined;
  const retries = input.retries;
  if (
    retries &&
    retries.attempts > 0 &&
    timeoutMs !== undefined &&
    retries.perTryTimeout
  ) {
    const perTry = durationMs(retries.perTryTimeout) ?? 0;
    if (perTry * (retries.attempts + 1) > timeoutMs) {
      findings.push({
        code: MeshFindingCodes.resilience,
        severity: 'warning',
        message: `The route timeout ${input.timeout} ends the request before ${retries.attempts} retries of ${retries.perTryTimeout} each can run: Envoy's overall timeout includes every retry.`,
        hint: `Raise the timeout to at least ${
          perTry * (retries.attempts + 1)
        }ms or lower perTryTimeout.`,
        resource: { kind: 'Service', name: serviceName, namespace },
        blocking: false,
      });
    }
  }
  if (
    retries === null ||
    (retries && retries.attempts > 0 && !retries.retryOn)
  ) {
    findings.push({
      code: MeshFindingCodes.resilience,
      severity: 'info',
      message:
        retries === null
          ? 'Without retries on the route, Istio applies its default: 2 retries on connect-failure, refused-stream, unavailable, cancelled and 503.'
          : "Without retryOn, Envoy retries on Istio's default conditions (connect-failure, refused-stream, unavailable, cancelled, 503).",
      hint: 'Set retryOn (e.g. 5xx,reset,connect-failure) to retry other failures, or attempts: 0 to turn retries off.',
      resource: { kind: 'Service', name: serviceName, namespace },
      blocking: false,
    });
  }

  const existingPolicy = input.existingDestinationRule?.spec?.trafficPolicy;
  if (
    input.outlierDetection &&
    !existingPolicy?.outlierDetection &&
    existingPolicy?.loadBalancer?.localityLbSetting?.enabled !== false
  ) {
    // Istio applies locality failover only to clusters with outlier detection ("Failover needs
    // outlier detection, otherwise Envoy will never drop down to a lower priority",
    // pilot/pkg/networking/core/loadbalancer/loadbalancer.go ApplyLocalityLoadBalancer), and
    // meshConfig.localityLbSetting is enabled by default: adding outlier detection moves
    // traffic in a multi-zone cluster. Measured in e2e/traffic.test.mjs (outlier detection).
    findings.push({
      code: MeshFindingCodes.resilience,
      severity: 'info',
      message: `Outlier detection also turns on Istio's locality failover for ${serviceName}: each caller sends only to endpoints in its own region and zone while enough of them are healthy, and to other zones only then.`,
      hint: 'To keep spreading requests over every zone, set trafficPolicy.loadBalancer.localityLbSetting.enabled: false on the DestinationRule (or turn locality load balancing off mesh-wide in meshConfig).',
      resource: { kind: 'Service', name: serviceName, namespace },
      blocking: false,
    });
  }

  const retriesPart = () => {
    if (input.retries === undefined) return undefined;
    if (input.retries === null) return 'retries removed';
    const on = input.retries.retryOn ? ` on ${input.retries.retryOn}` : '';
    return `retries ${input.retries.attempts}${on}`;
  };
  const parts = [
    input.timeout !== undefined
      ? `timeout ${input.timeout ?? 'removed'}`
      : undefined,
    retriesPart(),
    input.outlierDetection !== undefined
      ? `outlier detection ${input.outlierDetection ? 'set' : 'removed'}`
      : undefined,
    input.connectionPool !== undefined
      ? `connection pool ${input.connectionPool ? 'set' : 'removed'}`
      : undefined,
  ].filter(Boolean);
  const blocked = findings.some(f => f.blocking);
  return {
    objects: blocked ? [] : objects,
    findings,
    summary: `${serviceName}: ${parts.join(', ') || 'no change'}${
      objects.length === 0 && !blocked ? ' (already in place)' : ''
    }.`,
  };
}

function planDestinationRule(
  input: ResiliencePlanInput,
  serviceName: string,
  namespace: string,
): (IstioDestinationRule & Record<string, unknown>) | undefined {
  const existing = input.existingDestinationRule;
  const destinationRule: IstioDestinationRule & Record<string, unknown> =
    existing
      ? desiredFromLive(existing, NETWORKING_V1, 'DestinationRule')
      : {
          apiVersion: NETWORKING_V1,
          kind: 'DestinationRule',
          metadata: ownedMetadata(serviceName, namespace, input.entityRef),
          spec: { host: serviceName },
        };
  const trafficPolicy = { ...(destinationRule.spec?.trafficPolicy ?? {}) };
  setOrDelete(trafficPolicy, 'outlierDetection', input.outlierDetection);
  setOrDelete(trafficPolicy, 'connectionPool', input.connectionPool);
  const spec = { ...destinationRule.spec };
  if (Object.keys(trafficPolicy).length > 0) spec.trafficPolicy = trafficPolicy;
  else delete spec.trafficPolicy;
  destinationRule.spec = spec;
  if (!existing && !spec.trafficPolicy) return undefined;
  return changedOrUndefined(existing, destinationRule);
}

function planVirtualService(
  input: ResiliencePlanInput,
  serviceName: string,
  namespace: string,
  findings: Finding[],
): (IstioVirtualService & Record<string, unknown>) | undefined {
  const existing = input.existingVirtualService;
  const vsNamespace = existing?.metadata?.namespace ?? namespace;
  const virtualService: IstioVirtualService & Record<string, unknown> = existing
    ? desiredFromLive(existing, NETWORKING_V1, 'VirtualService')
    : {
        apiVersion: NETWORKING_V1,
        kind: 'VirtualService',
        metadata: ownedMetadata(serviceName, namespace, input.entityRef),
        spec: { hosts: [serviceName], http: [] },
      };
  const http: IstioHttpRoute[] = [...(virtualService.spec?.http ?? [])];
  let index = findSplitRouteIndex(http);
  if (index >= 0 && !isForwardingRoute(http[index])) {
    findings.push({
      code: MeshFindingCodes.resilience,
      severity: 'error',
      message: `VirtualService ${existing?.metadata?.name}'s default route (#${
        index + 1
      }) redirects or answers directly: timeouts and retries there never reach ${serviceName}.`,
      hint: 'Change that route to forward to the service first.',
      resource: {
        kind: 'VirtualService',
        name: existing?.metadata?.name ?? '',
        namespace: vsNamespace,
      },
      blocking: true,
    });
    return undefined;
  }
  if (index < 0) {
    const asksForRoute = Boolean(input.timeout) || Boolean(input.retries);
    if (!asksForRoute) return undefined; // removing from a route that does not exist: nothing to do
    const nameTaken = http.some(route => route.name === MANAGED_ROUTE_NAME);
    http.push({
      ...(nameTaken ? {} : { name: MANAGED_ROUTE_NAME }),
      route: [{ destination: { host: serviceName } }],
    });
    index = http.length - 1;
  } else {
    const destinations = http[index].route ?? [];
    const isThisService = (host: string) => {
      const target = serviceOfHost(host, vsNamespace);
      return target?.name === serviceName && target.namespace === namespace;
    };
    if (
      destinations.length > 0 &&
      !destinations.some(d => isThisService(d.destination.host))
    ) {
      findings.push({
        code: MeshFindingCodes.resilience,
        severity: 'error',
        message: `VirtualService ${
          existing?.metadata?.name
        }'s default route goes to ${destinations
          .map(d => d.destination.host)
          .join(', ')}, not to ${serviceName}.`,
        hint: 'Pick the VirtualService that routes this service.',
        resource: {
          kind: 'VirtualService',
          name: existing?.metadata?.name ?? '',
          namespace: vsNamespace,
        },
        blocking: true,
      });
      return undefined;
    }
  }
  const route = { ...http[index] };
  setOrDelete(route, 'timeout', input.timeout);
  setOrDelete(route, 'retries', input.retries);
  http[index] = route;
  virtualService.spec = { ...virtualService.spec, http };
  return changedOrUndefined(existing, virtualService);
}

/** The desired object, or undefined when the live one already says the same. */
function changedOrUndefined<T extends { spec?: unknown; apiVersion?: string }>(
  existing: { spec?: unknown; apiVersion?: string } | undefined,
  desired: T,
): T | undefined {
  const same =
    existing !== undefined &&
    jsonEqual(existing.spec, desired.spec) &&
    existing.apiVersion === NETWORKING_V1;
  return same ? undefined : desired;
}

function setOrDelete(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
) {
  if (value === undefined) return;
  if (value === null) delete target[key];
  else target[key] = structuredClone(value);
}
