import { ClusterRequestError } from './ClusterGateway';

/**
 * A cluster failed a request of ours: the portal answers 502 (the cluster refused, failed or
 * rejected it; the apiserver's own reason is in the message) or 504 (no answer within the
 * request timeout). The message names the cluster. The apiserver's status code is not passed
 * on: a 403 or 404 from the cluster is not the caller's 403 or 404.
 */
export class ClusterFailedError extends Error {
  readonly statusCode: 502 | 504;

  constructor(cause: ClusterRequestError) {
    super(cause.message);
    this.name = cause.timedOut ? 'ClusterTimeoutError' : 'ClusterFailedError';
    this.statusCode = cause.timedOut ? 504 : 502;
  }
}

/** The error to answer with: a {@link ClusterRequestError} as a 502/504, others as they are. */
export function asHttpError(error: unknown): unknown {
  return error instanceof ClusterRequestError ? new ClusterFailedError(error) : error;
}
