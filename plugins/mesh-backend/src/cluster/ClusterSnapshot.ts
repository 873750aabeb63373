import {
  ClusterSnapshot,
  IstioAuthorizationPolicy,
  IstioGateway,
  KubeNamespace,
  KubePod,
  KubeServiceAccount,
  KubeWorkload,
  MeshTarget,
  WORKLOAD_KINDS,
  matchesSelector,
  meshConfigFromConfigMap,
  meshConfigMapCandidates,
  meshConfigMapName,
  meshIdentityConfig,
  parsePrincipal,
  selectorString,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { ClusterRequestError } from './ClusterGateway';
import { ClusterReader } from './ClusterReader';

/** Where istiod and its meshConfig ConfigMaps (`istio`, `istio-<revision>`) live; also the default root namespace. */
export const ISTIO_NAMESPACE = 'istio-system';

/** At most this many other namespaces are read for principals' service accounts. */
const MAX_PRINCIPAL_NAMESPACES = 10;

const NETWORKING = 'networking.istio.io/v1';
const SECURITY = 'security.istio.io/v1';

/**
 * Reads a {@link ClusterSnapshot}. Lists run in parallel; requests are O(kinds), plus the root
 * namespace's policies when meshConfig names another one than istio-system, one pod list per
 * distinct selector of the namespace's Gateways and the ServiceAccounts of the (few) other
 * namespaces the AuthorizationPolicies' principals name.
 */
export async function readClusterSnapshot(
  gateway: ClusterReader,
  cluster: string,
  target: MeshTarget,
): Promise<ClusterSnapshot> {
  const ns = target.namespace;
  const inScope = { namespace: ns };
  const inIstioNamespace = { namespace: ISTIO_NAMESPACE };
  const [
    pods, workloadLists, services, virtualServices, destinationRules, gateways, peerAuthentications,
    defaultRootPeerAuthentications, namespaceObjects, defaultMeshConfigMap, authorizationPolicies,
    defaultRootAuthorizationPolicies, serviceAccounts,
  ] =
    await Promise.all([
      gateway.list<any>(cluster, 'v1', 'Pod', { namespace: ns, labelSelector: target.labelSelector }),
      Promise.all(WORKLOAD_KINDS.map(kind => gateway.list<any>(cluster, 'apps/v1', kind, inScope))),
      gateway.list<any>(cluster, 'v1', 'Service', inScope),
      gateway.list<any>(cluster, NETWORKING, 'VirtualService', inScope),
      gateway.list<any>(cluster, NETWORKING, 'DestinationRule', inScope),
      gateway.list<any>(cluster, NETWORKING, 'Gateway', inScope),
      gateway.list<any>(cluster, SECURITY, 'PeerAuthentication', inScope),
      // The default root namespace is read alongside; another one named by meshConfig after.
      ns === ISTIO_NAMESPACE
        ? Promise.resolve([])
        : gateway.list<any>(cluster, SECURITY, 'PeerAuthentication', inIstioNamespace),
      ns
        ? gateway.get<any>(cluster, { apiVersion: 'v1', kind: 'Namespace', name: ns }).then(n => (n ? [n] : []))
        : gateway.list<any>(cluster, 'v1', 'Namespace'),
      readMeshConfigMap(gateway, cluster, meshConfigMapName()),
      readable(gateway.list<any>(cluster, SECURITY, 'AuthorizationPolicy', inScope)),
      ns === ISTIO_NAMESPACE
        ? Promise.resolve([])
        : readable(gateway.list<any>(cluster, SECURITY, 'AuthorizationPolicy', inIstioNamespace)),
      readable(gateway.list<any>(cluster, 'v1', 'ServiceAccount', inScope)),
    ]);
  const podNamespaces = new Set((pods as KubePod[]).map(p => p.metadata?.namespace));
  const namespaces = ns
    ? (namespaceObjects as KubeNamespace[])
    : (namespaceObjects as KubeNamespace[]).filter(n => podNamespaces.has(n.metadata?.name));
  const meshConfig = await revisionMeshConfig(gateway, cluster, namespaces, pods, defaultMeshConfigMap);
  const root = meshConfig.rootNamespace;
  let rootPeerAuthentications = defaultRootPeerAuthentications;
  let rootAuthorizationPolicies = defaultRootAuthorizationPolicies;
  if (root !== ISTIO_NAMESPACE) {
    [rootPeerAuthentications, rootAuthorizationPolicies] =
      root === ns
        ? [[], []]
        : await Promise.all([
            gateway.list<any>(cluster, SECURITY, 'PeerAuthentication', { namespace: root }),
            readable(gateway.list<any>(cluster, SECURITY, 'AuthorizationPolicy', { namespace: root })),
          ]);
  }
  const namespaceWorkloads = workloadLists.flat() as KubeWorkload[];
  const workloads = namespaceWorkloads.filter(d =>
    matchesSelector(d.spec?.template?.metadata?.labels ?? {}, target.selector),
  );
  const policies = [...authorizationPolicies, ...rootAuthorizationPolicies] as IstioAuthorizationPolicy[];
  const [gatewayPods, principalAccounts] = await Promise.all([
    readGatewayPods(gateway, cluster, gateways),
    principalServiceAccounts(gateway, cluster, policies, serviceAccounts),
  ]);
  return {
    cluster,
    namespaces,
    pods,
    workloads,
    services,
    virtualServices,
    destinationRules,
    gateways,
    peerAuthentications: [...peerAuthentications, ...rootPeerAuthentications],
    gatewayPods,
    authorizationPolicies: policies,
    serviceAccounts: [...serviceAccounts, ...principalAccounts],
    namespaceWorkloads,
    meshConfig,
  };
}

/**
 * istiod's meshConfig (root namespace, DestinationRule export default, trust domain) for the
 * revision the entity's namespaces use: the first of {@link meshConfigMapCandidates} that
 * exists in istio-system (`istio-<revision>`, else `istio`); Istio's defaults when none is
 * there or the portal may not read them (403), so the status never fails on it. The default
 * revision's ConfigMap is read with the first round.
 */
async function revisionMeshConfig(
  gateway: ClusterReader,
  cluster: string,
  namespaces: KubeNamespace[],
  pods: KubePod[],
  defaultConfigMap: MeshConfigMap,
): Promise<ClusterSnapshot['meshConfig']> {
  let configMap = defaultConfigMap;
  for (const name of meshConfigMapCandidates(namespaces, pods)) {
    if (name === meshConfigMapName()) break;
    const revisionConfigMap = await readMeshConfigMap(gateway, cluster, name);
    if (revisionConfigMap) {
      configMap = revisionConfigMap;
      break;
    }
  }
  return { ...meshConfigFromConfigMap(configMap), ...meshIdentityConfig(configMap) };
}

type MeshConfigMap = { data?: Record<string, string> } | null;

/** One meshConfig ConfigMap of istio-system; null when absent or not readable (403). */
async function readMeshConfigMap(gateway: ClusterReader, cluster: string, name: string): Promise<MeshConfigMap> {
  try {
    return await gateway.get<any>(cluster, { apiVersion: 'v1', kind: 'ConfigMap', name, namespace: ISTIO_NAMESPACE });
  } catch (error) {
    if (!(error instanceof ClusterRequestError && error.statusCode === 403)) throw error;
    return null;
  }
}

/**
 * Pods of any namespace that the Gateways select, one list per distinct selector, so the
 * analyzer can report a Gateway no proxy serves (an empty selector selects every pod and is
 * not listed).
 */
async function readGatewayPods(gateway: ClusterReader, cluster: string, gateways: IstioGateway[]): Promise<KubePod[]> {
  const selectors = [
    ...new Set(
      gateways
        .map(g => g.spec?.selector ?? {})
        .filter(selector => Object.keys(selector).length > 0)
        .map(selectorString),
    ),
  ];
  const lists = await Promise.all(
    selectors.map(labelSelector => gateway.list<any>(cluster, 'v1', 'Pod', { labelSelector })),
  );
  return lists.flat();
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
  gateway: ClusterReader,
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
