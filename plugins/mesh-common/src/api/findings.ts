/**
 * Severity of a {@link Finding}.
 *
 * @public
 */
export type FindingSeverity = 'error' | 'warning' | 'info';

/**
 * A Kubernetes object a finding is about.
 *
 * @public
 */
export interface ResourceRef {
  kind: string;
  name: string;
  namespace?: string;
}

/**
 * One problem (or hint) found in the mesh configuration of a service.
 *
 * `code` is an `istioctl analyze` code (e.g. `IST0101`) when the check mirrors one,
 * else one of ours (`MESH-xxx`, see {@link MeshFindingCodes}).
 *
 * @public
 */
export interface Finding {
  code: string;
  severity: FindingSeverity;
  message: string;
  resource?: ResourceRef;
  /** What to do about it, for a human. */
  hint: string;
  /** True when applying a plan while this finding stands would break traffic. */
  blocking: boolean;
  /**
   * How many findings this one stands for: set on the finding that sums up the pods of one
   * code not listed one by one (`capPodFindings`); 1 when absent.
   */
  count?: number;
}
