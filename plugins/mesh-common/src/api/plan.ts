import type { MeshActionName, MeshActionRequest } from './actions';
import type { Finding, ResourceRef } from './findings';
import type { MtlsMode } from './status';

/**
 * A plain JSON object (a Kubernetes manifest or patch body).
 *
 * @public
 */
export type JsonObject = { [key: string]: unknown };

/**
 * How the backend carries out a {@link PlannedObject}:
 * - `apply`: server-side apply of the whole object (we own it)
 * - `patch`: merge patch of a few fields on an object someone else owns (labels, a port)
 * - `restart`: rollout restart (patch of the pod template's `restartedAt` annotation)
 * - `delete`: delete an object we own; `object` carries its name and, in
 *   `metadata.uid` / `metadata.resourceVersion`, the preconditions the delete is made under
 *   (the object read when planning, so a replaced or changed object is not deleted)
 *
 * @public
 */
export type PlannedOperation = 'apply' | 'patch' | 'restart' | 'delete';

/**
 * One object of a plan.
 *
 * @public
 */
export interface PlannedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  operation: PlannedOperation;
  /**
   * For `patch` / `restart`: `merge` = JSON merge patch (`null` deletes a key), `strategic` =
   * strategic merge patch (lists merged by key, e.g. Service ports by `port`).
   */
  patchType?: 'merge' | 'strategic';
  /** The desired object (`apply`), the patch body (`patch`, `restart`), the object to delete. */
  object: JsonObject;
  /** `object` as YAML. */
  yaml: string;
  /** The live object (filled by the backend; null when it does not exist yet). */
  live?: JsonObject | null;
  /** Unified diff live → desired (filled by the backend after a server-side dry run). */
  diff?: string;
}

/**
 * Who is behind a field manager that owns fields the portal would change: a controller that
 * applies its source again (Argo CD, Flux, Helm, Flagger, Argo Rollouts), a person with kubectl,
 * or a manager the portal does not know.
 *
 * @public
 */
export type FieldManagerOwner =
  | { kind: 'controller'; tool: string }
  | { kind: 'person'; tool: 'kubectl' }
  | { kind: 'unknown' };

/**
 * Fields of one object another field manager owns, and what the plan does about them:
 * `commit` = blocked, commit `yaml` to that manager's source instead; `take-over` = applied with
 * the user's confirmation (`takeOver`), the fields then belong to the portal.
 *
 * @public
 */
export interface FieldOwnershipConflict {
  resource: ResourceRef;
  /** The field manager as the API server records it (e.g. `kubectl`, `argocd-controller`). */
  manager: string;
  owner: FieldManagerOwner;
  /** Field paths as the API server names them (e.g. `.spec.http`). */
  fields: string[];
  resolution: 'commit' | 'take-over';
  /** `commit`: the object as the portal would apply it. */
  yaml?: string;
}

/**
 * Response of `POST …/plans`: what `apply` would do, in apply order.
 *
 * @public
 */
export interface MeshPlan {
  action: MeshActionName;
  cluster: string;
  namespace: string;
  /** In apply order (make-before-break). */
  objects: PlannedObject[];
  findings: Finding[];
  /** A blocking finding stands: apply is refused. */
  blocked: boolean;
  summary: string;
  /**
   * Fields other managers own that the plan would change. Apply is refused without
   * `takeOver=true` while one of them is a `take-over`.
   */
  fieldConflicts?: FieldOwnershipConflict[];
}

/**
 * What happened to one object on apply.
 *
 * @public
 */
export interface AppliedObject {
  kind: string;
  name: string;
  namespace?: string;
  result: 'created' | 'configured' | 'unchanged' | 'restarted' | 'deleted';
}

/**
 * Response of `POST …/apply`.
 *
 * @public
 */
export interface MeshApplyResult {
  auditId: string;
  applied: AppliedObject[];
  plan: MeshPlan;
}

/**
 * One row of `GET …/history`.
 *
 * @public
 */
export interface AuditEntry {
  id: string;
  /** User entity ref of who applied. */
  actor: string;
  entityRef: string;
  action: MeshActionName;
  params: MeshActionRequest;
  objects: Array<{ kind: string; name: string; namespace?: string }>;
  /** Fields the user confirmed taking over from a person's kubectl (see {@link FieldOwnershipConflict}). */
  takeOvers?: Array<{
    kind: string;
    name: string;
    namespace?: string;
    manager: string;
    fields: string[];
  }>;
  result: 'success' | 'failure';
  message?: string;
  /** ISO 8601. */
  createdAt: string;
}

/**
 * Response of `GET …/history`.
 *
 * @public
 */
export interface MeshHistoryResponse {
  items: AuditEntry[];
}

/**
 * One row of `GET /overview`: mesh adoption of one entity in one cluster.
 *
 * @public
 */
export interface MeshOverviewRow {
  entityRef: string;
  title?: string;
  cluster: string;
  namespace: string;
  pods: number;
  meshedPods: number;
  mtlsMode: MtlsMode;
  canaryInProgress: boolean;
  /** Number of findings by severity. */
  findings: { error: number; warning: number; info: number };
}

/**
 * Response of `GET /overview`.
 *
 * @public
 */
export interface MeshOverviewResponse {
  rows: MeshOverviewRow[];
}
