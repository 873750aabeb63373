import type { PodCounts, PodMeshStatus, WorkloadStatus } from '../api/status';

/**
 * Pods the status lists per workload. A workload of thousands of pods is summed up in
 * {@link PodCounts}; listing every pod would make the answer, and the Mesh tab's table, grow
 * with the workload's size (10,000 pods are ~1.8 MB of JSON).
 *
 * @public
 */
export const MAX_LISTED_PODS_PER_WORKLOAD = 100;

/**
 * How much a pod needs its owner's attention: 0 for a running pod without the sidecar its
 * namespace or revision asks for (neither injected, ambient nor opted out), 1 for a pod that is
 * not ready, 2 for an opted-out pod, 3 for the rest.
 */
function attention(pod: PodMeshStatus): number {
  const finished = pod.phase === 'Succeeded' || pod.phase === 'Failed';
  if (!pod.injected && !pod.ambient && !pod.optedOut && !finished) return 0;
  if (!pod.ready && !finished) return 1;
  if (pod.optedOut) return 2;
  return 3;
}

/**
 * The pods to list for one workload and the counts over all of them: at most `limit` pods,
 * those needing attention first, by name within each kind (which of many pods of one kind are
 * listed follows the order given). Linear in the number of pods: no sort of the whole list.
 *
 * @public
 */
export function workloadPods(
  pods: readonly PodMeshStatus[],
  limit: number = MAX_LISTED_PODS_PER_WORKLOAD,
): { pods: PodMeshStatus[]; podCounts: PodCounts } {
  const podCounts: PodCounts = { total: pods.length, ready: 0, meshed: 0, optedOut: 0 };
  const byAttention: PodMeshStatus[][] = [[], [], [], []];
  for (const pod of pods) {
    if (pod.ready) podCounts.ready += 1;
    if (pod.injected || pod.ambient) podCounts.meshed += 1;
    if (pod.optedOut) podCounts.optedOut += 1;
    const bucket = byAttention[attention(pod)];
    if (bucket.length < limit) bucket.push(pod);
  }
  const listed: PodMeshStatus[] = [];
  for (const bucket of byAttention) {
    const room = Math.max(0, limit - listed.length);
    listed.push(...[...bucket].sort((a, b) => a.name.localeCompare(b.name)).slice(0, room));
  }
  return { pods: listed, podCounts };
}

/**
 * Pods with a sidecar (or in ambient mode) and all pods of the given workloads, listed or not.
 *
 * @public
 */
export function meshedPodTotals(workloads: readonly WorkloadStatus[]): {
  meshed: number;
  total: number;
} {
  let meshed = 0;
  let total = 0;
  for (const w of workloads) {
    meshed += w.podCounts.meshed;
    total += w.podCounts.total;
  }
  return { meshed, total };
}
