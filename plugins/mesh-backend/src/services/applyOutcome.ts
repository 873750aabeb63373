import { ConflictError } from '@backstage/errors';
import { AppliedObject, PlannedObject } from '@mesh-portal/backstage-plugin-mesh-common';
import { ClusterRequestError } from '../cluster/ClusterGateway';

/** Where one object of a plan stands after an apply that stopped part-way. */
export interface ObjectOutcome {
  object: PlannedObject;
  state: 'applied' | 'not applied' | 'unknown';
  /** For `applied`: what the write did. */
  applied?: AppliedObject;
  /** Why, when it is not plain (e.g. "its answer was lost; read back"). */
  detail?: string;
}

/**
 * Whether a failed write certainly changed nothing: the apiserver answered with an error
 * (one object's write is atomic), refused the connection, or a precondition failed. A timeout
 * or a dropped connection leaves it open: the write may have landed.
 */
export function certainlyNotApplied(error: unknown): boolean {
  if (error instanceof ConflictError) return true;
  if (!(error instanceof ClusterRequestError)) return false;
  return error.statusCode !== undefined || /ECONNREFUSED/.test(error.message);
}

/**
 * The account of a stopped apply for the caller and the audit row: the failure, then every
 * object of the plan by state (applied, not applied, unknown).
 */
export function stoppedApplyMessage(failure: Error, outcomes: ObjectOutcome[]): string {
  const list = (state: ObjectOutcome['state']) =>
    outcomes
      .filter(o => o.state === state)
      .map(o => {
        const notes = [o.applied?.result, o.detail].filter(Boolean).join('; ');
        return `${o.object.kind} ${o.object.name}${notes ? ` (${notes})` : ''}`;
      })
      .join(', ') || 'none';
  const unknown = outcomes.some(o => o.state === 'unknown') ? ` Unknown: ${list('unknown')}.` : '';
  return `${failure.message}. Applied: ${list('applied')}. Not applied: ${list('not applied')}.${unknown}`;
}

/** The error to throw for a stopped apply: the failure's kind (409, or 502/504), the full account. */
export function stoppedApplyError(failure: Error, message: string): Error {
  if (failure instanceof ClusterRequestError) {
    return new ClusterRequestError(failure.cluster, failure.statusCode, message, failure.timedOut);
  }
  if (failure instanceof ConflictError) return new ConflictError(message);
  const error = new Error(message);
  error.name = failure.name;
  return error;
}
