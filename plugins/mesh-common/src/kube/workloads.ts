import type { KubeWorkload } from './types';

/**
 * The workload kinds the mesh plugins list, onboard and restart: the pod-template owners that
 * `kubectl rollout restart` handles (it patches
 * `spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]` on exactly these
 * three: kubernetes/kubectl pkg/polymorphichelpers/objectrestarter.go, defaultObjectRestarter).
 *
 * @public
 */
export const WORKLOAD_KINDS = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
] as const;

/**
 * One of {@link WORKLOAD_KINDS}.
 *
 * @public
 */
export type MeshWorkloadKind = (typeof WORKLOAD_KINDS)[number];

/**
 * `Kind/name` of a workload (kind defaults to Deployment, as for objects read without one).
 *
 * @public
 */
export function workloadRef(workload: KubeWorkload): string {
  return `${workload.kind ?? 'Deployment'}/${workload.metadata?.name ?? ''}`;
}

/**
 * Which workloads a request names, and what it names that does not resolve.
 *
 * @public
 */
export interface WorkloadSelection {
  selected: KubeWorkload[];
  /** Names (or `Kind/name`s) that match none of the workloads. */
  unknown: string[];
  /** Bare names that match workloads of several kinds: `Kind/name` tells them apart. */
  ambiguous: Array<{ name: string; matches: string[] }>;
}

/**
 * Resolves workload names from a request against the entity's workloads. An entry is a bare
 * name (`backend`) or `Kind/name` (`StatefulSet/backend`); a bare name that matches workloads of
 * more than one kind is ambiguous (a Deployment and a StatefulSet may share a name). Nothing is
 * guessed: ambiguous and unknown entries select nothing.
 *
 * @public
 */
export function selectWorkloads(
  workloads: KubeWorkload[],
  wanted: string[],
): WorkloadSelection {
  const selected: KubeWorkload[] = [];
  const unknown: string[] = [];
  const ambiguous: WorkloadSelection['ambiguous'] = [];
  for (const entry of wanted) {
    const slash = entry.indexOf('/');
    const kind = slash >= 0 ? entry.slice(0, slash) : undefined;
    const name = slash >= 0 ? entry.slice(slash + 1) : entry;
    const matches = workloads.filter(
      w =>
        w.metadata?.name === name &&
        (kind === undefined || (w.kind ?? 'Deployment') === kind),
    );
    if (matches.length === 0) {
      unknown.push(entry);
    } else if (matches.length > 1) {
      ambiguous.push({ name: entry, matches: matches.map(workloadRef) });
    } else if (!selected.includes(matches[0])) {
      selected.push(matches[0]);
    }
  }
  return { selected, unknown, ambiguous };
}

/**
 * The names to send in a request's `workloads` for these workloads: the bare name where it is
 * unique, `Kind/name` where workloads of several kinds share it (a bare name would be refused
 * as ambiguous).
 *
 * @public
 */
export function workloadRequestNames(
  workloads: Array<{ kind: string; name: string }>,
): string[] {
  return workloads.map(w =>
    workloads.some(other => other.name === w.name && other.kind !== w.kind)
      ? `${w.kind}/${w.name}`
      : w.name,
  );
}
