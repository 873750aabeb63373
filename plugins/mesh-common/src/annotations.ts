/**
 * Entity annotation of the Kubernetes plugin: pods carrying label
 * `backstage.io/kubernetes-id=<value>` belong to the entity.
 *
 * @public
 */
export const ANNOTATION_KUBERNETES_ID = 'backstage.io/kubernetes-id';

/**
 * Entity annotation: a label selector (`app=backend`, `tier in (web,api)`) for the entity's
 * pods and workloads. Wins over {@link ANNOTATION_KUBERNETES_ID}.
 *
 * @public
 */
export const ANNOTATION_KUBERNETES_LABEL_SELECTOR =
  'backstage.io/kubernetes-label-selector';

/**
 * Entity annotation: the namespace the entity's workloads live in.
 *
 * @public
 */
export const ANNOTATION_KUBERNETES_NAMESPACE =
  'backstage.io/kubernetes-namespace';

/**
 * Entity annotation: cluster name(s) (comma-separated) the entity runs in; all configured
 * clusters when absent.
 *
 * @public
 */
export const ANNOTATION_KUBERNETES_CLUSTER = 'backstage.io/kubernetes-cluster';

/**
 * Label we put on every object we create (our ownership mark, independent of server-side
 * apply field managers).
 *
 * @public
 */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';

/**
 * Value of {@link LABEL_MANAGED_BY} on objects we create.
 *
 * @public
 */
export const MANAGED_BY_MESH_PORTAL = 'mesh-portal';

/**
 * Name we give the http route whose destinations we manage in a VirtualService (when it had no
 * name), so later edits find it again whatever the user adds around it.
 *
 * @public
 */
export const MANAGED_ROUTE_NAME = 'mesh-portal-split';

/**
 * Field manager the backend should use for server-side apply.
 *
 * @public
 */
export const MESH_FIELD_MANAGER = 'mesh-portal';

/**
 * Annotation on objects we create naming the catalog entity they were made for.
 *
 * @public
 */
export const ANNOTATION_ENTITY_REF = 'mesh-portal.io/entity-ref';

/**
 * Annotation on a VirtualService we write: the subset that is "stable" for the running canary.
 * Without it, a split that has moved past 50/50 (e.g. 25/75) would make the canary look
 * stable and `promote` would send everything back to the old version.
 *
 * @public
 */
export const ANNOTATION_STABLE_SUBSET = 'mesh-portal.io/stable-subset';

/**
 * Entity annotation: minimum success rate in percent a canary must keep (e.g. `99.5`);
 * overrides `mesh.canaryHealth.minSuccessRate`.
 *
 * @public
 */
export const ANNOTATION_CANARY_MIN_SUCCESS_RATE =
  'mesh-portal.io/canary-min-success-rate';

/**
 * Entity annotation: maximum p99 latency in milliseconds a canary may have (e.g. `300`);
 * overrides `mesh.canaryHealth.maxP99Ms`.
 *
 * @public
 */
export const ANNOTATION_CANARY_MAX_P99_MS = 'mesh-portal.io/canary-max-p99-ms';
