import { Entity } from '@backstage/catalog-model';
import {
  ClusterSnapshot,
  DeclaredCaller,
  IstioGateway,
  KubePod,
  KubeService,
  ServiceExposure,
  declaredCallerRefs,
  gatewayPrincipals,
  matchesLabels,
  providedApiRefs,
  resolveMeshTarget,
  selectorString,
  serviceExposures,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { ClusterGateway } from '../cluster/ClusterGateway';

/**
 * Everything the access plan needs beyond the entity's snapshot (which holds the mesh config's
 * trust domain and root namespace, and the root namespace's AuthorizationPolicies).
 */
export interface AccessInputs {
  /** Declared callers (catalog relations) with their entities as the user sees them. */
  callers: DeclaredCaller[];
  /** Every pod of the namespaces the callers run in (all pods when one has no namespace). */
  pods: KubePod[];
  /** Per Service name: the Gateways exposing it, with the principals of their proxies. */
  ingress: Map<string, Array<ServiceExposure & { principals: string[] }>>;
}

/**
 * Gathers the access plan's inputs: the declared callers from the catalog (entities depending
 * on this one, consumers of the APIs it provides), the pods of the callers' namespaces (their
 * service accounts), and the ingress gateways that route to the Services. Reads are per
 * namespace and per Gateway, never per pod.
 */
export async function gatherAccessInputs(options: {
  gateway: ClusterGateway;
  cluster: string;
  entity: Entity;
  snapshot: ClusterSnapshot;
  services: KubeService[];
  /** Catalog lookup with the user's credentials, in the order asked. */
  loadEntities: (refs: string[]) => Promise<Array<Entity | undefined>>;
}): Promise<AccessInputs> {
  const { gateway, cluster, entity, snapshot } = options;
  const apiRefs = providedApiRefs(entity);
  const apis = apiRefs.length > 0 ? await options.loadEntities(apiRefs) : [];
  const refs = declaredCallerRefs(entity, apis);
  const entities = refs.length > 0 ? await options.loadEntities(refs.map(r => r.entityRef)) : [];
  const callers: DeclaredCaller[] = refs.map((ref, i) => ({ ...ref, entity: entities[i] }));

  // One list per namespace the callers run in; a caller without namespace means all pods.
  const namespaces = new Set<string | undefined>();
  for (const caller of callers) {
    if (!caller.entity) continue;
    try {
      namespaces.add(resolveMeshTarget(caller.entity).namespace);
    } catch {
      // No Kubernetes annotations: reported as unresolved by the plan.
    }
  }
  const podLists = namespaces.has(undefined)
    ? [gateway.list<any>(cluster, 'v1', 'Pod')]
    : [...namespaces].map(namespace => gateway.list<any>(cluster, 'v1', 'Pod', { namespace }));

  const [pods, ingress] = await Promise.all([
    Promise.all(podLists).then(lists => lists.flat() as KubePod[]),
    readIngress(gateway, cluster, snapshot, options.services),
  ]);
  return { callers, pods, ingress };
}

async function readIngress(
  gateway: ClusterGateway,
  cluster: string,
  snapshot: ClusterSnapshot,
  services: KubeService[],
): Promise<AccessInputs['ingress']> {
  const exposures = new Map(
    services.map(service => [service.metadata?.name ?? '', serviceExposures(service, snapshot.virtualServices)]),
  );
  const gatewayKeys = new Set(
    [...exposures.values()].flat().map(e => `${e.gateway.namespace}/${e.gateway.name}`),
  );
  const principals = new Map<string, string[]>();
  await Promise.all(
    [...gatewayKeys].map(async key => {
      const [namespace, name] = key.split('/');
      const object: IstioGateway | null =
        snapshot.gateways.find(g => g.metadata?.name === name && g.metadata?.namespace === namespace) ??
        (await gateway.get<any>(cluster, { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', name, namespace }));
      const selector = object?.spec?.selector ?? {};
      if (!object || Object.keys(selector).length === 0) {
        principals.set(key, []);
        return;
      }
      // Istio matches a Gateway's selector against proxies of every namespace by default; the
      // snapshot holds those of its own namespace's Gateways.
      const pods = snapshot.gateways.includes(object)
        ? snapshot.gatewayPods.filter(p => matchesLabels(p.metadata?.labels, selector))
        : await gateway.list<any>(cluster, 'v1', 'Pod', { labelSelector: selectorString(selector) });
      principals.set(key, gatewayPrincipals(object, pods, snapshot.meshConfig.trustDomain));
    }),
  );
  return new Map(
    [...exposures].map(([service, list]) => [
      service,
      list.map(e => ({ ...e, principals: principals.get(`${e.gateway.namespace}/${e.gateway.name}`) ?? [] })),
    ]),
  );
}
