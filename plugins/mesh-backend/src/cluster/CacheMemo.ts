import { KubeJson, ListOptions } from './ClusterGateway';
import { ClusterReader } from './ClusterReader';
import { ObjectRef, WatchCache } from './WatchCache';

/**
 * One read of a derivation and how to tell it would answer the same now: a list of one
 * namespace by the namespace's change mark, a list across namespaces with a selector (few
 * objects, e.g. the gateway pods) by its very objects, any other list by the kind's mark, a
 * get by the object (the cache hands out the same object until it changes).
 */
type Read =
  | {
      by: 'mark';
      cluster: string;
      apiVersion: string;
      kind: string;
      options: ListOptions;
      mark: number;
    }
  | {
      by: 'objects';
      cluster: string;
      apiVersion: string;
      kind: string;
      options: ListOptions;
      objects: readonly KubeJson[];
    }
  | { by: 'object'; cluster: string; ref: ObjectRef; object: KubeJson | null };

/** Default bound of {@link CacheMemo}: above the overview's thousand entities with room. */
export const CACHE_MEMO_ENTRIES = 4096;

/**
 * Reads through the cache and notes each read ({@link Read}). A namespace's mark is taken before
 * its read, so a change in between makes the mark older, never newer (the value is derived
 * again). `reads` becomes undefined at the first read that goes live.
 */
class MarkingReader implements ClusterReader {
  reads: Read[] | undefined = [];

  constructor(private readonly cache: WatchCache) {}

  async list<T extends KubeJson = KubeJson>(
    cluster: string,
    apiVersion: string,
    kind: string,
    options: ListOptions = {},
  ): Promise<T[]> {
    const where = { cluster, apiVersion, kind, options: { ...options } };
    if (options.namespace === undefined && options.labelSelector) {
      const objects = this.cache.cachedList<T>(
        cluster,
        apiVersion,
        kind,
        options,
      );
      if (objects) {
        this.reads?.push({ by: 'objects', ...where, objects: [...objects] });
        return objects;
      }
    } else {
      const mark = this.cache.changeMark(cluster, apiVersion, kind, options);
      if (mark !== undefined) {
        this.reads?.push({ by: 'mark', ...where, mark });
        return this.cache.list<T>(cluster, apiVersion, kind, options);
      }
    }
    this.reads = undefined;
    return this.cache.list<T>(cluster, apiVersion, kind, options);
  }

  async get<T extends KubeJson = KubeJson>(
    cluster: string,
    ref: ObjectRef,
  ): Promise<T | null> {
    const object = this.cache.cachedObject<T>(cluster, ref);
    if (object !== undefined) {
      this.reads?.push({ by: 'object', cluster, ref: { ...ref }, object });
      return object;
    }
    this.reads = undefined;
    return this.cache.get<T>(cluster, ref);
  }
}

/**
 * Values derived from the watch cache, kept until something they read changes. A Mesh tab
 * polls every 1.5 s and the overview reads every entity: almost every status is the same
 * as the one before, and deriving it walks every pod of the entity again (10,000 pods take
 * tens of milliseconds). `get` hands the derivation a reader that notes each read's change
 * mark ({@link WatchCache.changeMark}); the value is reused while all those marks are the same.
 * A value that read anything live (an informer not synced, a kind not watched) is not kept,
 * so the memo is never staler than the cache. Values are shared: callers must not change them.
 */
export class CacheMemo<V> {
  private readonly entries = new Map<string, { reads: Read[]; value: V }>();

  constructor(
    private readonly cache: WatchCache,
    private readonly maxEntries = CACHE_MEMO_ENTRIES,
  ) {}

  /** The value kept under `key` if nothing it read changed since; else `derive`'s, kept. */
  async get(
    key: string,
    derive: (reader: ClusterReader) => Promise<V>,
  ): Promise<V> {
    const kept = this.entries.get(key);
    if (kept && kept.reads.every(read => this.holds(read))) {
      // Least recently used goes first: a Map iterates in insertion order.
      this.entries.delete(key);
      this.entries.set(key, kept);
      return kept.value;
    }
    const reader = new MarkingReader(this.cache);
    const value = await derive(reader);
    if (reader.reads) {
      this.entries.delete(key);
      this.entries.set(key, { reads: reader.reads, value });
      if (this.entries.size > this.maxEntries)
        this.entries.delete(this.entries.keys().next().value!);
    } else {
      this.entries.delete(key);
    }
    return value;
  }

  /** Entries kept (for tests). */
  get size(): number {
    return this.entries.size;
  }

  /** True when the read would answer the same now. */
  private holds(read: Read): boolean {
    switch (read.by) {
      case 'mark':
        return (
          this.cache.changeMark(
            read.cluster,
            read.apiVersion,
            read.kind,
            read.options,
          ) === read.mark
        );
      case 'object':
        return this.cache.cachedObject(read.cluster, read.ref) === read.object;
      default: {
        const now = this.cache.cachedList(
          read.cluster,
          read.apiVersion,
          read.kind,
          read.options,
        );
        return (
          !!now &&
          now.length === read.objects.length &&
          now.every((o, i) => o === read.objects[i])
        );
      }
    }
  }
}
