import type { IstioPeerAuthentication } from '../kube/types';
import { matchesLabels } from '../labelSelector';

/**
 * Istio's order among PeerAuthentications of one level: oldest `creationTimestamp` first, then
 * name, then namespace (istio/istio pilot/pkg/model/config.go `sortConfigByCreationTime`, used by
 * pilot/pkg/model/authentication.go; pilot/pkg/security/authn/policy_applier.go
 * `ComposePeerAuthentication` keeps the first, i.e. oldest, of each level). A policy without a
 * timestamp (not created yet) counts as the newest.
 *
 * @public
 */
export function peerAuthenticationPrecedence(
  a: IstioPeerAuthentication,
  b: IstioPeerAuthentication,
): number {
  const time = (pa: IstioPeerAuthentication) =>
    Date.parse(pa.metadata?.creationTimestamp ?? '') || Number.MAX_SAFE_INTEGER;
  return (
    time(a) - time(b) ||
    compareBytes(a.metadata?.name, b.metadata?.name) ||
    compareBytes(a.metadata?.namespace, b.metadata?.namespace)
  );
}

/**
 * True when a PeerAuthentication has a non-empty `selector.matchLabels`.
 *
 * @public
 */
export function hasWorkloadSelector(pa: IstioPeerAuthentication): boolean {
  return Object.keys(pa.spec?.selector?.matchLabels ?? {}).length > 0;
}

/**
 * The PeerAuthentications of one level, the one Istio uses (`effective`, the oldest) first.
 *
 * - `namespace`: no selector, in `namespace` (for the root namespace this is the mesh level);
 * - `workload`: a selector matching `workloadLabels`, in `namespace` — never in the root
 *   namespace, whose selector policies Istio ignores ("Workload-level policy, aka the one with
 *   selector and not in root namespace", `ComposePeerAuthentication`).
 *
 * @public
 */
export function peerAuthenticationsAtLevel(
  peerAuthentications: IstioPeerAuthentication[],
  level:
    | { scope: 'namespace'; namespace: string }
    | {
        scope: 'workload';
        namespace: string;
        workloadLabels: Record<string, string>;
        rootNamespace?: string;
      },
): { effective?: IstioPeerAuthentication; ignored: IstioPeerAuthentication[] } {
  const candidates = peerAuthentications
    .filter(pa => pa.metadata?.namespace === level.namespace)
    .filter(pa =>
      level.scope === 'namespace'
        ? !hasWorkloadSelector(pa)
        : hasWorkloadSelector(pa) &&
          level.namespace !== (level.rootNamespace ?? 'istio-system') &&
          matchesLabels(level.workloadLabels, pa.spec?.selector?.matchLabels),
    )
    .sort(peerAuthenticationPrecedence);
  const [effective, ...ignored] = candidates;
  return effective ? { effective, ignored } : { ignored };
}

function compareBytes(a = '', b = ''): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
