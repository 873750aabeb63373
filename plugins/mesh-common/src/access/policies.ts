import type { AccessPolicyMode, ServiceAccessStatus } from '../api/access';
import type { IstioAuthorizationPolicy, KubeService } from '../kube/types';
import { matchesLabels } from '../labelSelector';
import { DEFAULT_ROOT_NAMESPACE } from '../kube/meshConfig';
import { sortedPrincipals } from './identity';

/**
 * Annotation that makes Istio evaluate an ALLOW or DENY AuthorizationPolicy as Envoy shadow
 * rules: logged and counted (`…rbac.istio_dry_run_allow_.shadow_denied`), never enforced
 * (istio.io docs, tasks/security/authorization/authz-dry-run).
 *
 * @public
 */
export const ANNOTATION_ISTIO_DRY_RUN = 'istio.io/dry-run';

/**
 * The name of the policy the `access` action writes for a Service.
 *
 * @public
 */
export function accessPolicyName(service: string): string {
  return `${service}-allow-declared-callers`;
}

/**
 * An AuthorizationPolicy's action; absent means ALLOW (istio/api
 * security/v1beta1/authorization.proto, `Action`: "ALLOW ... is the default").
 *
 * @public
 */
export function authorizationAction(
  policy: IstioAuthorizationPolicy,
): 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM' {
  return policy.spec?.action ?? 'ALLOW';
}

/** The values Go's `strconv.ParseBool` reads as true. */
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/**
 * True when the policy is in dry-run mode. istiod reads the annotation with Go's
 * `strconv.ParseBool` and treats anything it cannot parse as false, i.e. enforced
 * (istio/istio pilot/pkg/security/authz/builder/builder.go, `isDryRun`).
 *
 * @public
 */
export function isDryRunPolicy(policy: IstioAuthorizationPolicy): boolean {
  const value = policy.metadata?.annotations?.[ANNOTATION_ISTIO_DRY_RUN];
  return value !== undefined && GO_TRUE.has(value);
}

/**
 * `none` without a policy, `dry-run` or `enforced` with one.
 *
 * @public
 */
export function accessPolicyMode(
  policy: IstioAuthorizationPolicy | undefined | null,
): AccessPolicyMode {
  if (!policy) return 'none';
  return isDryRunPolicy(policy) ? 'dry-run' : 'enforced';
}

/**
 * Every `source.principals` entry of the policy's rules, sorted.
 *
 * @public
 */
export function policyPrincipals(policy: IstioAuthorizationPolicy): string[] {
  return sortedPrincipals(
    (policy.spec?.rules ?? []).flatMap(rule =>
      (rule.from ?? []).flatMap(from => from.source?.principals ?? []),
    ),
  );
}

/**
 * True when the policy names a target (`targetRef` / `targetRefs`: a Gateway, waypoint or
 * Service) instead of a workload selector; sidecars do not apply such policies.
 *
 * @public
 */
export function policyHasTargetRef(policy: IstioAuthorizationPolicy): boolean {
  const spec = policy.spec as
    | { targetRef?: unknown; targetRefs?: unknown[] }
    | undefined;
  return Boolean(spec?.targetRef) || (spec?.targetRefs?.length ?? 0) > 0;
}

/**
 * The AuthorizationPolicies a sidecar workload gets: those of the root namespace and of the
 * workload's namespace whose `selector.matchLabels` is a subset of the workload's labels (no
 * selector: every workload of that namespace, or of the mesh for the root namespace). Policies
 * with a `targetRef` are for gateways and waypoints and are left out. Mirrors istio/istio
 * pilot/pkg/model/authorization.go, `ListAuthorizationPolicies`.
 *
 * @public
 */
export function policiesApplyingTo(
  policies: IstioAuthorizationPolicy[],
  workload: {
    namespace: string;
    labels: Record<string, string>;
    rootNamespace?: string;
  },
): IstioAuthorizationPolicy[] {
  const root = workload.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  return policies.filter(policy => {
    const namespace = policy.metadata?.namespace;
    if (namespace !== root && namespace !== workload.namespace) return false;
    if (policyHasTargetRef(policy)) return false;
    return matchesLabels(workload.labels, policy.spec?.selector?.matchLabels);
  });
}

/**
 * The access policy of each Service as it is live: found by its name
 * ({@link accessPolicyName}) in the Service's namespace.
 *
 * @public
 */
export function serviceAccessStatuses(
  services: KubeService[],
  policies: IstioAuthorizationPolicy[],
): ServiceAccessStatus[] {
  return services.map(service => {
    const name = service.metadata?.name ?? '';
    const namespace = service.metadata?.namespace ?? '';
    const policyName = accessPolicyName(name);
    const live = policies.find(
      p =>
        p.metadata?.name === policyName && p.metadata?.namespace === namespace,
    );
    return {
      service: name,
      namespace,
      policyName,
      mode: accessPolicyMode(live),
      allowedPrincipals: live ? policyPrincipals(live) : [],
    };
  });
}
