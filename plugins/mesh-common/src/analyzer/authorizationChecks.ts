import { parsePrincipal } from '../access/identity';
import { policyHasTargetRef } from '../access/policies';
import { MeshFindingCodes } from '../api/codes';
import type { Finding } from '../api/findings';
import { matchesLabels } from '../labelSelector';
import type { BundleIndex } from './bundle';

/**
 * IST0127 on AuthorizationPolicies whose selector matches no pod and no Deployment pod template
 * of their namespace (istio/istio pkg/config/analysis/analyzers/authz/authorizationpolicies.go,
 * `analyzeNoMatchingWorkloads`; mesh-wide and selector-less policies are not judged here), and
 * MESH-027 on principals naming a service account that does not exist in a namespace whose
 * ServiceAccounts were read: such a rule matches nobody.
 */
export function authorizationPolicyChecks(index: BundleIndex): Finding[] {
  const { bundle } = index;
  const root = bundle.rootNamespace ?? 'istio-system';
  const findings: Finding[] = [];
  const serviceAccounts = new Map<string, Set<string>>();
  for (const sa of bundle.serviceAccounts ?? []) {
    const ns = sa.metadata?.namespace ?? '';
    serviceAccounts.set(
      ns,
      (serviceAccounts.get(ns) ?? new Set()).add(sa.metadata?.name ?? ''),
    );
  }

  for (const policy of bundle.authorizationPolicies ?? []) {
    const namespace = policy.metadata?.namespace ?? '';
    const resource = {
      kind: 'AuthorizationPolicy',
      name: policy.metadata?.name ?? '',
      namespace,
    };
    const selector = policy.spec?.selector?.matchLabels ?? {};
    if (
      Object.keys(selector).length > 0 &&
      namespace !== root &&
      !policyHasTargetRef(policy) &&
      !selectsWorkload(index, namespace, selector)
    ) {
      const labels = Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      findings.push({
        code: 'IST0127',
        severity: 'warning',
        message: `AuthorizationPolicy ${namespace}/${resource.name} selects no workload: no pod or Deployment in ${namespace} has labels ${labels}.`,
        resource,
        hint: "Fix the selector (pod template labels, not the Deployment's own labels), or delete the policy.",
        blocking: false,
      });
    }

    const missing = new Set<string>();
    for (const rule of policy.spec?.rules ?? []) {
      for (const from of rule.from ?? []) {
        for (const principal of from.source?.principals ?? []) {
          const parts = parsePrincipal(principal);
          const known = parts && serviceAccounts.get(parts.namespace);
          if (parts && known && !known.has(parts.serviceAccount))
            missing.add(principal);
        }
      }
    }
    for (const principal of missing) {
      const parts = parsePrincipal(principal)!;
      findings.push({
        code: MeshFindingCodes.unknownServiceAccountPrincipal,
        severity: 'warning',
        message: `AuthorizationPolicy ${namespace}/${resource.name} names principal ${principal}, but namespace ${parts.namespace} has no ServiceAccount ${parts.serviceAccount}: that source matches no workload.`,
        resource,
        hint: `Use the service account the caller's pods run as (spec.serviceAccountName, "default" when unset).`,
        blocking: false,
      });
    }
  }
  return findings;
}

function selectsWorkload(
  index: BundleIndex,
  namespace: string,
  selector: Record<string, string>,
): boolean {
  const { bundle } = index;
  return (
    bundle.pods.some(
      pod =>
        pod.metadata?.namespace === namespace &&
        matchesLabels(pod.metadata?.labels, selector),
    ) ||
    (bundle.workloads ?? []).some(
      w =>
        w.metadata?.namespace === namespace &&
        matchesLabels(w.spec?.template?.metadata?.labels, selector),
    )
  );
}
