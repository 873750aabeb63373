import type { IstioPeerAuthentication, KubeWorkload } from '../kube/types';
import { jsonEqual } from './objects';

/**
 * A workload as the mTLS action targets it: kind (default Deployment), name and the pod labels
 * its PeerAuthentication selects.
 *
 * @public
 */
export interface MtlsWorkload {
  kind?: string;
  name: string;
  labels: Record<string, string>;
}

/**
 * The name of the workload-scope PeerAuthentication the mTLS action writes for a workload, and
 * the one in place if any.
 *
 * Names are per namespace while workloads are per kind, so a Deployment and a StatefulSet
 * `cache` would share a policy named `cache` — and the second plan would take the first's
 * policy over and point its selector at other pods. So:
 * - ours is the policy named `<name>`, `<name>-<kind>` or `<name>-<kind>-<n>` whose
 *   `selector.matchLabels` is exactly the workload's labels (what we write) — this finds the
 *   policies earlier versions named `<name>` for any kind;
 * - a new one is named `<name>` (readable, as before) unless a workload of another kind has
 *   that name in the namespace or a policy of that name selects other pods: then
 *   `<name>-<kind>` (e.g. `cache-statefulset`), numbered if that is taken too.
 *
 * @public
 */
export function workloadPeerAuthentication(input: {
  namespace: string;
  workload: MtlsWorkload;
  peerAuthentications: IstioPeerAuthentication[];
  /** Every workload of the namespace (a name another kind shares gets the kind). */
  namespaceWorkloads?: KubeWorkload[];
}): { name: string; existing?: IstioPeerAuthentication } {
  const { name, labels } = input.workload;
  const kind = input.workload.kind ?? 'Deployment';
  const withKind = `${name}-${kind.toLowerCase()}`;
  const policies = input.peerAuthentications.filter(
    pa => (pa.metadata?.namespace ?? input.namespace) === input.namespace,
  );
  const isOurName = (policyName: string) =>
    policyName === name ||
    policyName === withKind ||
    (policyName.startsWith(`${withKind}-`) &&
      /^\d+$/.test(policyName.slice(withKind.length + 1)));
  const existing = policies.find(
    pa =>
      isOurName(pa.metadata?.name ?? '') &&
      jsonEqual(pa.spec?.selector?.matchLabels ?? {}, labels),
  );
  if (existing) return { name: existing.metadata?.name ?? name, existing };

  const taken = new Set(policies.map(pa => pa.metadata?.name));
  const sharedByAnotherKind = (input.namespaceWorkloads ?? []).some(
    w =>
      w.metadata?.name === name &&
      (w.metadata?.namespace ?? input.namespace) === input.namespace &&
      (w.kind ?? 'Deployment') !== kind,
  );
  if (!sharedByAnotherKind && !taken.has(name)) return { name };
  if (!taken.has(withKind)) return { name: withKind };
  let n = 2;
  while (taken.has(`${withKind}-${n}`)) n++;
  return { name: `${withKind}-${n}` };
}
