import {
  Entity,
  RELATION_API_CONSUMED_BY,
  RELATION_DEPENDENCY_OF,
  RELATION_PROVIDES_API,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type {
  AccessCaller,
  CallerDeclaration,
  UnresolvedCaller,
} from '../api/access';
import type { KubePod } from '../kube/types';
import { matchesSelector } from '../labelSelector';
import { podMeshStatus } from '../status/podMeshStatus';
import { InvalidTargetError, resolveMeshTarget } from '../targets';
import { compareCodeUnits, principalOf, serviceAccountOf } from './identity';

/**
 * A catalog entity declared as a caller, with why; `entity` is absent when the catalog did not
 * return it (deleted, or not visible to the user).
 *
 * @public
 */
export interface DeclaredCaller {
  entityRef: string;
  declaredBy: CallerDeclaration[];
  entity?: Entity;
}

/**
 * Refs of the API entities the entity provides (relation `providesApi`, from
 * `spec.providesApis`).
 *
 * @public
 */
export function providedApiRefs(entity: Entity): string[] {
  return [
    ...new Set(
      (entity.relations ?? [])
        .filter(r => r.type === RELATION_PROVIDES_API)
        .map(r => r.targetRef),
    ),
  ];
}

/**
 * The entity's declared callers: entities that depend on it (relation `dependencyOf`, the
 * reverse of their `spec.dependsOn`) and entities that consume an API it provides (relation
 * `apiConsumedBy` on each of `apis`, the reverse of their `spec.consumesApis`). One entry per
 * caller, with every declaration; the entity itself is never its own caller. Sorted by ref.
 *
 * @public
 */
export function declaredCallerRefs(
  entity: Entity,
  apis: Array<Entity | undefined>,
): Array<Omit<DeclaredCaller, 'entity'>> {
  const self = stringifyEntityRef(entity);
  const callers = new Map<string, CallerDeclaration[]>();
  const add = (ref: string, declaration: CallerDeclaration) => {
    if (ref === self) return;
    const list = callers.get(ref) ?? [];
    if (
      !list.some(
        d => d.relation === declaration.relation && d.api === declaration.api,
      )
    ) {
      list.push(declaration);
    }
    callers.set(ref, list);
  };
  for (const relation of entity.relations ?? []) {
    if (relation.type === RELATION_DEPENDENCY_OF) {
      add(relation.targetRef, { relation: 'dependsOn' });
    }
  }
  const provided = new Set(providedApiRefs(entity));
  for (const api of apis) {
    if (!api) continue;
    const apiRef = stringifyEntityRef(api);
    if (!provided.has(apiRef)) continue;
    for (const relation of api.relations ?? []) {
      if (relation.type === RELATION_API_CONSUMED_BY) {
        add(relation.targetRef, { relation: 'consumesApi', api: apiRef });
      }
    }
  }
  return [...callers.entries()]
    .sort(([a], [b]) => compareCodeUnits(a, b))
    .map(([entityRef, declaredBy]) => ({ entityRef, declaredBy }));
}

/**
 * The identities of the declared callers in one cluster: each caller's pods (its
 * `backstage.io/kubernetes-*` annotations), grouped by namespace and service account. A caller
 * without pods here, without the annotations, or missing from the catalog is unresolved, with
 * the reason. Also returns the callers' pods (to tell them from other pods sharing an identity).
 *
 * @public
 */
export function resolveAccessCallers(input: {
  callers: DeclaredCaller[];
  /** Pods of the namespaces the callers run in (more is fine: each caller's selector filters). */
  pods: KubePod[];
  trustDomain: string;
  /** The cluster being planned, to say when a caller runs on other clusters only. */
  cluster?: string;
}): {
  callers: AccessCaller[];
  unresolved: UnresolvedCaller[];
  /** The callers' pods. */
  pods: KubePod[];
} {
  const callers: AccessCaller[] = [];
  const unresolved: UnresolvedCaller[] = [];
  const callerPods = new Set<KubePod>();
  for (const caller of input.callers) {
    const { entityRef, declaredBy } = caller;
    if (!caller.entity) {
      unresolved.push({
        entityRef,
        declaredBy,
        reason: 'not found in the catalog (deleted, or not visible to you)',
      });
      continue;
    }
    let target;
    try {
      target = resolveMeshTarget(caller.entity);
    } catch (error) {
      if (!(error instanceof InvalidTargetError)) throw error;
      unresolved.push({ entityRef, declaredBy, reason: error.message });
      continue;
    }
    if (
      input.cluster &&
      target.clusters &&
      !target.clusters.includes(input.cluster)
    ) {
      unresolved.push({
        entityRef,
        declaredBy,
        reason: `runs on ${target.clusters.join(', ')}, not on ${
          input.cluster
        } (backstage.io/kubernetes-cluster)`,
      });
      continue;
    }
    const pods = input.pods.filter(
      pod =>
        (!target.namespace || pod.metadata?.namespace === target.namespace) &&
        matchesSelector(pod.metadata?.labels, target.selector),
    );
    if (pods.length === 0) {
      unresolved.push({
        entityRef,
        declaredBy,
        reason: `no pod matches ${target.labelSelector} ${
          target.namespace
            ? `in namespace ${target.namespace}`
            : 'in any namespace'
        }`,
      });
      continue;
    }
    const identities = new Map<string, KubePod[]>();
    for (const pod of pods) {
      callerPods.add(pod);
      const key = `${pod.metadata?.namespace ?? ''}/${serviceAccountOf(pod)}`;
      identities.set(key, [...(identities.get(key) ?? []), pod]);
    }
    for (const [key, group] of [...identities].sort(([a], [b]) =>
      compareCodeUnits(a, b),
    )) {
      const [namespace, serviceAccount] = key.split('/');
      const meshedPods = group.filter(pod => {
        const status = podMeshStatus(pod);
        return status.injected || status.ambient;
      }).length;
      callers.push({
        entityRef,
        declaredBy,
        namespace,
        serviceAccount,
        principal: principalOf(input.trustDomain, namespace, serviceAccount),
        hasSidecar: meshedPods === group.length,
        pods: group.length,
        meshedPods,
      });
    }
  }
  return { callers, unresolved, pods: [...callerPods] };
}
