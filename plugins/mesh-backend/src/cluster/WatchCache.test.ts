import { mockServices } from '@backstage/backend-test-utils';
import { ClusterRequestError, KubeJson } from './ClusterGateway';
import { ClusterReader } from './ClusterReader';
import { WatchCache } from './WatchCache';
import { FakeWatchSource } from '../__testUtils__/fakeWatchSource';

const PODS = '/api/v1/pods';
const VS = '/apis/networking.istio.io/v1/virtualservices';

function pod(namespace: string, name: string, labels: Record<string, string> = {}): KubeJson {
  return {
    metadata: {
      namespace,
      name,
      labels,
      managedFields: [{ manager: 'kubectl', operation: 'Update' }],
      annotations: { 'sidecar.istio.io/status': '{"revision":"default"}' },
    },
    spec: {
      containers: [
        { name: 'app', image: 'app:1', env: [{ name: 'A', value: 'b' }], volumeMounts: [{ name: 'v', mountPath: '/v' }] },
        { name: 'istio-proxy', image: 'proxyv2:1.24.2', args: ['proxy', 'sidecar'] },
      ],
      volumes: [{ name: 'v', emptyDir: {} }],
      hostNetwork: false,
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  } as KubeJson;
}

/** A live reader that answers every read with a marker object, recording what it was asked. */
function liveReader() {
  const reads: string[] = [];
  const reader: ClusterReader & { reads: string[] } = {
    reads,
    async list<T extends KubeJson>(_cluster: string, apiVersion: string, kind: string, options: any = {}) {
      reads.push(`list ${kind} ${options.namespace ?? '*'} ${options.labelSelector ?? ''}`.trim());
      return [{ apiVersion, kind, metadata: { name: 'from-live', namespace: options.namespace } }] as unknown as T[];
    },
    async get<T extends KubeJson>(_cluster: string, ref: any): Promise<T | null> {
      reads.push(`get ${ref.kind} ${ref.namespace ?? ''}/${ref.name}`);
      return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: 'from-live' } } as unknown as T;
    },
  };
  return reader;
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}

const names = (objects: KubeJson[]) => objects.map(o => `${o.metadata?.namespace}/${o.metadata?.name}`).sort();

