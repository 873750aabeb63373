import { Entity } from '@backstage/catalog-model';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  DeclaredCaller,
  IstioAuthorizationPolicy,
  IstioGateway,
  KubeConfigMap,
  KubePod,
  KubeService,
  MeshIdentityConfig,
  ServiceExposure,
  declaredCallerRefs,
  formatLabelSelector,
  gatewayPrincipals,
  meshIdentityConfig,
  providedApiRefs,
  resolveMeshTarget,
  serviceExposures,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { ClusterGateway } from '../cluster/ClusterGateway';
import { ClusterSnapshot, ROOT_NAMESPACE } from '../cluster/ClusterSnapshot';

/** Everything the access plan needs beyond the entity's snapshot. */
export interface AccessInputs {
  /** Declared callers (catalog relations) with their entities as the user sees them. */
  callers: DeclaredCaller[];
  /** Every pod of the namespaces the callers run in (all pods when one has no namespace). */
  pods: KubePod[];
  identity: MeshIdentityConfig;
  /** AuthorizationPolicies of the mesh config's root namespace when it is not istio-system. */
  rootPolicies: IstioAuthorizationPolicy[];
  /** Per Service name: the Gateways exposing it, with the principals of their proxies. */
  ingress: Map<string, Array<ServiceExposure & { principals: string[] }>>;
}

/**
 * Gathers the access plan's inputs: the declared callers from the catalog (entities depending
 * on this one, consumers of the APIs it provides), the pods of the callers' namespaces (their
 * service accounts), the mesh config's trust domain and root namespace, and the ingress
 * gateways that route to the Services. Reads are per namespace and per Gateway, never per pod.
 */
export async function gatherAccessInputs(options: {
  gateway: ClusterGateway;
  cluster: string;
  entity: Entity;
  snapshot: ClusterSnapshot;
  services: KubeService[];
  /** Catalog lookup with the user's credentials, in the order asked. */
  loadEntities: (refs: string[]) => Promise<Array<Entity | undefined>>;
  logger: LoggerService;
}): Promise<AccessInputs> {
  const { gateway, cluster, entity, snapshot } = options;
  const apiRefs = providedApiRefs(entity);
  const [apis, identity] = await Promise.all([
    apiRefs.length > 0 ? options.loadEntities(apiRefs) : Promise.resolve([]),
    readIdentity(gateway, cluster, options.logger),
  ]);
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

  const [pods, rootPolicies, ingress] = await Promise.all([
    Promise.all(podLists).then(lists => lists.flat() as KubePod[]),
    identity.rootNamespace === ROOT_NAMESPACE
      ? Promise.resolve([])
      : gateway.list<any>(cluster, 'security.istio.io/v1', 'AuthorizationPolicy', {
          namespace: identity.rootNamespace,
        }),
    readIngress(gateway, cluster, snapshot, options.services, identity.trustDomain),
  ]);
  return { callers, pods, identity, rootPolicies, ingress };
}

/** Trust domain and root namespace from istiod's mesh config; Istio's defaults when unreadable. */
async function readIdentity(
  gateway: ClusterGateway,
  cluster: string,
  logger: LoggerService,
): Promise<MeshIdentityConfig> {
  try {
    const configMap = await gateway.get<any>(cluster, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'istio',
      namespace: ROOT_NAMESPACE,
    });
    return meshIdentityConfig(configMap as KubeConfigMap | null);
  } catch (error) {
    logger.warn(`mesh config of ${cluster} unreadable, assuming Istio's defaults: ${error}`);
    return meshIdentityConfig(null);
  }
}

async function readIngress(
  gateway: ClusterGateway,
  cluster: string,
  snapshot: ClusterSnapshot,
  services: KubeService[],
  trustDomain: string,
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
      // Istio matches a Gateway's selector against proxies of every namespace by default.
      const labelSelector = formatLabelSelector({
        requirements: Object.entries(selector).map(([k, value]) => ({ key: k, operator: 'Equals' as const, value })),
      });
      const pods = await gateway.list<any>(cluster, 'v1', 'Pod', { labelSelector });
      principals.set(key, gatewayPrincipals(object, pods, trustDomain));
    }),
  );
  return new Map(
    [...exposures].map(([service, list]) => [
      service,
      list.map(e => ({ ...e, principals: principals.get(`${e.gateway.namespace}/${e.gateway.name}`) ?? [] })),
    ]),
  );
}
