import { LoggerService } from '@backstage/backend-plugin-api';
import { ClusterRequestError } from './clusterRequest';

/**
 * A read not sent because its cluster did not answer a moment ago (a 502, or 504 when that was a
 * timeout): the message names the cluster, the first failure and when it is tried again.
 */
export class ClusterUnansweredError extends ClusterRequestError {
  constructor(cluster: string, message: string, timedOut: boolean) {
    super(cluster, undefined, message, timedOut);
    this.name = 'ClusterUnansweredError';
  }
}

/** Fail-fast delays after a cluster did not answer: doubling from `baseMs` up to `maxMs`. */
export interface UnansweredBackoff {
  baseMs: number;
  maxMs: number;
}

interface Outage {
  /** When the cluster last failed to answer, and until when reads are not sent. */
  at: number;
  until: number;
  failures: number;
  error: ClusterRequestError;
  /** A probe is out (after `until`): reads keep failing fast until it comes back. */
  probing?: boolean;
}

/**
 * Clusters that did not answer (refused, reset, timed out, TLS failed — no HTTP status at all):
 * their reads fail at once for a short while instead of each waiting for its own refusal or
 * timeout. With thirty clusters configured and a few down, a status or the overview would
 * otherwise pay for every unanswered request of every down cluster on every poll. After the
 * delay, one probe (when given; else the next round of reads) goes out in the background while
 * reads keep failing fast, so no status waits for a down cluster; an answer (any HTTP status)
 * ends the outage.
 */
export class UnansweredClusters {
  private readonly outages = new Map<string, Outage>();

  constructor(
    private readonly logger: LoggerService,
    private readonly backoff: UnansweredBackoff = { baseMs: 1000, maxMs: 30_000 },
    private readonly now: () => number = Date.now,
    /** One cheap request to the cluster; resolves when it answered with any HTTP status. */
    private readonly probe?: (cluster: string) => Promise<void>,
  ) {}

  /** Throws a {@link ClusterUnansweredError} while the cluster's outage holds reads back. */
  check(cluster: string, what: string): void {
    const held = this.heldBack(cluster, what);
    if (held) throw new ClusterUnansweredError(cluster, held.message, held.timedOut);
  }

  /**
   * Why reads of the cluster are held back, or undefined when they go out; as {@link check}
   * without building an error (a status of thirty clusters with 29 down asks this 29 times per
   * poll, and an Error captures a stack trace each time).
   */
  heldBack(cluster: string, what: string): { message: string; timedOut: boolean } | undefined {
    const outage = this.outages.get(cluster);
    if (!outage) return undefined;
    const now = this.now();
    if (now >= outage.until) {
      if (!this.probe) return undefined; // the reads themselves try again
      if (!outage.probing) this.startProbe(cluster, outage);
    }
    const next = now < outage.until ? `tried again in ${seconds(outage.until - now)}` : 'being tried again';
    return {
      message:
        `${what} on cluster ${cluster}: not sent, the cluster did not answer ${seconds(now - outage.at)} ago ` +
        `(${outage.error.message}); ${next}`,
      timedOut: outage.error.timedOut,
    };
  }

  private startProbe(cluster: string, outage: Outage): void {
    outage.probing = true;
    this.probe!(cluster).then(
      () => this.answered(cluster),
      error => {
        outage.probing = false;
        if (error instanceof ClusterRequestError && error.statusCode !== undefined) this.answered(cluster);
        else this.failed(cluster, error instanceof ClusterRequestError ? error : outage.error);
      },
    );
  }

  /** The cluster answered (any HTTP status): its outage, if any, is over. */
  answered(cluster: string): void {
    if (this.outages.delete(cluster)) this.logger.info(`cluster ${cluster} answers again`);
  }

  /** A request failed; one without any answer starts or extends the cluster's outage. */
  failed(cluster: string, error: unknown): void {
    if (!(error instanceof ClusterRequestError) || error.statusCode !== undefined) return;
    if (error instanceof ClusterUnansweredError) return;
    const now = this.now();
    const outage = this.outages.get(cluster);
    // Reads of one round fail together: one failure per round counts.
    if (outage && now < outage.until) return;
    const failures = (outage?.failures ?? 0) + 1;
    const delay = Math.min(this.backoff.baseMs * 2 ** (failures - 1), this.backoff.maxMs);
    this.outages.set(cluster, { at: now, until: now + delay, failures, error });
    if (failures === 1) {
      this.logger.warn(`cluster ${cluster} did not answer (${error.message}); its reads fail fast for ${delay} ms, then go out again`);
    }
  }
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 100) / 10)} s`;
}
