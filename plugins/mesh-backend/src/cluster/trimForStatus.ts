import { KubeJson } from './ClusterGateway';

/** Container fields the status reads (istio-proxy detection, proxy version, router args). */
const CONTAINER_FIELDS = ['name', 'image', 'args', 'restartPolicy', 'ports'];

/**
 * Drops from a cached object what no status reads, in place: `managedFields` (read only by the
 * field-manager checks of plans and canary runs, which read live objects), the client-side
 * apply annotation, and for pods volumes and the containers' env, mounts, probes and
 * resources (mesh-common reads a pod's labels, annotations, container names, images, args,
 * restartPolicy, hostNetwork and status). Sets apiVersion/kind, which list items lack.
 */
export function trimForStatus(object: KubeJson, apiVersion: string, kind: string): KubeJson {
  object.apiVersion = apiVersion;
  object.kind = kind;
  const metadata = object.metadata as Record<string, any> | undefined;
  if (metadata) {
    delete metadata.managedFields;
    if (metadata.annotations) delete metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'];
  }
  if (kind === 'Pod' && apiVersion === 'v1') {
    const spec = object.spec as Record<string, any> | undefined;
    if (spec) {
      delete spec.volumes;
      for (const field of ['containers', 'initContainers', 'ephemeralContainers']) {
        if (Array.isArray(spec[field])) spec[field] = spec[field].map(pick);
      }
    }
  }
  return object;
}

function pick(container: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const field of CONTAINER_FIELDS) {
    if (container[field] !== undefined) kept[field] = container[field];
  }
  return kept;
}
