import { ANNOTATION_STABLE_SUBSET } from '../annotations';
import type { CanaryPreset } from '../api/actions';
import { serviceOfHost } from '../kube/hosts';
import { findSplitRouteIndex } from '../kube/splitRoute';
import type {
  IstioDestinationRule,
  IstioHttpRouteDestination,
  IstioSubset,
  IstioVirtualService,
  KubeService,
  KubeWorkload,
} from '../kube/types';
import { matchesLabels } from '../labelSelector';
import { toPercentages } from './percentages';
import { versionSubsets } from './versionSubsets';

/**
 * Input of {@link canaryRoles}.
 *
 * @public
 */
export interface CanaryRolesInput {
  service: KubeService;
  /** Workloads of the namespace; those the Service selects are its versions. */
  workloads: KubeWorkload[];
  /** The VirtualService that routes the service (the split is in its first catch-all route). */
  existingVirtualService?: IstioVirtualService;
  /** The DestinationRule that defines the service's subsets. */
  existingDestinationRule?: IstioDestinationRule;
  /** Pod label naming the version (default `version`). */
  versionLabel?: string;
  /** Stable subset the user named; else chosen as described at {@link canaryRoles}. */
  stable?: string;
  /** Canary subset the user named; else the newest other running version. */
  canary?: string;
}

/**
 * The versions of a service and the parts they play in a canary, as the canary plan sees them.
 *
 * @public
 */
export interface CanaryRoles {
  /** The workloads the Service selects. */
  serviceWorkloads: KubeWorkload[];
  /** Workloads without the version label: no subset can select them. */
  unversioned: KubeWorkload[];
  /** The DestinationRule's subsets, then one per version no subset selects yet. */
  subsets: IstioSubset[];
  /** Names of the subsets added for versions no subset selected. */
  addedSubsets: string[];
  /** Subsets that select a workload with replicas, in version order. */
  liveSubsets: string[];
  /** Index of the split route in the VirtualService (-1: none). */
  splitIndex: number;
  /** The split route's destinations now. */
  oldDestinations: IstioHttpRouteDestination[];
  /** Percent per subset of this service in the split route now. */
  current: Map<string, number>;
  stable?: string;
  canary?: string;
  /** True when `host` (in the VirtualService's namespace) names this service. */
  isThisService: (host: string) => boolean;
  /** True when a subset selects a workload with replicas. */
  runningPods: (subset: IstioSubset | undefined) => boolean;
}

/**
 * Who is stable and who is canary, and which subsets exist or will: the one derivation the
 * canary plan acts on and the status shows, so the Mesh tab's presets are the plan's own.
 *
 * Stable: the subset named by the user, else the one an earlier edit recorded on the
 * VirtualService (annotation, while it still runs), else the subset carrying most traffic now
 * (ties: the older version), else the oldest running version. Canary: the subset named by the
 * user, else the newest running version other than stable.
 *
 * @public
 */
export function canaryRoles(input: CanaryRolesInput): CanaryRoles {
  const versionLabel = input.versionLabel ?? 'version';
  const serviceName = input.service.metadata?.name ?? '';
  const namespace = input.service.metadata?.namespace ?? '';
  const selector = input.service.spec?.selector ?? {};

  const serviceWorkloads = input.workloads.filter(
    w =>
      Object.keys(selector).length > 0 &&
      (w.metadata?.namespace ?? namespace) === namespace &&
      matchesLabels(w.spec?.template?.metadata?.labels, selector),
  );
  const versions = new Set<string>();
  const unversioned: KubeWorkload[] = [];
  for (const workload of serviceWorkloads) {
    const version = workload.spec?.template?.metadata?.labels?.[versionLabel];
    if (version) versions.add(version);
    else unversioned.push(workload);
  }

  // Subsets: keep existing ones, add one per version no subset selects yet.
  const existingSubsets = input.existingDestinationRule?.spec?.subsets ?? [];
  const subsets: IstioSubset[] = existingSubsets.map(s => structuredClone(s));
  const addedSubsets: string[] = [];
  for (const { name, version } of versionSubsets(
    versions,
    existingSubsets,
    versionLabel,
  )) {
    if (subsets.some(s => s.name === name)) continue;
    subsets.push({ name, labels: { [versionLabel]: version } });
    addedSubsets.push(name);
  }
  const runningPods = (subset: IstioSubset | undefined) =>
    subset !== undefined &&
    serviceWorkloads.some(
      w =>
        matchesLabels(w.spec?.template?.metadata?.labels, subset.labels) &&
        (w.spec?.replicas ?? 1) > 0,
    );
  const liveSubsets = subsets
    .filter(s => runningPods(s))
    .map(s => s.name)
    .sort(byVersion);

  // The route now carrying the split.
  const existingVs = input.existingVirtualService;
  const vsNamespace = existingVs?.metadata?.namespace ?? namespace;
  const existingHttp = existingVs?.spec?.http ?? [];
  const splitIndex = findSplitRouteIndex(existingHttp);
  const oldDestinations =
    splitIndex >= 0 ? existingHttp[splitIndex].route ?? [] : [];
  const isThisService = (host: string) => {
    const target = serviceOfHost(host, vsNamespace);
    return target?.name === serviceName && target.namespace === namespace;
  };
  const current = new Map<string, number>();
  for (const { destination, percent } of toPercentages(oldDestinations)) {
    const subset = destination.destination.subset;
    if (isThisService(destination.destination.host) && subset) {
      current.set(subset, (current.get(subset) ?? 0) + percent);
    }
  }

  const recordedStable =
    existingVs?.metadata?.annotations?.[ANNOTATION_STABLE_SUBSET];
  const stable =
    input.stable ??
    (recordedStable && liveSubsets.includes(recordedStable)
      ? recordedStable
      : undefined) ??
    [...current.entries()].sort(
      (a, b) => b[1] - a[1] || byVersion(a[0], b[0]),
    )[0]?.[0] ??
    liveSubsets[0];
  const canary =
    input.canary ?? [...liveSubsets].reverse().find(s => s !== stable);

  const roles: CanaryRoles = {
    serviceWorkloads,
    unversioned,
    subsets,
    addedSubsets,
    liveSubsets,
    splitIndex,
    oldDestinations,
    current,
    isThisService,
    runningPods,
  };
  if (stable) roles.stable = stable;
  if (canary) roles.canary = canary;
  return roles;
}

/**
 * The weights each canary preset sets, given the roles: `90/10` and `50/50` split stable /
 * canary, `promote` sends everything to the canary, `rollback` everything to stable. A preset
 * that needs a role nobody plays is absent.
 *
 * @public
 */
export function canaryPresetWeights(roles: {
  stable?: string;
  canary?: string;
}): Partial<Record<CanaryPreset, Record<string, number>>> {
  const { stable, canary } = roles;
  const presets: Partial<Record<CanaryPreset, Record<string, number>>> = {};
  if (stable && canary) {
    presets['90/10'] = { [stable]: 90, [canary]: 10 };
    presets['50/50'] = { [stable]: 50, [canary]: 50 };
    presets.promote = { [canary]: 100 };
  }
  if (stable) presets.rollback = { [stable]: 100 };
  return presets;
}

/** Natural version order (`v2` before `v10`). */
function byVersion(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
