import { ClusterRequestError } from './ClusterGateway';

/**
 * Bounds work on one cluster made of several requests (a status snapshot reads in up to three
 * rounds): past `timeoutMs` it rejects with a timed-out {@link ClusterRequestError} naming the
 * cluster, so a slow cluster delays nothing else. The requests still running are bounded by
 * the gateway's own per-request timeout.
 */
export async function withClusterDeadline<T>(
  cluster: string,
  what: string,
  timeoutMs: number,
  work: Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ClusterRequestError(cluster, undefined, `${what} on cluster ${cluster}: no answer within ${timeoutMs} ms`, true)),
      timeoutMs,
    );
  });
  work.catch(() => undefined); // a late failure after the deadline is not an unhandled rejection
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
