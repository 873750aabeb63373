import type { PodMeshStatus } from '../api/status';
import type { KubeContainer, KubePod } from '../kube/types';
import { objectMemo } from './objectMemo';
import { LABEL_DATAPLANE_MODE, LABEL_ISTIO_REV } from './namespaceInjection';

/**
 * Name of Istio's sidecar container.
 *
 * @public
 */
export const ISTIO_PROXY_CONTAINER = 'istio-proxy';
/**
 * Pod label (and deprecated annotation) opting a pod in (`true`) or out (`false`).
 *
 * @public
 */
export const LABEL_SIDECAR_INJECT = 'sidecar.istio.io/inject';
/**
 * Annotation the injector writes (JSON with `revision`, containers, volumes).
 *
 * @public
 */
export const ANNOTATION_SIDECAR_STATUS = 'sidecar.istio.io/status';
/**
 * Annotation overriding the proxy image.
 *
 * @public
 */
export const ANNOTATION_PROXY_IMAGE = 'sidecar.istio.io/proxyImage';
/**
 * Annotation set on pods the ambient CNI redirects.
 *
 * @public
 */
export const ANNOTATION_AMBIENT_REDIRECTION = 'ambient.istio.io/redirection';

/**
 * Finds the `istio-proxy` container: a classic sidecar in `containers`, or a native sidecar
 * (init container with `restartPolicy: Always`).
 *
 * @public
 */
export function findIstioProxy(
  pod: Pick<KubePod, 'spec'>,
): { container: KubeContainer; native: boolean } | undefined {
  const native = pod.spec?.initContainers?.find(
    c => c.name === ISTIO_PROXY_CONTAINER && c.restartPolicy === 'Always',
  );
  if (native) {
    return { container: native, native: true };
  }
  const classic = pod.spec?.containers?.find(
    c => c.name === ISTIO_PROXY_CONTAINER,
  );
  return classic ? { container: classic, native: false } : undefined;
}

/**
 * The tag of an image reference (`docker.io/istio/proxyv2:1.24.2-distroless` → `1.24.2`),
 * without digest and without the `-distroless` / `-debug` variant suffix.
 *
 * @public
 */
export function imageVersion(image: string | undefined): string | undefined {
  if (!image) {
    return undefined;
  }
  const withoutDigest = image.split('@')[0];
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  if (colon < 0) {
    return undefined;
  }
  return (
    lastSegment.slice(colon + 1).replace(/-(distroless|debug)$/, '') ||
    undefined
  );
}

const statusOfPod = objectMemo<KubePod, PodMeshStatus>('mesh-portal.podMeshStatus');

/**
 * Mesh state of one pod from its manifest.
 *
 * The backend's watch cache hands out the same pod object until the pod changes (a change is a
 * new object), and one status reads every pod of an entity twice (its table and the analyzer):
 * the answer is kept per pod object, so a 10,000-pod workload is derived once, not per request.
 * Pod objects are never changed in place here; the returned status is shared, so read-only.
 *
 * @public
 */
export function podMeshStatus(pod: KubePod): PodMeshStatus {
  let status = statusOfPod.get(pod);
  if (!status) {
    status = derivePodMeshStatus(pod);
    statusOfPod.set(pod, status);
  }
  return status;
}

function derivePodMeshStatus(pod: KubePod): PodMeshStatus {
  const labels = pod.metadata?.labels ?? {};
  const annotations = pod.metadata?.annotations ?? {};
  const proxy = findIstioProxy(pod);
  const injected = proxy !== undefined;

  const optInLabel =
    labels[LABEL_SIDECAR_INJECT] ?? annotations[LABEL_SIDECAR_INJECT];
  const optedOut =
    optInLabel === 'false' || labels[LABEL_DATAPLANE_MODE] === 'none';

  const status: PodMeshStatus = {
    name: pod.metadata?.name ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    ready:
      pod.status?.conditions?.some(
        c => c.type === 'Ready' && c.status === 'True',
      ) ?? false,
    injected,
    nativeSidecar: proxy?.native ?? false,
    optedOut,
    ambient:
      !injected && annotations[ANNOTATION_AMBIENT_REDIRECTION] === 'enabled',
  };
  if (injected) {
    const version = imageVersion(
      annotations[ANNOTATION_PROXY_IMAGE] ?? proxy.container.image,
    );
    if (version) {
      status.proxyVersion = version;
    }
    const revision =
      annotations[LABEL_ISTIO_REV] ??
      revisionFromSidecarStatus(annotations[ANNOTATION_SIDECAR_STATUS]);
    if (revision) {
      status.revision = revision;
    }
  }
  return status;
}

function revisionFromSidecarStatus(
  value: string | undefined,
): string | undefined {
  if (!value) {
    return undefined;
  }
  try {
    const parsed = JSON.parse(value) as { revision?: unknown };
    return typeof parsed.revision === 'string' && parsed.revision
      ? parsed.revision
      : undefined;
  } catch {
    return undefined;
  }
}