describe('WatchCache', () => {
  let source: FakeWatchSource;
  let live: ReturnType<typeof liveReader>;
  let cache: WatchCache;

  beforeEach(() => {
    source = new FakeWatchSource();
    live = liveReader();
    cache = new WatchCache(live, () => source, mockServices.logger.mock(), { backoff: { baseMs: 20, maxMs: 80 } });
  });

  afterEach(() => cache.stop());

  /** Starts the pod informer (first read goes live) and waits until it has synced. */
  async function syncPods() {
    await cache.list('c1', 'v1', 'Pod');
    await until(() => cache.health().some(h => h.kind === 'v1/Pod' && h.ready));
    live.reads.length = 0;
  }

  it('reads live until the kind has synced, then from memory without asking the apiserver', async () => {
    source.items.set(PODS, [pod('shop', 'a'), pod('shop', 'b'), pod('other', 'c')]);
    const first = await cache.list('c1', 'v1', 'Pod', { namespace: 'shop' });
    expect(names(first)).toEqual(['shop/from-live']);
    expect(live.reads).toEqual(['list Pod shop']);

    await until(() => cache.health().some(h => h.ready));
    live.reads.length = 0;
    expect(names(await cache.list('c1', 'v1', 'Pod', { namespace: 'shop' }))).toEqual(['shop/a', 'shop/b']);
    expect(names(await cache.list('c1', 'v1', 'Pod'))).toEqual(['other/c', 'shop/a', 'shop/b']);
    expect((await cache.get('c1', { apiVersion: 'v1', kind: 'Pod', name: 'c', namespace: 'other' }))?.metadata?.name).toBe('c');
    expect(await cache.get('c1', { apiVersion: 'v1', kind: 'Pod', name: 'gone', namespace: 'other' })).toBeNull();
    expect(live.reads).toEqual([]);
    expect(source.lists).toEqual([PODS]);
  });

  it('filters by label selector as the apiserver does (equality and set-based)', async () => {
    source.items.set(PODS, [
      pod('shop', 'v1', { app: 'web', version: 'v1' }),
      pod('shop', 'v2', { app: 'web', version: 'v2' }),
      pod('shop', 'db', { app: 'db' }),
      pod('other', 'web', { app: 'web', version: 'v1' }),
    ]);
    await syncPods();
    const list = (labelSelector: string, namespace?: string) => cache.list('c1', 'v1', 'Pod', { namespace, labelSelector });
    expect(names(await list('app=web', 'shop'))).toEqual(['shop/v1', 'shop/v2']);
    expect(names(await list('app==web,version=v1'))).toEqual(['other/web', 'shop/v1']);
    expect(names(await list('app!=web', 'shop'))).toEqual(['shop/db']);
    expect(names(await list('version in (v2)'))).toEqual(['shop/v2']);
    expect(names(await list('!version', 'shop'))).toEqual(['shop/db']);
    expect(names(await list('app=nothing'))).toEqual([]);
    expect(live.reads).toEqual([]);
  });

  it('forwards a selector it cannot parse to the live reader (which reports the error)', async () => {
    source.items.set(PODS, [pod('shop', 'a', { app: 'web' })]);
    await syncPods();
    expect(names(await cache.list('c1', 'v1', 'Pod', { labelSelector: 'app=(web' }))).toEqual(['undefined/from-live']);
    expect(live.reads).toEqual(['list Pod * app=(web']);
  });

  it('applies ADDED, MODIFIED and DELETED events', async () => {
    source.items.set(PODS, [pod('shop', 'a', { app: 'web' })]);
    await syncPods();
    const watch = source.lastWatch(PODS);
    watch.emit('ADDED', pod('shop', 'b', { app: 'web' }));
    watch.emit('MODIFIED', pod('shop', 'a', { app: 'db' }));
    expect(names(await cache.list('c1', 'v1', 'Pod', { labelSelector: 'app=web' }))).toEqual(['shop/b']);
    watch.emit('DELETED', pod('shop', 'b', { app: 'web' }));
    expect(names(await cache.list('c1', 'v1', 'Pod'))).toEqual(['shop/a']);
    expect(live.reads).toEqual([]);
  });

  it('answers equality selectors from a label index that every event renews', async () => {
    source.items.set(PODS, [pod('shop', 'a', { app: 'web' }), pod('shop', 'b', { app: 'db' }), pod('other', 'c', { app: 'web' })]);
    await syncPods();
    const web = async (namespace?: string, selector = 'app=web') =>
      names(await cache.list('c1', 'v1', 'Pod', { namespace, labelSelector: selector }));
    expect(await web('shop')).toEqual(['shop/a']);
    expect(await web()).toEqual(['other/c', 'shop/a']);
    const watch = source.lastWatch(PODS);
    watch.emit('ADDED', pod('shop', 'd', { app: 'web', version: 'v2' }));
    expect(await web('shop')).toEqual(['shop/a', 'shop/d']);
    expect(await web('shop', 'app=web,version=v2')).toEqual(['shop/d']);
    expect(await web('shop', 'app in (web),version!=v2')).toEqual(['shop/a']);
    watch.emit('MODIFIED', pod('shop', 'a', { app: 'db' }));
    expect(await web('shop')).toEqual(['shop/d']);
    expect(await web('shop', 'app=db')).toEqual(['shop/a', 'shop/b']);
    watch.emit('DELETED', pod('shop', 'd', { app: 'web' }));
    expect(await web('shop')).toEqual([]);
    expect(await web()).toEqual(['other/c']);
    expect(live.reads).toEqual([]);
  });

  it('keeps what the status reads and drops managedFields, env, mounts and volumes', async () => {
    source.items.set(PODS, [pod('shop', 'a')]);
    await syncPods();
    source.lastWatch(PODS).emit('ADDED', pod('shop', 'b'));
    for (const cached of await cache.list('c1', 'v1', 'Pod')) {
      expect(cached).toEqual({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: expect.objectContaining({
          labels: {},
          annotations: { 'sidecar.istio.io/status': '{"revision":"default"}' },
        }),
        spec: {
          containers: [
            { name: 'app', image: 'app:1' },
            { name: 'istio-proxy', image: 'proxyv2:1.24.2', args: ['proxy', 'sidecar'] },
          ],
          hostNetwork: false,
        },
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      });
      expect(cached.metadata).not.toHaveProperty('managedFields');
    }
  });

  it('reads live while the informer fails, and relists after a backoff', async () => {
    source.items.set(PODS, [pod('shop', 'a')]);
    await syncPods();
    source.failures.set(PODS, new ClusterRequestError('c1', undefined, 'connection refused'));
    source.lastWatch(PODS).fail(Object.assign(new Error('connection reset'), { statusCode: 500 }));
    await until(() => cache.health()[0].failures > 0);
    expect(names(await cache.list('c1', 'v1', 'Pod'))).toEqual(['undefined/from-live']);
    // Retries keep failing while the apiserver is down (backoff 20, 40, 80 ms).
    await until(() => cache.health()[0].failures >= 3);
    expect(cache.health()[0].ready).toBe(false);

    source.failures.delete(PODS);
    source.items.set(PODS, [pod('shop', 'a'), pod('shop', 'new')]);
    await until(() => cache.health()[0].ready);
    live.reads.length = 0;
    expect(names(await cache.list('c1', 'v1', 'Pod'))).toEqual(['shop/a', 'shop/new']);
    expect(live.reads).toEqual([]);
    expect(cache.health()[0].failures).toBe(0);
  });

  it('reads live when the first list fails (e.g. 403), never an empty answer', async () => {
    source.failures.set(VS, new ClusterRequestError('c1', 403, 'forbidden'));
    await cache.list('c1', 'networking.istio.io/v1', 'VirtualService', { namespace: 'shop' });
    await until(() => cache.health()[0].failures > 0);
    expect(names(await cache.list('c1', 'networking.istio.io/v1', 'VirtualService', { namespace: 'shop' }))).toEqual([
      'shop/from-live',
    ]);
  });

  it('relists on 410 Gone and drops objects deleted meanwhile', async () => {
    source.items.set(PODS, [pod('shop', 'a'), pod('shop', 'b')]);
    await syncPods();
    source.items.set(PODS, [pod('shop', 'b'), pod('shop', 'c')]);
    source.lastWatch(PODS).fail(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await until(() => source.lists.length === 2);
    await until(() => source.watches.length === 2);
    expect(names(await cache.list('c1', 'v1', 'Pod'))).toEqual(['shop/b', 'shop/c']);
    expect(cache.health()[0]).toMatchObject({ ready: true, failures: 0 });
  });

  it('lists afresh every resync period, serving the old memory until the new list is in', async () => {
    cache = new WatchCache(live, () => source, mockServices.logger.mock(), {
      backoff: { baseMs: 20, maxMs: 80 },
      resync: { periodMs: 100 },
    });
    source.items.set(PODS, [pod('shop', 'a')]);
    await syncPods();
    // A change the watch never reported (as on a connection dropped without a reset).
    source.items.set(PODS, [pod('shop', 'a'), pod('shop', 'missed')]);
    let releaseList: (() => void) | undefined;
    const listNow = source.list;
    source.list = path =>
      new Promise<void>(resolve => {
        releaseList = resolve;
      }).then(() => listNow(path));
    await until(() => releaseList !== undefined);
    // While the resync's list hangs, reads still come from the old memory, not live.
    expect(cache.health()[0]).toMatchObject({ ready: true, syncs: 1 });
    expect(names(await cache.list('c1', 'v1', 'Pod'))).toEqual(['shop/a']);
    expect(live.reads).toEqual([]);
    releaseList!();
    await until(() => cache.health()[0].syncs === 2);
    expect(names(await cache.list('c1', 'v1', 'Pod'))).toEqual(['shop/a', 'shop/missed']);
    expect(cache.health()[0]).toMatchObject({ ready: true, failures: 0 });
    expect(live.reads).toEqual([]);
  });

  it('stops serving memory when a resync fails, and syncs again after the backoff', async () => {
    cache = new WatchCache(live, () => source, mockServices.logger.mock(), {
      backoff: { baseMs: 20, maxMs: 80 },
      resync: { periodMs: 50 },
    });
    source.items.set(PODS, [pod('shop', 'a')]);
    await syncPods();
    source.failures.set(PODS, new ClusterRequestError('c1', undefined, 'connection refused'));
    await until(() => cache.health()[0].failures > 0);
    expect(names(await cache.list('c1', 'v1', 'Pod'))).toEqual(['undefined/from-live']);
    source.failures.delete(PODS);
    await until(() => cache.health()[0].ready);
    expect(cache.health()[0].failures).toBe(0);
  });

  it('reconnects from the last resourceVersion when the server ends a watch', async () => {
    source.items.set(PODS, [pod('shop', 'a')]);
    await syncPods();
    const first = source.lastWatch(PODS);
    first.emit('ADDED', pod('shop', 'b'));
    first.end();
    await until(() => source.watches.length === 2);
    expect(source.lastWatch(PODS).resourceVersion).toBe('2');
    expect(source.lists).toEqual([PODS]);
    expect(names(await cache.list('c1', 'v1', 'Pod'))).toEqual(['shop/a', 'shop/b']);
  });

  it('starts no informer for a cluster that did not answer the live read', async () => {
    const refused = new ClusterRequestError('down', undefined, 'connect ECONNREFUSED');
    const failing: ClusterReader = {
      list: async () => {
        throw refused;
      },
      get: async () => {
        throw refused;
      },
    };
    cache = new WatchCache(failing, () => source, mockServices.logger.mock());
    await expect(cache.list('down', 'v1', 'Pod', { namespace: 'shop' })).rejects.toBe(refused);
    await expect(cache.get('down', { apiVersion: 'v1', kind: 'Namespace', name: 'shop' })).rejects.toBe(refused);
    expect(cache.health()).toEqual([]);
    expect(source.lists).toEqual([]);
  });

  it('reads kinds and namespaces it does not watch live', async () => {
    await cache.list('c1', 'v1', 'Secret', { namespace: 'shop' });
    await cache.get('c1', { apiVersion: 'v1', kind: 'ConfigMap', name: 'app', namespace: 'shop' });
    expect(live.reads).toEqual(['list Secret shop', 'get ConfigMap shop/app']);
    expect(source.lists).toEqual([]);
  });

  it('serves istio-system ConfigMaps and cluster-scoped Namespaces by name', async () => {
    source.items.set('/api/v1/namespaces/istio-system/configmaps', [
      { metadata: { namespace: 'istio-system', name: 'istio' }, data: { mesh: 'rootNamespace: istio-system' } } as KubeJson,
    ]);
    source.items.set('/api/v1/namespaces', [{ metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } } as KubeJson]);
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', name: 'istio', namespace: 'istio-system' };
    const namespace = { apiVersion: 'v1', kind: 'Namespace', name: 'shop' };
    await cache.get('c1', configMap);
    await cache.get('c1', namespace);
    await until(() => cache.health().every(h => h.ready));
    live.reads.length = 0;
    expect((await cache.get('c1', configMap))?.data).toEqual({ mesh: 'rootNamespace: istio-system' });
    expect((await cache.get('c1', namespace))?.metadata?.labels).toEqual({ 'istio-injection': 'enabled' });
    expect(live.reads).toEqual([]);
  });

  it('keeps clusters apart and reads live after stop', async () => {
    const other = new FakeWatchSource();
    other.items.set(PODS, [pod('shop', 'elsewhere')]);
    source.items.set(PODS, [pod('shop', 'here')]);
    cache = new WatchCache(live, cluster => (cluster === 'c2' ? other : source), mockServices.logger.mock());
    await cache.list('c1', 'v1', 'Pod');
    await cache.list('c2', 'v1', 'Pod');
    await until(() => cache.health().length === 2 && cache.health().every(h => h.ready));
    expect(names(await cache.list('c1', 'v1', 'Pod'))).toEqual(['shop/here']);
    expect(names(await cache.list('c2', 'v1', 'Pod'))).toEqual(['shop/elsewhere']);
    await cache.stop();
    live.reads.length = 0;
    await cache.list('c1', 'v1', 'Pod');
    expect(live.reads).toEqual(['list Pod *']);
  });
});
