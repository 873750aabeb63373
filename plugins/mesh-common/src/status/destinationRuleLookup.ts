import { fullyQualifiedHost } from '../kube/hosts';
import {
  DEFAULT_ROOT_NAMESPACE,
  meshConfigFields,
  meshConfigText,
} from '../kube/meshConfig';
import type {
  IstioDestinationRule,
  IstioSubset,
  IstioTrafficPolicy,
} from '../kube/types';

/**
 * The parts of Istio's MeshConfig the mesh plugins follow.
 *
 * @public
 */
export interface MeshConfigView {
  /** `rootNamespace`: mesh-wide policies and DestinationRules live there. */
  rootNamespace: string;
  /** `defaultDestinationRuleExportTo` (`*` when unset; only `.` and `*` are honoured). */
  defaultDestinationRuleExportTo: string[];
}

/**
 * MeshConfig from istiod's `istio` ConfigMap (`data.mesh`, YAML), with Istio's defaults for
 * what it does not set or when it cannot be read.
 *
 * @public
 */
export function meshConfigFromConfigMap(
  configMap?: { data?: Record<string, string> } | null,
): MeshConfigView {
  const mesh = meshConfigFields(configMap);
  const exportTo = mesh.defaultDestinationRuleExportTo;
  return {
    rootNamespace: meshConfigText(mesh.rootNamespace, DEFAULT_ROOT_NAMESPACE),
    defaultDestinationRuleExportTo:
      Array.isArray(exportTo) && exportTo.length > 0
        ? exportTo.map(String)
        : ['*'],
  };
}

/**
 * A DestinationRule, by namespace and name.
 *
 * @public
 */
export interface DestinationRuleRef {
  name: string;
  namespace: string;
}

/**
 * The DestinationRule Istio applies to one host for proxies of one namespace: one or more
 * rules of the same namespace and host merged, as `PushContext.mergeDestinationRule` does.
 *
 * @public
 */
export interface ConsolidatedDestinationRule {
  /** The rule's host as Istio reads it (short names expanded), exact or wildcard. */
  host: string;
  /** The namespace the rule(s) live in. */
  namespace: string;
  /** How the caller's proxy found it (Istio's lookup order, first hit wins). */
  via: 'caller-namespace' | 'service-namespace' | 'root-namespace';
  /** The merged rules, in Istio's order (selector first, then oldest). */
  from: DestinationRuleRef[];
  /** Applies only to the caller namespace's workloads these labels select. */
  workloadSelector?: Record<string, string>;
  /** The top-level policy: the first merged rule that has one (later ones are ignored). */
  trafficPolicy?: IstioTrafficPolicy;
  /** The rule the top-level policy comes from. */
  trafficPolicyFrom?: DestinationRuleRef;
  /** Subsets of all merged rules, the first of each name kept, with the rule it comes from. */
  subsets: Array<IstioSubset & { from: DestinationRuleRef }>;
}

interface IndexedRule {
  rule: IstioDestinationRule;
  ref: DestinationRuleRef;
  host: string;
  selector?: Record<string, string>;
  exportTo: Set<string>;
}

interface Consolidated {
  entry: Omit<ConsolidatedDestinationRule, 'via'>;
  exportTo: Set<string>;
}

/** host → consolidated rules for that host, per namespace index. */
type HostIndex = Map<string, Consolidated[]>;

const isWildcard = (host: string) => host.startsWith('*');

/**
 * Istio's `sortConfigBySelectorAndCreationTime`: rules with a workload selector first, then by
 * creation time, name, namespace.
 */
