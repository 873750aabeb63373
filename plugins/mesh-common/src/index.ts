/**
 * Isomorphic core of the mesh plugins: HTTP contract types, annotations and target resolution,
 * permissions, status derivations, manifest builders, the analyzer and Kiali links. No I/O.
 *
 * @packageDocumentation
 */

export * from './api';
export * from './kube/names';
export * from './annotations';
export * from './permissions';
export * from './labelSelector';
export * from './targets';
export * from './status';
export * from './kube/types';
export * from './kube/hosts';
export * from './kube/splitRoute';
export * from './kube/workloads';
export * from './kube/snapshot';
export {
  DEFAULT_ROOT_NAMESPACE,
  DEFAULT_TRUST_DOMAIN,
} from './kube/meshConfig';
export * from './kube/durations';
export * from './kube/canaryController';
export * from './kube/fieldManagers';
export * from './builders';
export * from './analyzer';
export * from './kiali';
export * from './health';
export * from './access';
