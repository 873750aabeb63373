import {
  IstioDestinationRule,
  IstioGateway,
  IstioPeerAuthentication,
  IstioVirtualService,
  KubeNamespace,
  KubePod,
  KubeService,
  KubeWorkload,
  MeshTarget,
  matchesSelector,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { ClusterGateway } from './ClusterGateway';

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
}

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
  const [pods, deployments, services, virtualServices, destinationRules, gateways, peerAuthentications, rootPolicies, namespaceObjects] =
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
    ]);
  const workloads = (deployments as KubeWorkload[]).filter(d =>
    matchesSelector(d.spec?.template?.metadata?.labels ?? {}, target.selector),
  );
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
  };
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
