import { KubernetesListObject, ListWatch, Watch } from '@kubernetes/client-node';
import { LoggerService } from '@backstage/backend-plugin-api';
import { KubeJson } from './ClusterGateway';
import { WatchedKind } from './watchedKinds';
import { trimForStatus } from './trimForStatus';

/** Where an informer lists and watches one cluster: the apiserver, or a fake in tests. */
export interface WatchSource {
  /** A full list of the kind at `path`, with the list's resourceVersion, as plain JSON. */
  list(path: string): Promise<KubernetesListObject<KubeJson>>;
  /** The client library's watch (or one with its contract). */
  watch: Pick<Watch, 'watch'>;
}

/** Restart delays after failures: doubling from `baseMs` up to `maxMs`. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/** When an informer lists afresh although its watch looks healthy. */
export interface Resync {
  /** Mean period; each informer draws its own within ±10 % so kinds do not relist together. */
  periodMs: number;
}

/**
 * One kind of one cluster in memory, kept by the client library's ListWatch: it lists, then
 * watches from the list's resourceVersion, reconnects when a watch ends, and relists on
 * 410 Gone (resourceVersion too old; @kubernetes/client-node 2.x cache.js `doneHandler`).
 * Any other error (apiserver down, 403, list failed) makes the ListWatch call its error
 * callbacks and stop for good, so this restarts it after an exponential backoff, with a fresh
 * list: `synced` is false from the error until that list is in, and readers go live meanwhile.
 *
 * Resync: every `resync.periodMs` it lists afresh although nothing failed, because a watch on
 * a connection that died without a reset (a NAT or load balancer dropping idle flows, a network
 * partition) reports neither events nor an error, and would keep the memory stale for good.
 * The fresh ListWatch replaces the serving one only once its list is in, so readers keep the
 * old memory meanwhile (two copies for the length of one list).
 */
export class KindInformer {
  private listWatch: ListWatch<KubeJson> | undefined;
  /** A ListWatch started but not yet listed (first start, restart or resync). */
  private pending: ListWatch<KubeJson> | undefined;
  private synced = false;
  private stopped = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastError: unknown;
  private lists = 0;
  /** Bumped on every change to the memory; the label indexes belong to one version. */
  private version = 0;
  /** The version of the last full list that became the memory. */
  private listedAt = 0;
  /** Per namespace ('' = cluster-scoped), the version of its last change since that list. */
  private readonly namespaceChangedAt = new Map<string, number>();
  private labelIndexes = { version: -1, byNamespaceAndKey: new Map<string, Map<string, KubeJson[]>>() };

  constructor(
    private readonly cluster: string,
    private readonly kind: WatchedKind,
    private readonly source: WatchSource,
    private readonly backoff: Backoff,
    private readonly logger: LoggerService,
    private readonly resync: Resync = { periodMs: 10 * 60_000 },
  ) {}

  /** True when the memory holds a full list kept current by a running watch. */
  get ready(): boolean {
    return this.synced && !this.stopped;
  }

  /** Failures in a row since the last successful sync (0 when healthy). */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Full lists that became the memory (first sync, restarts and resyncs). */
  get syncs(): number {
    return this.lists;
  }

  get error(): unknown {
    return this.lastError;
  }

  /** Starts listing and watching; resolves once the first attempt synced or failed. */
  start(): Promise<void> {
    return this.run();
  }

  /** Every cached object (all namespaces); empty unless {@link KindInformer.ready}. */
  objects(namespace?: string): readonly KubeJson[] {
    return this.ready && this.listWatch ? this.listWatch.list(namespace) : [];
  }

  /**
   * The cached objects of `namespace` (all when undefined) whose label `key` is `value`. The
   * overview asks for a thousand entities' pods at once: each namespace is scanned once per
   * key into an index instead of once per entity. The indexes hold for one version of the
   * memory (any event makes them stale, and they are rebuilt on the next use).
   */
  withLabel(namespace: string | undefined, key: string, value: string): readonly KubeJson[] {
    if (!this.ready || !this.listWatch) return [];
    if (this.labelIndexes.version !== this.version) {
      this.labelIndexes = { version: this.version, byNamespaceAndKey: new Map() };
    }
    const indexKey = `${namespace ?? ''}\u0000${key}`;
    let byValue = this.labelIndexes.byNamespaceAndKey.get(indexKey);
    if (!byValue) {
      byValue = new Map();
      for (const object of this.listWatch.list(namespace)) {
        const labelValue = object.metadata?.labels?.[key];
        if (labelValue === undefined) continue;
        const same = byValue.get(labelValue);
        if (same) same.push(object);
        else byValue.set(labelValue, [object]);
      }
      this.labelIndexes.byNamespaceAndKey.set(indexKey, byValue);
    }
    return byValue.get(value) ?? [];
  }

