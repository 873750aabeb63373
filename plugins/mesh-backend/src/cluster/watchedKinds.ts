/** A kind the status cache keeps an informer of, per cluster. */
export interface WatchedKind {
  apiVersion: string;
  kind: string;
  /** REST path the informer lists and watches (all namespaces unless `namespace`). */
  path: string;
  /** Only this namespace is watched (the rest is read live). */
  namespace?: string;
}

const ISTIO_NAMESPACE = 'istio-system';

function kind(apiVersion: string, name: string, plural: string, namespace?: string): WatchedKind {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const scope = namespace ? `/namespaces/${namespace}` : '';
  return { apiVersion, kind: name, path: `${base}${scope}/${plural}`, namespace };
}

/**
 * Exactly the kinds `readClusterSnapshot` reads. ConfigMaps only in istio-system: the status
 * reads istiod's meshConfig there, and every ConfigMap of a cluster would be a lot of memory.
 */
export const WATCHED_KINDS: WatchedKind[] = [
  kind('v1', 'Pod', 'pods'),
  kind('v1', 'Service', 'services'),
  kind('v1', 'Namespace', 'namespaces'),
  kind('v1', 'ServiceAccount', 'serviceaccounts'),
  kind('v1', 'ConfigMap', 'configmaps', ISTIO_NAMESPACE),
  kind('apps/v1', 'Deployment', 'deployments'),
  kind('apps/v1', 'StatefulSet', 'statefulsets'),
  kind('apps/v1', 'DaemonSet', 'daemonsets'),
  kind('networking.istio.io/v1', 'VirtualService', 'virtualservices'),
  kind('networking.istio.io/v1', 'DestinationRule', 'destinationrules'),
  kind('networking.istio.io/v1', 'Gateway', 'gateways'),
  kind('security.istio.io/v1', 'PeerAuthentication', 'peerauthentications'),
  kind('security.istio.io/v1', 'AuthorizationPolicy', 'authorizationpolicies'),
];

/** The watched kind of `apiVersion` + `kind`, if any. */
export function watchedKind(apiVersion: string, kindName: string): WatchedKind | undefined {
  return WATCHED_KINDS.find(k => k.apiVersion === apiVersion && k.kind === kindName);
}
