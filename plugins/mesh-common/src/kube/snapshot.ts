import type { MeshBundle } from '../analyzer/bundle';
import type { MeshConfigView } from '../status/destinationRuleLookup';
import type {
  IstioPeerAuthentication,
  KubeService,
  KubeWorkload,
} from './types';

/**
 * Everything the status, the plans and the analyzer need about one entity in one cluster, as
 * the backend reads it (one list call per kind, never per pod): the analyzer's
 * {@link MeshBundle} (the entity's namespaces, their Services and Istio objects, the entity's
 * pods) plus the cluster's name. The one snapshot shape: the backend fills it, the pure
 * functions of this package read it.
 *
 * @public
 */
export interface ClusterSnapshot extends MeshBundle {
  cluster: string;
  /**
   * The entity's Deployments, StatefulSets and DaemonSets (pod-template labels match the
   * selector), each with its `kind`.
   */
  workloads: KubeWorkload[];
  /** PeerAuthentications of the entity's namespaces and of the root namespace. */
  peerAuthentications: IstioPeerAuthentication[];
  /** istiod's meshConfig as far as we follow it (root namespace, DR export default). */
  meshConfig: MeshConfigView;
}

/**
 * The snapshot's Services that select the entity's pods (or its workloads' pod templates).
 *
 * @public
 */
export function entityServices(snapshot: ClusterSnapshot): KubeService[] {
  const labelSets = [
    ...snapshot.pods.map(p => p.metadata?.labels ?? {}),
    ...snapshot.workloads.map(w => w.spec?.template?.metadata?.labels ?? {}),
  ];
  return snapshot.services.filter(service => {
    const selector = service.spec?.selector ?? {};
    const keys = Object.keys(selector);
    if (keys.length === 0) return false;
    return labelSets.some(labels => keys.every(k => labels[k] === selector[k]));
  });
}
