import type { Finding } from './findings';

/**
 * What the `access` action asks for:
 * - `dry-run`: write the policy with `istio.io/dry-run: "true"` (Envoy evaluates it as shadow
 *   rules and counts would-be denials, nothing is denied)
 * - `enforce`: write it without the annotation (every request not listed is denied)
 * - `remove`: delete the policy (only ours)
 *
 * @public
 */
export type AccessActionMode = 'dry-run' | 'enforce' | 'remove';

/**
 * The state of a service's access policy in the cluster: `none` (no policy of ours),
 * `dry-run` (annotation `istio.io/dry-run` parses as true) or `enforced`.
 *
 * @public
 */
export type AccessPolicyMode = 'none' | 'dry-run' | 'enforced';

/**
 * Why a catalog entity counts as a declared caller of the service:
 * `dependsOn` (it depends on the service's entity) or `consumesApi` (it consumes an API the
 * service's entity provides; `api` names it).
 *
 * @public
 */
export interface CallerDeclaration {
  relation: 'dependsOn' | 'consumesApi';
  /** For `consumesApi`: the API entity ref. */
  api?: string;
}

/**
 * One identity of a declared caller: the caller's pods in one namespace that run under one
 * service account.
 *
 * @public
 */
export interface AccessCaller {
  /** Catalog entity ref of the caller (`component:default/checkout`). */
  entityRef: string;
  declaredBy: CallerDeclaration[];
  namespace: string;
  /** `spec.serviceAccountName` of its pods (`default` when unset). */
  serviceAccount: string;
  /** `<trust domain>/ns/<namespace>/sa/<service account>`, what `source.principals` matches. */
  principal: string;
  /** Every pod has a sidecar (or is enrolled in ambient): its requests carry this identity. */
  hasSidecar: boolean;
  pods: number;
  /** Pods with a sidecar (or ambient). */
  meshedPods: number;
}

/**
 * A declared caller for which no principal can be allowed.
 *
 * @public
 */
export interface UnresolvedCaller {
  entityRef: string;
  declaredBy: CallerDeclaration[];
  /** e.g. `no pod matches app=checkout in namespace shop`. */
  reason: string;
}

/**
 * The access policy of one Service as it is in the cluster (part of the status).
 *
 * @public
 */
export interface ServiceAccessStatus {
  service: string;
  namespace: string;
  /** `<service>-allow-declared-callers`. */
  policyName: string;
  mode: AccessPolicyMode;
  /** `source.principals` the live policy allows, sorted (empty when `mode` is `none`). */
  allowedPrincipals: string[];
}

/**
 * Denials counted by the service's sidecars over a window, per pod, read from Prometheus.
 * `would-be-denied` are the shadow (dry-run) ALLOW decisions: requests an enforced policy would
 * deny; `denied` are the RBAC filters' enforced denials (every enforced policy of the workload,
 * DENY policies of others included).
 *
 * @public
 */
export type AccessDenials =
  | {
      state: 'ok';
      kind: 'would-be-denied' | 'denied';
      /** PromQL range, e.g. `1h`. */
      window: string;
      total: number;
      byPod: Array<{ pod: string; count: number }>;
    }
  /** No Prometheus configured for the cluster. */
  | { state: 'not-configured' }
  /** No policy in place: nothing to count. */
  | { state: 'no-policy' }
  | { state: 'unavailable'; reason: string };

/**
 * The access view of one Service: its policy, the declared callers and their identities, what
 * enforcing would mean (findings), and the denials counted so far.
 *
 * @public
 */
export interface ServiceAccess extends ServiceAccessStatus {
  callers: AccessCaller[];
  unresolvedCallers: UnresolvedCaller[];
  /** The principals a dry-run or enforce plan would allow now (callers + ingress gateway). */
  plannedPrincipals: string[];
  /** Findings of an `enforce` plan: what enforcing now would mean. */
  findings: Finding[];
  denials: AccessDenials;
}

/**
 * The access view of the entity in a cluster that answered.
 *
 * @public
 */
export interface ClusterAccessOk {
  cluster: string;
  ok: true;
  services: ServiceAccess[];
}

/**
 * A cluster that could not be read.
 *
 * @public
 */
export interface ClusterAccessError {
  cluster: string;
  ok: false;
  error: { message: string; statusCode?: number };
}

/**
 * Response of `GET /entities/:namespace/:kind/:name/access`.
 *
 * @public
 */
export interface MeshAccessResponse {
  entityRef: string;
  clusters: Array<ClusterAccessOk | ClusterAccessError>;
}
