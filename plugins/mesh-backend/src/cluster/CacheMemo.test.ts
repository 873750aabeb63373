import { mockServices } from '@backstage/backend-test-utils';
import { KubeJson } from './ClusterGateway';
import { ClusterReader } from './ClusterReader';
import { CacheMemo } from './CacheMemo';
import { WatchCache } from './WatchCache';
import { FakeWatchSource } from '../__testUtils__/fakeWatchSource';

const PODS = '/api/v1/pods';
const SERVICES = '/api/v1/services';
const CONFIGMAPS = '/api/v1/namespaces/istio-system/configmaps';

function object(
  kind: string,
  namespace: string,
  name: string,
  labels: Record<string, string> = {},
): KubeJson {
  return {
    apiVersion: 'v1',
    kind,
    metadata: { namespace, name, labels },
  } as KubeJson;
}

const live: ClusterReader = {
  async list<T extends KubeJson>() {
    return [] as T[];
  },
  async get() {
    return null;
  },
};

async function until(
  condition: () => boolean,
  timeoutMs = 2000,
): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs)
      throw new Error('condition not met in time');
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}

describe('CacheMemo', () => {
  let source: FakeWatchSource;
  let cache: WatchCache;
  let derivations: number;

  /** A derivation like the status: pods of `shop` with app=web, and shop's Services. */
  const derive = async (reader: ClusterReader) => {
    derivations += 1;
    const [pods, services] = await Promise.all([
      reader.list('c1', 'v1', 'Pod', {
        namespace: 'shop',
        labelSelector: 'app=web',
      }),
      reader.list('c1', 'v1', 'Service', { namespace: 'shop' }),
    ]);
    return {
      pods: pods.map(p => p.metadata?.name).sort(),
      services: services.length,
    };
  };

  beforeEach(async () => {
    derivations = 0;
    source = new FakeWatchSource();
    source.items.set(PODS, [
      object('Pod', 'shop', 'a', { app: 'web' }),
      object('Pod', 'other', 'x', { app: 'web' }),
    ]);
    source.items.set(SERVICES, [object('Service', 'shop', 'web')]);
    source.items.set(CONFIGMAPS, [
      object('ConfigMap', 'istio-system', 'istio'),
      object('ConfigMap', 'istio-system', 'istio-leader'),
    ]);
    cache = new WatchCache(live, () => source, mockServices.logger.mock(), {
      backoff: { baseMs: 20, maxMs: 80 },
    });
    // First reads go live and start the informers.
    await cache.list('c1', 'v1', 'Pod');
    await cache.list('c1', 'v1', 'Service');
    await cache.list('c1', 'v1', 'ConfigMap', { namespace: 'istio-system' });
    await until(() => cache.health().filter(h => h.ready).length === 3);
  });

  afterEach(() => cache.stop());

  it('derives once while nothing read changes, and again after a change in a namespace it read', async () => {
    const memo = new CacheMemo<Awaited<ReturnType<typeof derive>>>(cache);
    const first = await memo.get('web', derive);
    expect(first).toEqual({ pods: ['a'], services: 1 });
    expect(await memo.get('web', derive)).toBe(first);
    expect(derivations).toBe(1);

    // Another namespace's pods: not read, the value holds.
    source
      .lastWatch(PODS)
      .emit('ADDED', object('Pod', 'other', 'y', { app: 'web' }));
    expect(await memo.get('web', derive)).toBe(first);
    expect(derivations).toBe(1);

    // A pod of shop, and a Service of shop: derived again each time.
    source
      .lastWatch(PODS)
      .emit('ADDED', object('Pod', 'shop', 'b', { app: 'web' }));
    expect(await memo.get('web', derive)).toEqual({
      pods: ['a', 'b'],
      services: 1,
    });
    expect(derivations).toBe(2);
    source
      .lastWatch(SERVICES)
      .emit('DELETED', object('Service', 'shop', 'web'));
    expect(await memo.get('web', derive)).toEqual({
      pods: ['a', 'b'],
      services: 0,
    });
    expect(derivations).toBe(3);
    expect(await memo.get('web', derive)).toEqual({
      pods: ['a', 'b'],
      services: 0,
    });
    expect(derivations).toBe(3);
  });

  it('holds a get while its object is unchanged, and a selector list across namespaces while its objects are', async () => {
    const memo = new CacheMemo<string>(cache);
    // As the status: istiod's ConfigMap by name, the pods a Gateway selects in any namespace.
    const deriveGatewayView = async (reader: ClusterReader) => {
      derivations += 1;
      const [configMap, gatewayPods] = await Promise.all([
        reader.get('c1', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          name: 'istio',
          namespace: 'istio-system',
        }),
        reader.list('c1', 'v1', 'Pod', {
          labelSelector: 'istio=ingressgateway',
        }),
      ]);
      return `${(configMap?.metadata?.labels as any)?.rev ?? '-'} ${gatewayPods
        .map(p => p.metadata?.name)
        .join(',')}`;
    };
    expect(await memo.get('gw', deriveGatewayView)).toBe('- ');
    // Leader election renews another ConfigMap of istio-system every few seconds; other pods change.
    source
      .lastWatch(CONFIGMAPS)
      .emit(
        'MODIFIED',
        object('ConfigMap', 'istio-system', 'istio-leader', { renewed: '1' }),
      );
    source
      .lastWatch(PODS)
      .emit('ADDED', object('Pod', 'shop', 'b', { app: 'web' }));
    expect(await memo.get('gw', deriveGatewayView)).toBe('- ');
    expect(derivations).toBe(1);

    source
      .lastWatch(PODS)
      .emit(
        'ADDED',
        object('Pod', 'istio-system', 'gw-1', { istio: 'ingressgateway' }),
      );
    expect(await memo.get('gw', deriveGatewayView)).toBe('- gw-1');
    source
      .lastWatch(CONFIGMAPS)
      .emit(
        'MODIFIED',
        object('ConfigMap', 'istio-system', 'istio', { rev: 'canary' }),
      );
    expect(await memo.get('gw', deriveGatewayView)).toBe('canary gw-1');
    expect(derivations).toBe(3);
    source
      .lastWatch(CONFIGMAPS)
      .emit('DELETED', object('ConfigMap', 'istio-system', 'istio'));
    expect(await memo.get('gw', deriveGatewayView)).toBe('- gw-1');
    expect(derivations).toBe(4);
  });

  it('derives again after a fresh list (a relist may change anything)', async () => {
    const memo = new CacheMemo<Awaited<ReturnType<typeof derive>>>(cache);
    await memo.get('web', derive);
    source.items.set(PODS, [object('Pod', 'shop', 'c', { app: 'web' })]);
    const watch = source.lastWatch(PODS);
    watch.fail(Object.assign(new Error('gone'), { statusCode: 410 }));
    await until(() => source.lastWatch(PODS) !== watch);
    expect(await memo.get('web', derive)).toEqual({ pods: ['c'], services: 1 });
    expect(derivations).toBe(2);
  });

  it('keeps nothing that read live (a kind not synced), so it is never staler than the cache', async () => {
    const memo = new CacheMemo<number>(cache);
    const deriveWithVs = async (reader: ClusterReader) => {
      derivations += 1;
      await reader.list('c1', 'networking.istio.io/v1', 'VirtualService', {
        namespace: 'shop',
      });
      return derivations;
    };
    expect(await memo.get('vs', deriveWithVs)).toBe(1);
    expect(await memo.get('vs', deriveWithVs)).toBe(2);
    expect(memo.size).toBe(0);
  });

  it('derives again when the informer it read fails, and keeps at most maxEntries values', async () => {
    const memo = new CacheMemo<Awaited<ReturnType<typeof derive>>>(cache, 2);
    await memo.get('one', derive);
    await memo.get('two', derive);
    await memo.get('one', derive); // now the most recently used
    await memo.get('three', derive);
    expect(memo.size).toBe(2);
    expect(derivations).toBe(3);
    await memo.get('one', derive);
    expect(derivations).toBe(3);
    await memo.get('two', derive); // evicted
    expect(derivations).toBe(4);

    source
      .lastWatch(PODS)
      .fail(
        Object.assign(new Error('connection refused'), { statusCode: 503 }),
      );
    await until(() => !cache.health().find(h => h.kind === 'v1/Pod')!.ready);
    await memo.get('two', derive);
    expect(derivations).toBe(5);
  });
});
