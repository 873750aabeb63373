import { KubernetesListObject } from '@kubernetes/client-node';
import { KubeJson } from '../cluster/ClusterGateway';
import { WatchSource } from '../cluster/KindInformer';

type WatchCallback = (phase: string, object: any, watchObject?: any) => void;
type DoneCallback = (error: any) => void;

/** One open watch of the fake: emit events into it, end it, or break it. */
export interface FakeWatch {
  path: string;
  resourceVersion: string;
  emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeJson): void;
  /** The server closes the watch (normal end; the informer reconnects). */
  end(): void;
  /** The watch fails (`statusCode` 410 makes the informer relist, others stop it). */
  fail(error: Error & { statusCode?: number }): void;
}

/**
 * An apiserver for informers without a cluster: per REST path a list of objects (or a
 * failure), watches the test drives by hand.
 */
export class FakeWatchSource implements WatchSource {
  readonly items = new Map<string, KubeJson[]>();
  readonly failures = new Map<string, Error & { statusCode?: number }>();
  readonly watches: FakeWatch[] = [];
  readonly lists: string[] = [];
  private version = 1;

  list = async (path: string): Promise<KubernetesListObject<KubeJson>> => {
    this.lists.push(path);
    const failure = this.failures.get(path);
    if (failure) throw failure;
    // Copies, as an apiserver answers: the cache trims its own objects.
    const items = structuredClone(this.items.get(path) ?? []);
    return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(this.version++) }, items };
  };

  watch = {
    watch: async (path: string, query: any, callback: WatchCallback, done: DoneCallback) => {
      const controller = new AbortController();
      const failure = this.failures.get(path);
      if (failure) {
        done(failure);
        return controller;
      }
      let finished = false;
      const finish = (error: any) => {
        if (finished) return;
        finished = true;
        done(error);
      };
      controller.signal.addEventListener('abort', () => finish(null));
      this.watches.push({
        path,
        resourceVersion: query.resourceVersion,
        emit: (type, object) => {
          if (finished) return;
          const copy = structuredClone(object);
          copy.metadata = { ...copy.metadata, resourceVersion: String(this.version++) };
          callback(type, copy, { type, object: copy });
        },
        end: () => finish(null),
        fail: error => finish(error),
      });
      return controller;
    },
  };

  /** The newest open watch of a path. */
  lastWatch(path: string): FakeWatch {
    const watch = [...this.watches].reverse().find(w => w.path === path);
    if (!watch) throw new Error(`no watch of ${path}`);
    return watch;
  }
}
