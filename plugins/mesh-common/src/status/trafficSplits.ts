import { podLabelGroups } from './podLabelGroups';
import type {
  ConnectionPoolSettings,
  HttpRetrySettings,
  OutlierDetectionSettings,
} from '../api/resilience';
import type {
  TrafficResilience,
  TrafficRoute,
  TrafficSplit,
} from '../api/status';
import { serviceOfHost } from '../kube/hosts';
import { findSplitRouteIndex } from '../kube/splitRoute';
import type {
  IstioDestinationRule,
  IstioHttpRoute,
  IstioVirtualService,
  KubePod,
  KubeService,
  KubeWorkload,
} from '../kube/types';
import { matchesLabels } from '../labelSelector';
import { canaryPresetWeights, canaryRoles } from './canaryRoles';
import { toPercentages } from './percentages';
import { versionSubsets } from './versionSubsets';

export { toPercentages } from './percentages';

/**
 * Stable, canary and preset weights as the canary plan would take them for this split's
 * VirtualService ({@link canaryRoles}, {@link canaryPresetWeights}); none without workloads.
 */
function rolesOf(
  service: KubeService,
  workloads: KubeWorkload[] | undefined,
  virtualService: IstioVirtualService | undefined,
  destinationRule: IstioDestinationRule | undefined,
): Pick<TrafficSplit, 'stable' | 'canary' | 'presets'> {
  if (!workloads) return { presets: {} };
  const roles = canaryRoles({
    service,
    workloads,
    existingVirtualService: virtualService,
    existingDestinationRule: destinationRule,
  });
  const result: Pick<TrafficSplit, 'stable' | 'canary' | 'presets'> = {
    presets: canaryPresetWeights(roles),
  };
  if (roles.stable) result.stable = roles.stable;
  if (roles.canary) result.canary = roles.canary;
  return result;
}

/**
 * How traffic to each Service is split, from VirtualServices (v1 or v1beta1 alike: only
 * `spec` is read), DestinationRules and pods; `subsets` lists the versions of the Service's
 * workloads (pod templates; the pods when `workloads` is not given) by subset name.
 *
 * A VirtualService concerns a Service when one of its hosts or one destination of its split
 * route names it. The split route is the one Istio uses for default traffic,
 * {@link findSplitRouteIndex} (the first catch-all); without one, the last http route is shown. Weights are turned into percentages (`weight / sum`); a lone destination gets
 * 100. A Service no VirtualService concerns gets one 100% route to itself.
 *
 * @public
 */
export function trafficSplits(
  services: KubeService[],
  virtualServices: IstioVirtualService[],
  destinationRules: IstioDestinationRule[],
  pods: KubePod[],
  workloads?: KubeWorkload[],
): TrafficSplit[] {
  const splits: TrafficSplit[] = [];
  const groups = podLabelGroups(pods);
  for (const service of services) {
    const name = service.metadata?.name ?? '';
    const namespace = service.metadata?.namespace ?? '';
    const selector = service.spec?.selector ?? {};
    const selects = (labels?: Record<string, string>) =>
      Object.keys(selector).length > 0 && matchesLabels(labels, selector);
    const versionLabels = workloads
      ? workloads.map(w => w.spec?.template?.metadata?.labels)
      : groups.map(g => g.labels);
    const isThisService = (host: string, objectNamespace: string) => {
      const target = serviceOfHost(host, objectNamespace);
      return target?.name === name && target.namespace === namespace;
    };
    const destinationRule = destinationRules.find(dr =>
      isThisService(dr.spec?.host ?? '', dr.metadata?.namespace ?? namespace),
    );
    const subsets = versionSubsets(
      versionLabels
        .filter(selects)
        .map(labels => labels?.version)
        .filter((version): version is string => Boolean(version)),
      destinationRule?.spec?.subsets,
    );
    // The Service's pods, selected once per label group: each destination then only checks
    // its subset against the groups.
    const serviceGroups = groups.filter(
      group =>
        (group.namespace || namespace) === namespace && selects(group.labels),
    );
    const podsOf = (subset?: string): number => {
      const subsetLabels = subset
        ? destinationRule?.spec?.subsets?.find(s => s.name === subset)?.labels
        : undefined;
      if (subset && !subsetLabels) {
        return 0; // subset not defined: Envoy has no cluster for it
      }
      let count = 0;
      for (const group of serviceGroups) {
        if (matchesLabels(group.labels, subsetLabels)) count += group.pods.length;
      }
      return count;
    };

    let found = false;
    for (const vs of virtualServices) {
      const vsNamespace = vs.metadata?.namespace ?? namespace;
      const http = vs.spec?.http ?? [];
      const index = findSplitRouteIndex(http);
      const splitRoute = http[index >= 0 ? index : http.length - 1];
      const destinations = splitRoute?.route ?? [];
      const concerns =
        (vs.spec?.hosts ?? []).some(host => isThisService(host, vsNamespace)) ||
        destinations.some(d => isThisService(d.destination.host, vsNamespace));
      if (!concerns) {
        continue;
      }
      found = true;
      const routes = toPercentages(destinations).map(
        ({ destination, percent }) => {
          const route: TrafficRoute = {
            host: destination.destination.host,
            weight: percent,
            podCount: isThisService(destination.destination.host, vsNamespace)
              ? podsOf(destination.destination.subset)
              : 0,
          };
          if (destination.destination.subset)
            route.subset = destination.destination.subset;
          if (destination.destination.port?.number)
            route.port = destination.destination.port.number;
          return route;
        },
      );
      const split: TrafficSplit = {
        host: name,
        service: name,
        namespace,
        virtualService: vs.metadata?.name,
        gateways: vs.spec?.gateways ?? [],
        routes,
        subsets,
        ...rolesOf(service, workloads, vs, destinationRule),
        canaryInProgress: routes.filter(route => route.weight > 0).length > 1,
      };
      if (destinationRule?.metadata?.name)
        split.destinationRule = destinationRule.metadata.name;
      const resilience = resilienceOf(splitRoute, destinationRule);
      if (resilience) split.resilience = resilience;
      splits.push(split);
    }
    if (!found) {
      const split: TrafficSplit = {
        host: name,
        service: name,
        namespace,
        gateways: [],
        routes: [{ host: name, weight: 100, podCount: podsOf() }],
        subsets,
        ...rolesOf(service, workloads, undefined, destinationRule),
        canaryInProgress: false,
      };
      if (destinationRule?.metadata?.name)
        split.destinationRule = destinationRule.metadata.name;
      const resilience = resilienceOf(undefined, destinationRule);
      if (resilience) split.resilience = resilience;
      splits.push(split);
    }
  }
  return splits;
}

/** The resilience settings of a route and a DestinationRule's top-level traffic policy. */
function resilienceOf(
  route: IstioHttpRoute | undefined,
  destinationRule: IstioDestinationRule | undefined,
): TrafficResilience | undefined {
  const policy = destinationRule?.spec?.trafficPolicy;
  const resilience: TrafficResilience = {};
  if (typeof route?.timeout === 'string') resilience.timeout = route.timeout;
  if (route?.retries) resilience.retries = route.retries as HttpRetrySettings;
  if (policy?.outlierDetection)
    resilience.outlierDetection =
      policy.outlierDetection as OutlierDetectionSettings;
  if (policy?.connectionPool)
    resilience.connectionPool = policy.connectionPool as ConnectionPoolSettings;
  return Object.keys(resilience).length > 0 ? resilience : undefined;
}
