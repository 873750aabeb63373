import type { MeshActionName } from '../api/actions';
import type { MeshPlan } from '../api/plan';
import type { BuiltPlan } from './planOnboard';

/**
 * Wraps a builder's result as the {@link MeshPlan} the API returns; `blocked` when any
 * finding is blocking.
 *
 * @public
 */
export function toMeshPlan(
  action: MeshActionName,
  cluster: string,
  namespace: string,
  built: BuiltPlan,
): MeshPlan {
  return {
    action,
    cluster,
    namespace,
    objects: built.objects,
    findings: built.findings,
    blocked: built.findings.some(finding => finding.blocking),
    summary: built.summary,
  };
}
