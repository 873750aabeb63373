import type { Finding } from '../api/findings';
import { unservedGatewayFinding } from '../status/ingressGateway';
import type { BundleIndex } from './bundle';

/**
 * IST0101 for each Gateway whose selector matches no pod in the cluster, as Istio's gateway
 * analyzer reports it (see {@link unservedGatewayFinding}). Runs only when the bundle carries
 * `gatewayPods`: unread pods are unknown, not missing.
 */
export function gatewayChecks(index: BundleIndex): Finding[] {
  const pods = index.bundle.gatewayPods;
  if (!pods) return [];
  return index.bundle.gateways
    .map(gateway => unservedGatewayFinding(gateway, pods))
    .filter((finding): finding is Finding => finding !== undefined);
}
