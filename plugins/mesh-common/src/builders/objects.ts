import {
  ANNOTATION_ENTITY_REF,
  LABEL_MANAGED_BY,
  MANAGED_BY_MESH_PORTAL,
} from '../annotations';
import type { JsonObject, PlannedObject } from '../api/plan';
import type { KubeObject } from '../kube/types';
import { toYaml } from './toYaml';

/** Metadata fields the API server owns; never part of a desired object. */
const SERVER_FIELDS = [
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
];

/**
 * Wraps a Kubernetes object (or patch) as a {@link PlannedObject}.
 *
 * @internal
 */
export function planned(
  object: KubeObject & JsonObject,
  operation: PlannedObject['operation'],
  patchType?: PlannedObject['patchType'],
): PlannedObject {
  const result: PlannedObject = {
    apiVersion: object.apiVersion ?? '',
    kind: object.kind ?? '',
    name: object.metadata?.name ?? '',
    operation,
    object,
    yaml: toYaml([object]),
  };
  if (object.metadata?.namespace) result.namespace = object.metadata.namespace;
  if (patchType) result.patchType = patchType;
  return result;
}

/**
 * Metadata of an object we create: our `managed-by` label (ownership that does not depend on
 * server-side-apply field managers) and, when known, the entity it belongs to.
 *
 * @internal
 */
export function ownedMetadata(
  name: string,
  namespace: string,
  entityRef?: string,
): {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
} {
  const metadata: ReturnType<typeof ownedMetadata> = {
    name,
    namespace,
    labels: { [LABEL_MANAGED_BY]: MANAGED_BY_MESH_PORTAL },
  };
  if (entityRef) {
    metadata.annotations = { [ANNOTATION_ENTITY_REF]: entityRef };
  }
  return metadata;
}

/**
 * A live object turned into a desired one: deep copy without server-owned metadata and status,
 * `apiVersion` upgraded to the version we write (v1beta1 → v1).
 *
 * @internal
 */
export function desiredFromLive<T extends KubeObject>(
  live: T,
  apiVersion: string,
  kind: string,
): T & JsonObject {
  // Items of a list response carry no apiVersion/kind: set both (first, for readable YAML).
  const copy = { apiVersion, kind, ...structuredClone(live) } as T &
    JsonObject & { status?: unknown };
  delete copy.status;
  const metadata = (copy.metadata ?? {}) as Record<string, unknown>;
  for (const field of SERVER_FIELDS) {
    delete metadata[field];
  }
  const annotations = metadata.annotations as
    | Record<string, string>
    | undefined;
  if (annotations) {
    delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    if (Object.keys(annotations).length === 0) delete metadata.annotations;
  }
  copy.metadata = metadata;
  copy.apiVersion = apiVersion;
  copy.kind = kind;
  return copy;
}

/**
 * True when an object carries our `managed-by` label.
 *
 * @public
 */
export function isManagedByMeshPortal(object: KubeObject | undefined): boolean {
  return (
    object?.metadata?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY_MESH_PORTAL
  );
}

/**
 * Structural equality of JSON values (key order ignored).
 *
 * @internal
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null
  )
    return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return (
      a.length === b.length &&
      a.every((item, index) => jsonEqual(item, b[index]))
    );
  }
  const keysA = Object.keys(a as object).filter(
    k => (a as any)[k] !== undefined,
  );
  const keysB = Object.keys(b as object).filter(
    k => (b as any)[k] !== undefined,
  );
  return (
    keysA.length === keysB.length &&
    keysA.every(key => jsonEqual((a as any)[key], (b as any)[key]))
  );
}

/** API versions we write. */
export const NETWORKING_V1 = 'networking.istio.io/v1';
export const SECURITY_V1 = 'security.istio.io/v1';