function compareRules(a: IndexedRule, b: IndexedRule): number {
  if (a.selector && !b.selector) return -1;
  if (!a.selector && b.selector) return 1;
  const ta = Date.parse(a.rule.metadata?.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.rule.metadata?.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  if (a.ref.name !== b.ref.name) return a.ref.name < b.ref.name ? -1 : 1;
  if (a.ref.namespace === b.ref.namespace) return 0;
  return a.ref.namespace < b.ref.namespace ? -1 : 1;
}

const sameSelector = (
  a: Record<string, string> | undefined,
  b: Record<string, string> | undefined,
) =>
  Object.keys(a ?? {}).length === Object.keys(b ?? {}).length &&
  Object.entries(a ?? {}).every(([k, v]) => b?.[k] === v);

/**
 * `PushContext.mergeDestinationRule` (istio/istio pilot/pkg/model/destination_rule.go): a rule
 * for a host already indexed is merged into each existing entry it may merge with — subsets
 * of new names appended, the top-level traffic policy taken only where the entry has none,
 * `exportTo` only where the entry has none — and becomes an entry of its own unless both have
 * no selector or both the same selector. Entries with different selectors never merge.
 */
function mergeInto(index: HostIndex, rule: IndexedRule): void {
  const subsetsOf = (r: IndexedRule) =>
    (r.rule.spec?.subsets ?? []).map(s => ({ ...s, from: r.ref }));
  const existing = index.get(rule.host);
  if (existing) {
    let addAsNew = true;
    for (const consolidated of existing) {
      const entry = consolidated.entry;
      const bothWithoutSelector = !rule.selector && !entry.workloadSelector;
      const bothWithSelector = !!rule.selector && !!entry.workloadSelector;
      const selectorsMatch = sameSelector(
        rule.selector,
        entry.workloadSelector,
      );
      if (bothWithSelector && !selectorsMatch) continue;
      if (bothWithoutSelector || (rule.selector && selectorsMatch)) {
        addAsNew = false;
      }
      entry.from.push(rule.ref);
      for (const subset of subsetsOf(rule)) {
        if (!entry.subsets.some(s => s.name === subset.name)) {
          entry.subsets.push(subset);
        }
      }
      if (!entry.trafficPolicy && rule.rule.spec?.trafficPolicy) {
        entry.trafficPolicy = rule.rule.spec.trafficPolicy;
        entry.trafficPolicyFrom = rule.ref;
      }
      if (consolidated.exportTo.size === 0 && rule.exportTo.size > 0) {
        consolidated.exportTo = new Set(rule.exportTo);
      }
    }
    if (!addAsNew) return;
  }
  const entry: Consolidated = {
    entry: {
      host: rule.host,
      namespace: rule.ref.namespace,
      from: [rule.ref],
      subsets: subsetsOf(rule),
    },
    exportTo: new Set(rule.exportTo),
  };
  if (rule.selector) entry.entry.workloadSelector = rule.selector;
  if (rule.rule.spec?.trafficPolicy) {
    entry.entry.trafficPolicy = rule.rule.spec.trafficPolicy;
    entry.entry.trafficPolicyFrom = rule.ref;
  }
  index.set(rule.host, [...(existing ?? []), entry]);
}

/**
 * `MostSpecificHostMatch` (istio/istio pilot/pkg/model/config.go): the exact host first, else
 * the longest wildcard whose suffix the host ends with (`*` matches every host).
 */
function mostSpecific(
  index: HostIndex | undefined,
  host: string,
): Consolidated[] | undefined {
  if (!index) return undefined;
  const exact = index.get(host);
  if (exact) return exact;
  let best: string | undefined;
  for (const candidate of index.keys()) {
    if (!isWildcard(candidate)) continue;
    if (!host.endsWith(candidate.slice(1))) continue;
    if (best === undefined || candidate.length > best.length) best = candidate;
  }
  return best === undefined ? undefined : index.get(best);
}

/**
 * Istio's DestinationRule indexes for a set of rules (`PushContext.setDestinationRules`,
 * istio/istio pilot/pkg/model/push_context.go).
 *
 * @public
 */
export class DestinationRuleIndex {
  /** Per namespace: the rules visible to proxies of that namespace (public and private). */
  private readonly namespaceLocal = new Map<string, HostIndex>();
  /** Per namespace: the rules it exports to other namespaces. */
  private readonly exportedByNamespace = new Map<string, HostIndex>();
  /** Private (`exportTo: .`) rules of the root namespace. */
  private readonly rootNamespaceLocal: HostIndex = new Map();

  constructor(
    destinationRules: IstioDestinationRule[],
    readonly meshConfig: MeshConfigView = meshConfigFromConfigMap(),
  ) {
    const rules = destinationRules
      .map((rule): IndexedRule => {
        const namespace = rule.metadata?.namespace ?? '';
        const selector = rule.spec?.workloadSelector?.matchLabels;
        return {
          rule,
          ref: { name: rule.metadata?.name ?? '', namespace },
          host: fullyQualifiedHost(rule.spec?.host ?? '', namespace),
          // Rules with a workload selector are never exported.
          selector,
          exportTo: new Set(selector ? ['.'] : rule.spec?.exportTo ?? []),
        };
      })
      .sort(compareRules);
    const defaultsPrivate =
      meshConfig.defaultDestinationRuleExportTo.includes('.') &&
      !meshConfig.defaultDestinationRuleExportTo.includes('*');
    for (const rule of rules) {
      const ns = rule.ref.namespace;
      const exportTo = rule.exportTo;
      if (
        exportTo.size === 0 ||
        exportTo.has('*') ||
        exportTo.has('.') ||
        exportTo.has(ns)
      ) {
        mergeInto(this.indexOf(this.namespaceLocal, ns), rule);
      }
      const privateOnly =
        (exportTo.size === 0 && defaultsPrivate) ||
        (exportTo.size === 1 && (exportTo.has('.') || exportTo.has(ns)));
      if (!privateOnly) {
        mergeInto(this.indexOf(this.exportedByNamespace, ns), rule);
      } else if (ns === meshConfig.rootNamespace) {
        mergeInto(this.rootNamespaceLocal, rule);
      }
    }
  }

  /**
   * The rule(s) Istio applies to traffic from proxies of `callerNamespace` to `host` (a
   * fully qualified service host in `serviceNamespace`): `PushContext.destinationRule`, which
   * stops at the first hit of
   * 1. the caller's own namespace (for proxies of the root namespace: its private rules),
   * 2. the service's namespace, rules exported to the caller,
   * 3. the root namespace, rules exported to the caller.
   * Several entries come back when rules with workload selectors exist: the sidecar scope then
   * takes the one whose selector matches the proxy, else the one without selector
   * (`SidecarScope.DestinationRule`, pilot/pkg/model/sidecar.go) — so workloads a selector
   * does not match get none at all when every entry has a selector. Empty = no rule (auto
   * mTLS).
   */
  forCaller(
    host: string,
    serviceNamespace: string,
    callerNamespace: string,
  ): ConsolidatedDestinationRule[] {
    const root = this.meshConfig.rootNamespace;
    const local =
      callerNamespace !== root
        ? mostSpecific(this.namespaceLocal.get(callerNamespace), host)
        : mostSpecific(this.rootNamespaceLocal, host);
    if (local) return local.map(c => ({ ...c.entry, via: 'caller-namespace' }));
    for (const [namespace, via] of [
      [serviceNamespace, 'service-namespace'],
      [root, 'root-namespace'],
    ] as const) {
      const exported = (
        mostSpecific(this.exportedByNamespace.get(namespace), host) ?? []
      ).filter(
        c =>
          c.exportTo.size === 0 ||
          c.exportTo.has('*') ||
          c.exportTo.has(callerNamespace),
      );
      if (exported.length > 0) return exported.map(c => ({ ...c.entry, via }));
    }
    return [];
  }

  private indexOf(map: Map<string, HostIndex>, namespace: string): HostIndex {
    let index = map.get(namespace);
    if (!index) {
      index = new Map();
      map.set(namespace, index);
    }
    return index;
  }
}

/**
 * Every `tls` setting of a (consolidated) DestinationRule with where it sits: the top-level
 * policy, each subset's, and their `portLevelSettings` (a port-level `tls` overrides the
 * policy's for that port: istio/api networking/v1alpha3/destination_rule.proto,
 * TrafficPolicy.port_level_settings "port level settings will override the destination-level
 * settings"), each with the rule it comes from.
 *
 * @public
 */
export function destinationRuleTlsSettings(
  rule: Pick<
    ConsolidatedDestinationRule,
    'trafficPolicy' | 'trafficPolicyFrom' | 'subsets'
  >,
): Array<{
  where: string;
  mode?: string;
  from?: DestinationRuleRef;
}> {
  const ofPolicy = (
    where: string,
    policy: IstioTrafficPolicy | undefined,
    from: DestinationRuleRef | undefined,
  ) => [
    { where, mode: policy?.tls?.mode, from },
    ...(policy?.portLevelSettings ?? []).map(setting => ({
      where: `${where}.portLevelSettings[port ${setting.port?.number ?? '?'}]`,
      mode: setting.tls?.mode,
      from,
    })),
  ];
  return [
    ...ofPolicy('trafficPolicy', rule.trafficPolicy, rule.trafficPolicyFrom),
    ...rule.subsets.flatMap(s =>
      ofPolicy(`subsets[${s.name}].trafficPolicy`, s.trafficPolicy, s.from),
    ),
  ];
}
