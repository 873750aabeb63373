import {
  IstioAuthorizationPolicy,
  IstioDestinationRule,
  IstioGateway,
  IstioPeerAuthentication,
  IstioVirtualService,
  KubeNamespace,
  KubePod,
  KubeService,
  KubeServiceAccount,
  KubeWorkload,
  MeshTarget,
  matchesSelector,
  parsePrincipal,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { ClusterGateway, ClusterRequestError } from './ClusterGateway';

/** Istio's root namespace: mesh-wide PeerAuthentications live there. */
export const ROOT_NAMESPACE = 'istio-system';

/**
 * Everything the status, plans and the analyzer need about one entity in one cluster,
 * read with one list call per kind (never per pod).
 */
export interface ClusterSnapshot {
  cluster: string;
  /** The namespaces the entity's workloads live in. */
  namespaces: KubeNamespace[];
  /** The entity's pods (the target's label selector). */
  pods: KubePod[];
  /** The entity's Deployments (pod template labels match the selector). */
  workloads: KubeWorkload[];
  /** All Services of those namespaces (the analyzer resolves hosts against them). */
  services: KubeService[];
  virtualServices: IstioVirtualService[];
  destinationRules: IstioDestinationRule[];
  gateways: IstioGateway[];
  /** PeerAuthentications of those namespaces and of the root namespace. */
  peerAuthentications: IstioPeerAuthentication[];
  /** AuthorizationPolicies of those namespaces and of the root namespace. */
  authorizationPolicies: IstioAuthorizationPolicy[];
  /**
   * ServiceAccounts of those namespaces and of the (few) other namespaces the policies'
   * principals name, so a principal of a missing service account can be told.
   */
  serviceAccounts: KubeServiceAccount[];
  /** Every Deployment of those namespaces (whether a policy selects any workload). */
  namespaceWorkloads: KubeWorkload[];
}

/** At most this many other namespaces are read for principals' service accounts. */
const MAX_PRINCIPAL_NAMESPACES = 10;

const NETWORKING = 'networking.istio.io/v1';
const SECURITY = 'security.istio.io/v1';

/** Reads a {@link ClusterSnapshot}. Lists run in parallel; requests are O(kinds). */
export async function readClusterSnapshot(
  gateway: ClusterGateway,
  cluster: string,
  target: MeshTarget,
): Promise<ClusterSnapshot> {
  const ns = target.namespace;
  const inScope = { namespace: ns };
  const [
    pods, deployments, services, virtualServices, destinationRules, gateways, peerAuthentications, rootPolicies,
    namespaceObjects, authorizationPolicies, rootAuthorizationPolicies, serviceAccounts,
  ] =
    await Promise.all([
      gateway.list<any>(cluster, 'v1', 'Pod', { namespace: ns, labelSelector: target.labelSelector }),
      gateway.list<any>(cluster, 'apps/v1', 'Deployment', inScope),
      gateway.list<any>(cluster, 'v1', 'Service', inScope),
      gateway.list<any>(cluster, NETWORKING, 'VirtualService', inScope),
      gateway.list<any>(cluster, NETWORKING, 'DestinationRule', inScope),
      gateway.list<any>(cluster, NETWORKING, 'Gateway', inScope),
      gateway.list<any>(cluster, SECURITY, 'PeerAuthentication', inScope),
      ns === ROOT_NAMESPACE
        ? Promise.resolve([])
        : gateway.list<any>(cluster, SECURITY, 'PeerAuthentication', { namespace: ROOT_NAMESPACE }),
      ns
        ? gateway.get<any>(cluster, { apiVersion: 'v1', kind: 'Namespace', name: ns }).then(n => (n ? [n] : []))
        : gateway.list<any>(cluster, 'v1', 'Namespace'),
      readable(gateway.list<any>(cluster, SECURITY, 'AuthorizationPolicy', inScope)),
      ns === ROOT_NAMESPACE
        ? Promise.resolve([])
        : readable(gateway.list<any>(cluster, SECURITY, 'AuthorizationPolicy', { namespace: ROOT_NAMESPACE })),
      readable(gateway.list<any>(cluster, 'v1', 'ServiceAccount', inScope)),
    ]);
  const workloads = (deployments as KubeWorkload[]).filter(d =>
    matchesSelector(d.spec?.template?.metadata?.labels ?? {}, target.selector),
  );
  const podNamespaces = new Set((pods as KubePod[]).map(p => p.metadata?.namespace));
  const namespaces = ns
    ? (namespaceObjects as KubeNamespace[])
    : (namespaceObjects as KubeNamespace[]).filter(n => podNamespaces.has(n.metadata?.name));
  const policies = [...authorizationPolicies, ...rootAuthorizationPolicies] as IstioAuthorizationPolicy[];
  return {
    cluster,
    namespaces,
    pods,
    workloads,
    services,
    virtualServices,
    destinationRules,
    gateways,
    peerAuthentications: [...peerAuthentications, ...rootPolicies],
    authorizationPolicies: policies,
    serviceAccounts: [
      ...serviceAccounts,
      ...(await principalServiceAccounts(gateway, cluster, policies, serviceAccounts)),
    ],
    namespaceWorkloads: deployments,
  };
}

/**
 * A list the status can do without: the status worked before it read AuthorizationPolicies and
 * ServiceAccounts, so a cluster role that does not grant them (403) reads as having none
 * rather than failing the whole status.
 */
async function readable<T>(list: Promise<T[]>): Promise<T[]> {
  try {
    return await list;
  } catch (error) {
    if (error instanceof ClusterRequestError && error.statusCode === 403) return [];
    throw error;
  }
}

/** ServiceAccounts of the other namespaces the policies' principals name (a second round). */
async function principalServiceAccounts(
  gateway: ClusterGateway,
  cluster: string,
  policies: IstioAuthorizationPolicy[],
  known: KubeServiceAccount[],
): Promise<KubeServiceAccount[]> {
  const read = new Set(known.map(sa => sa.metadata?.namespace));
  const wanted = new Set<string>();
  for (const policy of policies) {
    for (const rule of policy.spec?.rules ?? []) {
      for (const from of rule.from ?? []) {
        for (const principal of from.source?.principals ?? []) {
          const namespace = parsePrincipal(principal)?.namespace;
          if (namespace && !read.has(namespace)) wanted.add(namespace);
        }
      }
    }
  }
  const lists = await Promise.all(
    [...wanted]
      .slice(0, MAX_PRINCIPAL_NAMESPACES)
      .map(namespace => readable(gateway.list<any>(cluster, 'v1', 'ServiceAccount', { namespace }))),
  );
  return lists.flat();
}

/** The snapshot's Services that select the entity's pods (or its workloads' pod templates). */
export function entityServices(snapshot: ClusterSnapshot): KubeService[] {
  const labelSets = [
    ...snapshot.pods.map(p => p.metadata?.labels ?? {}),
    ...snapshot.workloads.map(w => w.spec?.template?.metadata?.labels ?? {}),
  ];
  return snapshot.services.filter(service => {
    const selector = service.spec?.selector ?? {};
    const keys = Object.keys(selector);
    if (keys.length === 0) return false;
    return labelSets.some(labels => keys.every(k => labels[k] === selector[k]));
  });
}
