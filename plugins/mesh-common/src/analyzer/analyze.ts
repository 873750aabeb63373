import type { Finding } from '../api/findings';
import { authorizationPolicyChecks } from './authorizationChecks';
import { BundleIndex, MeshBundle } from './bundle';
import { gatewayChecks } from './gatewayChecks';
import { injectionChecks } from './injectionChecks';
import { destinationRuleChecks, virtualServiceChecks } from './routingChecks';

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/**
 * Checks one cluster's mesh objects for the handbook's pitfalls and the `istioctl analyze`
 * codes that matter here: IST0101 (also a Gateway selector that matches no pod), IST0102,
 * IST0103, IST0112, IST0118, IST0123, IST0132, IST0127 (AuthorizationPolicy selects no
 * workload), IST0173, IST0174, and ours MESH-002 (VS not linked to Gateway), MESH-003 (short
 * host in another namespace) and MESH-027 (principal of a service account that does not exist).
 * Findings come errors first; `blocking` marks those that break traffic.
 *
 * @public
 */
export function analyze(bundle: MeshBundle): Finding[] {
  const index = new BundleIndex(bundle);
  return [
    ...virtualServiceChecks(index),
    ...destinationRuleChecks(index),
    ...gatewayChecks(index),
    ...injectionChecks(index),
    ...authorizationPolicyChecks(index),
  ].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}
