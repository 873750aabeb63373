import type { MeshIdentityConfig } from '../access/identity';
import type { MeshBundle } from '../analyzer/bundle';
import type { MeshConfigView } from '../status/destinationRuleLookup';
import { podLabelGroups } from '../status/podLabelGroups';
import type {
  IstioAuthorizationPolicy,
  IstioPeerAuthentication,
  KubePod,
  KubeService,
  KubeServiceAccount,
  KubeWorkload,
} from './types';

/**
 * Everything the status, the plans and the analyzer need about one entity in one cluster, as
 * the backend reads it (one list call per kind, never per pod): the analyzer's
 * {@link MeshBundle} (the entity's namespaces, their Services and Istio objects, the entity's
 * pods) plus the cluster's name, the access reads (AuthorizationPolicies, ServiceAccounts,
 * every workload of the namespaces) and istiod's meshConfig. The one snapshot shape: the
 * backend fills it, the pure functions of this package read it.
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
  /** Pods of any namespace that the namespaces' Gateways select (by each Gateway's selector). */
  gatewayPods: KubePod[];
  /** AuthorizationPolicies of the entity's namespaces and of the root namespace. */
  authorizationPolicies: IstioAuthorizationPolicy[];
  /**
   * ServiceAccounts of the entity's namespaces and of the (few) other namespaces the policies'
   * principals name, so a principal of a missing service account can be told.
   */
  serviceAccounts: KubeServiceAccount[];
  /**
   * Every Deployment, StatefulSet and DaemonSet of the entity's namespaces (whether a policy
   * selects any workload at all), each with its `kind`.
   */
  namespaceWorkloads: KubeWorkload[];
  /**
   * istiod's meshConfig as far as we follow it: root namespace, DestinationRule export
   * default, trust domain (principals).
   */
  meshConfig: MeshConfigView & MeshIdentityConfig;
}

/**
 * What the analyzer (`analyze`) reads of a snapshot: every workload of the namespaces (a
 * policy that selects another workload there does select one) and meshConfig's root namespace.
 *
 * @public
 */
export function snapshotBundle(snapshot: ClusterSnapshot): MeshBundle {
  return {
    ...snapshot,
    workloads: snapshot.namespaceWorkloads,
    rootNamespace: snapshot.meshConfig.rootNamespace,
  };
}

/**
 * The snapshot's Services that select the entity's pods (or its workloads' pod templates).
 *
 * @public
 */
export function entityServices(snapshot: ClusterSnapshot): KubeService[] {
  // One label set per group of pods with the same labels (10,000 pods of a ReplicaSet are one).
  const labelSets = [
    ...podLabelGroups(snapshot.pods).map(group => group.labels),
    ...snapshot.workloads.map(w => w.spec?.template?.metadata?.labels ?? {}),
  ];
  return snapshot.services.filter(service => {
    const selector = service.spec?.selector ?? {};
    const keys = Object.keys(selector);
    if (keys.length === 0) return false;
    return labelSets.some(labels => keys.every(k => labels[k] === selector[k]));
  });
}
