import { LoggerService } from '@backstage/backend-plugin-api';
import {
  LabelSelector,
  matchesSelector,
  parseLabelSelector,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { KubeJson, ListOptions } from './ClusterGateway';
import { ClusterReader } from './ClusterReader';
import { Backoff, KindInformer, Resync, WatchSource } from './KindInformer';
import { WatchedKind, watchedKind } from './watchedKinds';

/**
 * How often an open Mesh tab re-reads a status answered from the cache: with a watch event's
 * delay of well under a second, a change in the cluster shows within 2 s (issue 12).
 */
export const CACHED_STATUS_REFRESH_MS = 1500;

/** One object of a cluster, as `get` names it. */
export type ObjectRef = { apiVersion: string; kind: string; name: string; namespace?: string };

/** Options of {@link WatchCache}. */
export interface WatchCacheOptions {
  /** Restart delays of a failed informer. Default 1 s doubling up to 60 s. */
  backoff?: Backoff;
  /** Fresh lists although every watch looks healthy. Default every 10 minutes. */
  resync?: Resync;
}

/**
 * The status's reads answered from memory: per cluster and watched kind (watchedKinds.ts) an
 * informer over all namespaces, started on the first read of that kind. Namespace and label
 * selector are applied in memory the way the apiserver applies them (mesh-common's selector
 * parser and matcher, equality- and set-based). Until a kind has synced, while its informer
 * is failing, for kinds or namespaces not watched and for selectors that do not parse, the
 * read goes to the live reader, so the cache never makes a status wrong or empty.
 *
 * Objects are the cache's own (trimmed, trimForStatus.ts) and shared between reads: callers
 * must not change them. Plans and applies never read through here.
 */
export class WatchCache implements ClusterReader {
  private readonly informers = new Map<string, KindInformer>();
  private readonly backoff: Backoff;
  private readonly resync: Resync;
  private stopped = false;

  constructor(
    private readonly live: ClusterReader,
    private readonly sourceOf: (cluster: string) => WatchSource,
    private readonly logger: LoggerService,
    options: WatchCacheOptions = {},
  ) {
    this.backoff = options.backoff ?? { baseMs: 1000, maxMs: 60_000 };
    this.resync = options.resync ?? { periodMs: 10 * 60_000 };
  }

  async list<T extends KubeJson = KubeJson>(
    cluster: string,
    apiVersion: string,
    kind: string,
    options: ListOptions = {},
  ): Promise<T[]> {
    const cached = this.cachedList<T>(cluster, apiVersion, kind, options);
    if (cached) return cached;
    const objects = await this.live.list<T>(cluster, apiVersion, kind, options);
    this.startInformer(cluster, apiVersion, kind, options.namespace);
    return objects;
  }

  async get<T extends KubeJson = KubeJson>(cluster: string, ref: ObjectRef): Promise<T | null> {
    const cached = this.cachedObject<T>(cluster, ref);
    if (cached !== undefined) return cached;
    const object = await this.live.get<T>(cluster, ref);
    this.startInformer(cluster, ref.apiVersion, ref.kind, ref.namespace);
    return object;
  }

  /**
   * What {@link WatchCache.list} answers from memory, at once; undefined when it would read
   * live (kind not synced or not watched there, a selector that does not parse).
   */
  cachedList<T extends KubeJson = KubeJson>(
    cluster: string,
    apiVersion: string,
    kind: string,
    options: ListOptions = {},
  ): T[] | undefined {
    const informer = this.readyInformer(cluster, apiVersion, kind, options.namespace);
    const selector = informer && parseOrUndefined(options.labelSelector);
    if (!informer || selector === undefined) return undefined;
    if (selector.requirements.length === 0) {
      return informer.objects(options.namespace) as T[]; // a fresh array (ListWatch.list copies); the objects are shared
    }
    // An equality requirement narrows the candidates through the informer's label index.
    const equality = selector.requirements.find(r => r.operator === 'Equals' || (r.operator === 'In' && r.values.length === 1));
    const candidates = equality
      ? informer.withLabel(options.namespace, equality.key, equality.operator === 'Equals' ? equality.value : (equality as { values: string[] }).values[0])
      : informer.objects(options.namespace);
    // The index answered the only requirement (`app=web`): every candidate matches.
    if (equality && selector.requirements.length === 1) return candidates.slice() as T[]; // a fresh array
    return candidates.filter(o => matchesSelector(o.metadata?.labels, selector)) as T[]; // a fresh array
  }

  /**
   * What {@link WatchCache.get} answers from memory, at once (the same object until it
   * changes; null when absent); undefined when it would read live.
   */
  cachedObject<T extends KubeJson = KubeJson>(cluster: string, ref: ObjectRef): T | null | undefined {
    const informer = this.readyInformer(cluster, ref.apiVersion, ref.kind, ref.namespace);
    if (!informer) return undefined;
    return (informer.object(ref.name, ref.namespace) as T | undefined) ?? null;
  }

  /**
   * The change mark ({@link KindInformer.changeMark}) of the kind's objects in
   * `options.namespace` (all when undefined), for a list with `options` answered from memory;
   * undefined when that list would read live.
   */
  changeMark(cluster: string, apiVersion: string, kind: string, options: ListOptions = {}): number | undefined {
    if (parseOrUndefined(options.labelSelector) === undefined) return undefined;
    return this.readyInformer(cluster, apiVersion, kind, options.namespace)?.changeMark(options.namespace);
  }

  /** Per cluster and kind: synced or not, failures in a row (for logs and tests). */
  health(): Array<{ cluster: string; kind: string; ready: boolean; failures: number; syncs: number }> {
    return [...this.informers.entries()].map(([key, informer]) => ({
      cluster: key.split('|')[0],
      kind: key.split('|')[1],
      ready: informer.ready,
      failures: informer.consecutiveFailures,
      syncs: informer.syncs,
    }));
  }

  /** Stops every informer (backend shutdown); later reads go live. */
  async stop(): Promise<void> {
    this.stopped = true;
    const informers = [...this.informers.values()];
    this.informers.clear();
    await Promise.all(informers.map(i => i.stop()));
  }

  /** The kind's informer when it can answer for `namespace`. */
  private readyInformer(cluster: string, apiVersion: string, kind: string, namespace?: string): KindInformer | undefined {
    const watched = this.watchedFor(apiVersion, kind, namespace);
    const informer = watched && this.informers.get(informerKey(cluster, watched));
    return informer?.ready ? informer : undefined;
  }

  /**
   * Starts the kind's informer after a live read the cluster answered, if none runs yet. A
   * cluster that never answered gets none: thirty configured clusters with a few down would
   * otherwise keep a dozen informers per down cluster failing and retrying in the background.
   */
  private startInformer(cluster: string, apiVersion: string, kind: string, namespace?: string): void {
    const watched = this.watchedFor(apiVersion, kind, namespace);
    if (!watched || this.informers.has(informerKey(cluster, watched))) return;
    const informer = new KindInformer(cluster, watched, this.sourceOf(cluster), this.backoff, this.logger, this.resync);
    this.informers.set(informerKey(cluster, watched), informer);
    void informer.start();
  }

  private watchedFor(apiVersion: string, kind: string, namespace?: string): WatchedKind | undefined {
    const watched = watchedKind(apiVersion, kind);
    if (!watched || this.stopped) return undefined;
    if (watched.namespace && namespace !== watched.namespace) return undefined;
    return watched;
  }
}

function informerKey(cluster: string, watched: WatchedKind): string {
  return `${cluster}|${watched.apiVersion}/${watched.kind}`;
}

/** The parsed selector (empty when none); undefined when it does not parse (read live: the apiserver says why). */
function parseOrUndefined(selector: string | undefined): LabelSelector | undefined {
  if (!selector) return { requirements: [] };
  try {
    return parseLabelSelector(selector);
  } catch {
    return undefined;
  }
}
