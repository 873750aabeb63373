import {
  INGRESS_ISTIO_LABEL_VALUES,
  KubePod,
  KubeWorkload,
  LABEL_GATEWAY_NAME,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { ClusterGateway } from './ClusterGateway';

/**
 * The pods and Deployments of any namespace that may be ingress gateways: labelled
 * `istio in (ingressgateway, ingress)` or carrying `istio.io/gateway-name`. Which of them run
 * a router proxy is mesh-common's `ingressGatewayCandidates` to decide. Four list calls by
 * label selector, never a list of every pod.
 */
export async function readIngressGatewayWorkloads(
  gateway: ClusterGateway,
  cluster: string,
): Promise<{ pods: KubePod[]; deployments: KubeWorkload[] }> {
  const selectors = [`istio in (${INGRESS_ISTIO_LABEL_VALUES.join(',')})`, LABEL_GATEWAY_NAME];
  const [pods, deployments] = await Promise.all([
    Promise.all(selectors.map(labelSelector => gateway.list<any>(cluster, 'v1', 'Pod', { labelSelector }))),
    Promise.all(selectors.map(labelSelector => gateway.list<any>(cluster, 'apps/v1', 'Deployment', { labelSelector }))),
  ]);
  return { pods: unique(pods.flat()), deployments: unique(deployments.flat()) };
}

/** Objects listed twice (they match both selectors) once. */
function unique<T extends { metadata?: { namespace?: string; name?: string } }>(objects: T[]): T[] {
  const seen = new Set<string>();
  return objects.filter(o => {
    const key = `${o.metadata?.namespace}/${o.metadata?.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
