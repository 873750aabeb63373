import {
  DEFAULT_ROOT_NAMESPACE,
  DEFAULT_TRUST_DOMAIN,
  meshConfigFields,
  meshConfigText,
} from '../kube/meshConfig';
import type { KubeConfigMap, KubePod } from '../kube/types';

/**
 * The mesh-config values that decide workload identities and policy scope.
 *
 * @public
 */
export interface MeshIdentityConfig {
  /** Trust domain of every principal (`cluster.local` unless the mesh config says otherwise). */
  trustDomain: string;
  /** Namespace whose AuthorizationPolicies apply mesh-wide. */
  rootNamespace: string;
}

/**
 * Reads `trustDomain` and `rootNamespace` from Istio's mesh config (the `mesh` key of the
 * `istio` ConfigMap in istiod's namespace), Istio's defaults for what is absent or unreadable.
 *
 * @public
 */
export function meshIdentityConfig(
  configMap: KubeConfigMap | null | undefined,
): MeshIdentityConfig {
  const mesh = meshConfigFields(configMap);
  return {
    trustDomain: meshConfigText(mesh.trustDomain, DEFAULT_TRUST_DOMAIN),
    rootNamespace: meshConfigText(mesh.rootNamespace, DEFAULT_ROOT_NAMESPACE),
  };
}

/**
 * The service account a pod runs as: `spec.serviceAccountName`, else the deprecated
 * `spec.serviceAccount`, else `default` (what the ServiceAccount admission plugin sets).
 *
 * @public
 */
export function serviceAccountOf(pod: KubePod): string {
  const spec = pod.spec as
    | { serviceAccountName?: string; serviceAccount?: string }
    | undefined;
  return spec?.serviceAccountName || spec?.serviceAccount || 'default';
}

/**
 * The principal of a workload identity, as AuthorizationPolicy `source.principals` names it:
 * `<trust domain>/ns/<namespace>/sa/<service account>` (the SPIFFE ID of the workload's
 * certificate without `spiffe://`; istio/istio pilot/pkg/security/authz/model/model.go,
 * `attrSrcPrincipal` "source identity, e.g. cluster.local/ns/default/sa/productpage").
 *
 * @public
 */
export function principalOf(
  trustDomain: string,
  namespace: string,
  serviceAccount: string,
): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/**
 * The parts of an exact principal (`td/ns/<ns>/sa/<sa>`); undefined for patterns (`*`,
 * prefixes, suffixes) and other shapes.
 *
 * @public
 */
export function parsePrincipal(
  principal: string,
):
  | { trustDomain: string; namespace: string; serviceAccount: string }
  | undefined {
  if (principal.includes('*')) return undefined;
  const match = /^([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(principal);
  if (!match) return undefined;
  return {
    trustDomain: match[1],
    namespace: match[2],
    serviceAccount: match[3],
  };
}

/**
 * Sorts and de-duplicates principals (plain code-unit order, so the policy we write is the
 * same for the same callers whatever the order they were found in).
 *
 * @public
 */
export function sortedPrincipals(principals: Iterable<string>): string[] {
  return [...new Set(principals)].sort(compareCodeUnits);
}

/**
 * Plain code-unit order (not locale order), for output that must not depend on the machine.
 *
 * @public
 */
export function compareCodeUnits(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