  /**
   * A number that changes whenever the objects of `namespace` (every namespace when undefined)
   * may have changed: an event there, or a fresh list. Undefined unless ready. What was derived
   * from the memory stays true while the marks of everything it read are unchanged.
   */
  changeMark(namespace?: string): number | undefined {
    if (!this.ready) return undefined;
    if (namespace === undefined) return this.version;
    return Math.max(this.listedAt, this.namespaceChangedAt.get(namespace) ?? 0);
  }

  object(name: string, namespace?: string): KubeJson | undefined {
    return this.ready && this.listWatch ? this.listWatch.get(name, namespace) : undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.synced = false;
    clearTimeout(this.timer);
    await Promise.all([this.listWatch?.stop(), this.pending?.stop()]);
  }

  private async run(): Promise<void> {
    if (this.stopped || this.pending) return;
    const { apiVersion, kind, path } = this.kind;
    let failed = false;
    const listFn = async () => {
      const list = await this.source.list(path);
      for (const item of list.items ?? []) trimForStatus(item, apiVersion, kind);
      return list;
    };
    // A fresh ListWatch per attempt: its first list replaces all memory (nothing stale kept).
    const listWatch = new ListWatch<KubeJson>(path, this.source.watch as Watch, listFn, false);
    // Watch events hand the object the ListWatch stores; trimmed in place. Events of a
    // ListWatch that does not serve yet change nothing readers see (its list replaces all).
    const changed = (object: KubeJson) => {
      if (listWatch !== this.listWatch) return;
      this.version += 1;
      this.namespaceChangedAt.set(object.metadata?.namespace ?? '', this.version);
    };
    const trim = (object: KubeJson) => {
      trimForStatus(object, apiVersion, kind);
      changed(object);
    };
    listWatch.on('add', trim);
    listWatch.on('update', trim);
    listWatch.on('delete', changed);
    const fail = (error: unknown) => {
      if (failed || this.stopped) return;
      failed = true;
      if (this.pending === listWatch) this.pending = undefined;
      void listWatch.stop();
      // A failed resync says the cluster is in trouble too: stop serving the old memory.
      this.failed(error);
    };
    listWatch.on('error', (error: unknown) => {
      // Errors of a ListWatch already replaced are not this informer's any more.
      if (listWatch === this.listWatch || listWatch === this.pending) fail(error);
    });
    this.pending = listWatch;
    try {
      await listWatch.start();
    } catch (error) {
      // e.g. credentials that cannot be applied: thrown instead of reported.
      fail(error);
      return;
    }
    if (failed || this.stopped || this.pending !== listWatch) return;
    const previous = this.listWatch;
    this.listWatch = listWatch;
    this.pending = undefined;
    this.version += 1;
    this.listedAt = this.version;
    this.namespaceChangedAt.clear();
    await previous?.stop();
    this.synced = true;
    this.lists += 1;
    if (this.failures > 0) this.logger.info(`status cache: ${kind} of cluster ${this.cluster} synced again`);
    this.failures = 0;
    this.lastError = undefined;
    this.schedule(this.resync.periodMs * (0.9 + Math.random() * 0.2));
  }

  private failed(error: unknown): void {
    this.synced = false;
    this.failures += 1;
    this.lastError = error;
    const delay = Math.min(this.backoff.baseMs * 2 ** (this.failures - 1), this.backoff.maxMs);
    // Warn once per outage (a cluster without a CRD fails every retry), the retries at debug.
    const log = this.failures === 1 ? this.logger.warn : this.logger.debug;
    log.call(
      this.logger,
      `status cache: ${this.kind.kind} of cluster ${this.cluster} failed (${describe(error)}); read live, retrying in ${delay} ms`,
    );
    this.schedule(delay);
  }

  /** The next restart or resync; one timer, so a failure replaces a pending resync. */
  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.run();
    }, delayMs);
    this.timer.unref?.();
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
