import { Entity, RELATION_DEPENDENCY_OF, parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  KubePod,
  MtlsCaller,
  matchesSelector,
  podMeshStatus,
  resolveMeshTarget,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { ClusterGateway } from '../cluster/ClusterGateway';

/**
 * Who calls the entity's Services, for the STRICT gate. Two sources:
 * - the catalog: entities that depend on this one (`dependencyOf` relations);
 * - the cluster: pods whose container environment names one of the Services' hosts
 *   (`svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`), the way the handbook's
 *   frontend finds its backend. Without telemetry this is the evidence a cluster holds.
 * A caller counts as injected when every one of its pods has a proxy (sidecar or ambient).
 */
export async function findCallers(options: {
  gateway: ClusterGateway;
  cluster: string;
  entity: Entity;
  serviceNames: string[];
  namespace: string;
  loadEntity: (ref: string) => Promise<Entity | undefined>;
}): Promise<MtlsCaller[]> {
  const { gateway, cluster, entity, serviceNames, namespace } = options;
  const self = stringifyEntityRef(entity);
  const callers = new Map<string, MtlsCaller>();

  const allPods = await gateway.list<any>(cluster, 'v1', 'Pod');
  const byWorkload = (pods: KubePod[]) => {
    const groups = new Map<string, KubePod[]>();
    for (const pod of pods) {
      const labels = pod.metadata?.labels ?? {};
      const key = `${pod.metadata?.namespace}/${labels.app ?? (pod.metadata as any)?.generateName?.replace(/-[a-z0-9]+-$/, '') ?? pod.metadata?.name}`;
      groups.set(key, [...(groups.get(key) ?? []), pod]);
    }
    return groups;
  };
  const injected = (pods: KubePod[]) =>
    pods.length > 0 && pods.every(p => {
      const s = podMeshStatus(p);
      return s.injected || s.ambient;
    });

  // Catalog: dependents of this entity.
  const dependents = (entity.relations ?? [])
    .filter(r => r.type === RELATION_DEPENDENCY_OF)
    .map(r => r.targetRef)
    .filter(ref => ref !== self);
  for (const ref of dependents) {
    const caller = await options.loadEntity(ref);
    if (!caller) continue;
    let pods: KubePod[] = [];
    try {
      const target = resolveMeshTarget(caller);
      pods = (allPods as KubePod[]).filter(
        p =>
          (!target.namespace || p.metadata?.namespace === target.namespace) &&
          matchesSelector(p.metadata?.labels ?? {}, target.selector),
      );
    } catch {
      // A dependent without Kubernetes annotations has no pods we can judge.
    }
    if (pods.length === 0) continue;
    const name = parseEntityRef(ref).name;
    callers.set(`${pods[0].metadata?.namespace}/${name}`, {
      name,
      namespace: pods[0].metadata?.namespace ?? '',
      injected: injected(pods),
      source: 'catalog',
    });
  }

  // Cluster: pods whose environment names one of our hosts.
  const hostPattern = new RegExp(
    `(^|[^a-z0-9-])(${serviceNames.map(escape).join('|')})(\\.${escape(namespace)}(\\.svc(\\.cluster\\.local)?)?)?([^a-z0-9.-]|$)`,
  );
  const mentions = (pod: KubePod) =>
    [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c: any) =>
      ((c.env ?? []) as Array<{ value?: string }>).some(e => {
        const value = e.value ?? '';
        if (!hostPattern.test(value)) return false;
        // A bare short name only resolves inside the same namespace.
        return pod.metadata?.namespace === namespace || value.includes(`.${namespace}`);
      }),
    );
  for (const [key, pods] of byWorkload((allPods as KubePod[]).filter(mentions))) {
    const [ns, name] = key.split('/');
    if (serviceNames.includes(name) && ns === namespace) continue; // the service itself
    const existing = callers.get(key);
    callers.set(key, {
      name,
      namespace: ns,
      injected: injected(pods),
      source: existing?.source ?? 'cluster',
    });
  }
  return [...callers.values()];
}

function escape(value: string) {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
