import type { NamespaceInjection } from '../api/status';
import type { KubeNamespace } from '../kube/types';

/**
 * Namespace/pod label: `enabled` injects the default revision, `disabled` opts out.
 *
 * @public
 */
export const LABEL_ISTIO_INJECTION = 'istio-injection';
/**
 * Namespace/pod label naming the revision to inject.
 *
 * @public
 */
export const LABEL_ISTIO_REV = 'istio.io/rev';
/**
 * Namespace/pod label: `ambient` enrolls in ambient mode, `none` opts out.
 *
 * @public
 */
export const LABEL_DATAPLANE_MODE = 'istio.io/dataplane-mode';

const INJECTION_LABELS = [
  LABEL_ISTIO_INJECTION,
  LABEL_ISTIO_REV,
  LABEL_DATAPLANE_MODE,
];

/**
 * How a namespace injects its pods, from its labels.
 *
 * `istio-injection` wins over `istio.io/rev`, which wins over `istio.io/dataplane-mode`
 * (the webhooks' namespace selectors); more than one of them is reported as `conflict`
 * (istioctl's IST0123).
 *
 * @public
 */
export function namespaceInjection(
  namespace: KubeNamespace,
): NamespaceInjection {
  const allLabels = namespace.metadata?.labels ?? {};
  const labels: Record<string, string> = {};
  for (const key of INJECTION_LABELS) {
    if (allLabels[key] !== undefined) {
      labels[key] = allLabels[key];
    }
  }

  const injection = labels[LABEL_ISTIO_INJECTION];
  const revision = labels[LABEL_ISTIO_REV];
  const dataplaneMode = labels[LABEL_DATAPLANE_MODE];

  let result: NamespaceInjection;
  if (injection !== undefined) {
    result = { mode: injection === 'enabled' ? 'sidecar' : 'disabled', labels };
  } else if (revision !== undefined && revision !== '') {
    result = { mode: 'revision', revision, labels };
  } else if (dataplaneMode === 'ambient') {
    result = { mode: 'ambient', labels };
  } else {
    result = { mode: 'none', labels };
  }

  const present = Object.keys(labels);
  if (present.length > 1) {
    let winner = LABEL_DATAPLANE_MODE;
    if (injection !== undefined) {
      winner = LABEL_ISTIO_INJECTION;
    } else if (revision) {
      winner = LABEL_ISTIO_REV;
    }
    result.conflict = `more than one injection label (${present.join(
      ', ',
    )}); ${winner} wins`;
  }
  return result;
}
