import type { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_KUBERNETES_CLUSTER,
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_LABEL_SELECTOR,
  ANNOTATION_KUBERNETES_NAMESPACE,
} from './annotations';
import { isDns1123Label, isLabelValue } from './kube/names';
import {
  LabelSelector,
  LabelSelectorSyntaxError,
  parseLabelSelector,
} from './labelSelector';

/**
 * Where an entity's workloads are in the clusters.
 *
 * @public
 */
export interface MeshTarget {
  /** From `backstage.io/kubernetes-namespace`; absent = search all namespaces. */
  namespace?: string;
  /** Label selector string for the Kubernetes API. */
  labelSelector: string;
  /** The same selector, parsed (for {@link matchesSelector} on listed objects). */
  selector: LabelSelector;
  /** From `backstage.io/kubernetes-cluster`; absent = all configured clusters. */
  clusters?: string[];
}

/**
 * An entity annotation that cannot be turned into a mesh target.
 *
 * @public
 */
export class InvalidTargetError extends Error {
  /** The offending annotation. */
  readonly annotation: string;
  readonly value: string;

  constructor(annotation: string, value: string, reason: string) {
    super(`annotation ${annotation}="${value}" is invalid: ${reason}`);
    this.name = 'InvalidTargetError';
    this.annotation = annotation;
    this.value = value;
  }
}

/**
 * True when the entity says where its workloads are (`backstage.io/kubernetes-id` or
 * `backstage.io/kubernetes-label-selector`): the mesh tab/cards apply to it.
 *
 * @public
 */
export function isMeshAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Boolean(
    annotations[ANNOTATION_KUBERNETES_LABEL_SELECTOR]?.trim() ||
      annotations[ANNOTATION_KUBERNETES_ID]?.trim(),
  );
}

/**
 * Resolves an entity's annotations to a {@link MeshTarget}.
 *
 * The label-selector annotation wins; else `backstage.io/kubernetes-id=<id>`, the Kubernetes
 * plugin's convention. Our catalog entities carry both (`kubernetes-id: backend` and
 * `kubernetes-label-selector: app=backend`) so the Kubernetes plugin and we find the same pods.
 *
 * @throws {@link InvalidTargetError} naming the annotation when it is missing or malformed.
 * @public
 */
export function resolveMeshTarget(entity: Entity): MeshTarget {
  const annotations = entity.metadata.annotations ?? {};
  const target = resolveSelector(annotations);

  const namespace = annotations[ANNOTATION_KUBERNETES_NAMESPACE]?.trim();
  if (namespace !== undefined && namespace !== '') {
    if (!isDns1123Label(namespace)) {
      throw new InvalidTargetError(
        ANNOTATION_KUBERNETES_NAMESPACE,
        namespace,
        'not a DNS-1123 label',
      );
    }
    target.namespace = namespace;
  }

  const clusterValue = annotations[ANNOTATION_KUBERNETES_CLUSTER];
  if (clusterValue !== undefined && clusterValue.trim() !== '') {
    const clusters = clusterValue.split(',').map(cluster => cluster.trim());
    if (clusters.some(cluster => cluster === '')) {
      throw new InvalidTargetError(
        ANNOTATION_KUBERNETES_CLUSTER,
        clusterValue,
        'empty cluster name in list',
      );
    }
    target.clusters = [...new Set(clusters)];
  }
  return target;
}

function resolveSelector(annotations: Record<string, string>): MeshTarget {
  const selectorValue = annotations[ANNOTATION_KUBERNETES_LABEL_SELECTOR];
  if (selectorValue !== undefined && selectorValue.trim() !== '') {
    let selector: LabelSelector;
    try {
      selector = parseLabelSelector(selectorValue);
    } catch (error) {
      if (error instanceof LabelSelectorSyntaxError) {
        throw new InvalidTargetError(
          ANNOTATION_KUBERNETES_LABEL_SELECTOR,
          selectorValue,
          error.message,
        );
      }
      throw error;
    }
    return { labelSelector: selectorValue.trim(), selector };
  }

  const id = annotations[ANNOTATION_KUBERNETES_ID]?.trim();
  if (id === undefined || id === '') {
    throw new InvalidTargetError(
      ANNOTATION_KUBERNETES_ID,
      '',
      `entity has neither ${ANNOTATION_KUBERNETES_ID} nor ${ANNOTATION_KUBERNETES_LABEL_SELECTOR}`,
    );
  }
  if (!isLabelValue(id)) {
    throw new InvalidTargetError(
      ANNOTATION_KUBERNETES_ID,
      id,
      'not a valid label value (at most 63 of a-z, A-Z, 0-9, "-", "_", ".")',
    );
  }
  return {
    labelSelector: `${ANNOTATION_KUBERNETES_ID}=${id}`,
    selector: {
      requirements: [
        { key: ANNOTATION_KUBERNETES_ID, operator: 'Equals', value: id },
      ],
    },
  };
}
