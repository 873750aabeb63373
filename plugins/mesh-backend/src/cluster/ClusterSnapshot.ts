import {
  ClusterSnapshot,
  IstioGateway,
  KubeNamespace,
  KubePod,
  KubeWorkload,
  MeshConfigView,
  MeshTarget,
  WORKLOAD_KINDS,
  matchesSelector,
  meshConfigFromConfigMap,
  selectorString,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { ClusterGateway, ClusterRequestError } from './ClusterGateway';

/** Where istiod and its `istio` ConfigMap (meshConfig) live; also the default root namespace. */
export const ISTIO_NAMESPACE = 'istio-system';

const NETWORKING = 'networking.istio.io/v1';
const SECURITY = 'security.istio.io/v1';

/**
 * Reads a {@link ClusterSnapshot}. Lists run in parallel; requests are O(kinds), plus one pod
 * list per distinct selector of the namespace's Gateways.
 */
export async function readClusterSnapshot(
  gateway: ClusterGateway,
  cluster: string,
  target: MeshTarget,
): Promise<ClusterSnapshot> {
  const ns = target.namespace;
  const inScope = { namespace: ns };
  const [pods, workloadLists, services, virtualServices, destinationRules, gateways, peerAuthentications, defaultRootPolicies, namespaceObjects, meshConfig] =
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
        : gateway.list<any>(cluster, SECURITY, 'PeerAuthentication', { namespace: ISTIO_NAMESPACE }),
      ns
        ? gateway.get<any>(cluster, { apiVersion: 'v1', kind: 'Namespace', name: ns }).then(n => (n ? [n] : []))
        : gateway.list<any>(cluster, 'v1', 'Namespace'),
      readMeshConfig(gateway, cluster),
    ]);
  const root = meshConfig.rootNamespace;
  let rootPolicies = defaultRootPolicies;
  if (root !== ISTIO_NAMESPACE) {
    rootPolicies = root === ns ? [] : await gateway.list<any>(cluster, SECURITY, 'PeerAuthentication', { namespace: root });
  }
  const workloads = (workloadLists.flat() as KubeWorkload[]).filter(d =>
    matchesSelector(d.spec?.template?.metadata?.labels ?? {}, target.selector),
  );
  // Pods of any namespace that the Gateways select, one list per distinct selector, so the
  // analyzer can report a Gateway no proxy serves (an empty selector selects every pod and is
  // not listed).
  const gatewaySelectors = [
    ...new Set(
      (gateways as IstioGateway[])
        .map(g => g.spec?.selector ?? {})
        .filter(selector => Object.keys(selector).length > 0)
        .map(selectorString),
    ),
  ];
  const gatewayPods = (
    await Promise.all(
      gatewaySelectors.map(labelSelector => gateway.list<any>(cluster, 'v1', 'Pod', { labelSelector })),
    )
  ).flat() as KubePod[];
  const podNamespaces = new Set((pods as KubePod[]).map(p => p.metadata?.namespace));
  const namespaces = ns
    ? (namespaceObjects as KubeNamespace[])
    : (namespaceObjects as KubeNamespace[]).filter(n => podNamespaces.has(n.metadata?.name));
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
    gatewayPods,
    meshConfig,
  };
}

/**
 * istiod's meshConfig from its `istio` ConfigMap in istio-system; Istio's defaults when it is
 * absent or not readable by the portal (403), so the status never fails on it.
 */
export async function readMeshConfig(gateway: ClusterGateway, cluster: string): Promise<MeshConfigView> {
  try {
    const configMap = await gateway.get<any>(cluster, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'istio',
      namespace: ISTIO_NAMESPACE,
    });
    return meshConfigFromConfigMap(configMap);
  } catch (error) {
    if (error instanceof ClusterRequestError && error.statusCode === 403) return meshConfigFromConfigMap();
    throw error;
  }
}
