import type { KubePod } from '../kube/types';
import { objectMemo } from './objectMemo';

/**
 * Pods of one namespace with identical labels.
 *
 * @public
 */
export interface PodLabelGroup {
  namespace: string;
  /** The labels every pod of the group carries (those of its first pod). */
  labels: Record<string, string>;
  pods: KubePod[];
}

const keyOfPod = objectMemo<KubePod, string>('mesh-portal.podLabelKey');

/** Namespace and labels as one string; kept per pod object (watch-cache objects are stable). */
function labelKey(pod: KubePod): string {
  let key = keyOfPod.get(pod);
  if (key === undefined) {
    const labels = pod.metadata?.labels ?? {};
    key = JSON.stringify([
      pod.metadata?.namespace ?? '',
      ...Object.keys(labels)
        .sort()
        .flatMap(k => [k, labels[k]]),
    ]);
    keyOfPod.set(pod, key);
  }
  return key;
}

const groupsOfPods = objectMemo<readonly KubePod[], PodLabelGroup[]>('mesh-portal.podLabelGroups');

/**
 * The pods grouped by namespace and labels, in order of first appearance. Every label
 * decision of the status (a workload's selector, a Service's, a subset's, a policy's) is the
 * same for pods with the same labels, and the pods of one ReplicaSet carry the same labels: a
 * workload of 10,000 pods is one group, decided once. Kept per array (a snapshot's pods are
 * grouped once, however many of its decisions ask): the array and the groups must not change.
 *
 * @public
 */
export function podLabelGroups(pods: readonly KubePod[]): PodLabelGroup[] {
  const kept = groupsOfPods.get(pods);
  if (kept) return kept;
  const groups = new Map<string, PodLabelGroup>();
  for (const pod of pods) {
    const key = labelKey(pod);
    const group = groups.get(key);
    if (group) group.pods.push(pod);
    else
      groups.set(key, {
        namespace: pod.metadata?.namespace ?? '',
        labels: pod.metadata?.labels ?? {},
        pods: [pod],
      });
  }
  const result = [...groups.values()];
  groupsOfPods.set(pods, result);
  return result;
}
