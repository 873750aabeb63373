import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ClusterMeshStatus } from '@mesh-portal/backstage-plugin-mesh-common';
import { AuditStore } from '../audit/AuditStore';
import { WatchSource } from '../cluster/KindInformer';
import { WatchCache } from '../cluster/WatchCache';
import { kubeWatchSource } from '../cluster/kubeWatchSource';
import { MeshService } from '../services/MeshService';
import { ClusterGateway } from '../cluster/ClusterGateway';
import { appManifests, component, kubectlApply, localClusterConfig, localMesh, meshServiceFor } from '../__testUtils__/localMesh';

jest.setTimeout(240_000);

const credentials = mockCredentials.user('user:default/guest');
const ref = 'component:default/web';

/**
 * The client library's source on the real apiserver, with a handle to break the open watches
 * (as an apiserver restart or a dropped connection would) and a count of full lists.
 */
function breakableSource(inner: WatchSource) {
  const open = new Set<(error: unknown) => void>();
  const source = {
    lists: 0,
    list: async (path: string) => {
      source.lists += 1;
      return inner.list(path);
    },
    watch: {
      watch: async (path: string, query: any, callback: any, done: (error: unknown) => void) => {
        const once = (error: unknown) => {
          if (!open.delete(once)) return;
          done(error);
        };
        open.add(once);
        return inner.watch.watch(path, query, callback, once);
      },
    },
    /** Every open watch fails with a connection error (not 410): the informers restart and relist. */
    breakWatches() {
      for (const fail of [...open]) fail(Object.assign(new Error('connection reset (test)'), { statusCode: 503 }));
    },
  };
  return source;
}

async function within<T>(timeoutMs: number, read: () => Promise<T | undefined>): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  for (;;) {
    const value = await read();
    if (value !== undefined) return { value, ms: Date.now() - start };
    if (Date.now() - start > timeoutMs) throw new Error(`not seen within ${timeoutMs} ms`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

describe('status from the watch cache on the local mesh', () => {
  let namespace: string;
  let cache: WatchCache;
  let source: ReturnType<typeof breakableSource>;
  let service: MeshService;

  beforeAll(async () => {
    await localMesh.ensureMesh();
    namespace = await localMesh.freshNamespace('watchcache');
    await kubectlApply(appManifests('web', namespace, ['v1']));
    const entities = [component('web', namespace)];
    const { gateway } = await meshServiceFor(entities);
    const logger = mockServices.logger.mock();
    cache = new WatchCache(
      gateway,
      cluster => {
        source = breakableSource(kubeWatchSource(cluster, gateway.kubeConfig(cluster)));
        return source;
      },
      logger,
      { backoff: { baseMs: 200, maxMs: 1000 } },
    );
    service = new MeshService({
      catalog: catalogServiceMock({ entities }),
      gateway,
      statusReader: cache,
      audit: {} as AuditStore,
      logger,
    });
  });

  afterAll(async () => {
    await cache?.stop();
    if (namespace) await localMesh.deleteNamespace(namespace);
  });

  async function pods(): Promise<Array<{ name: string; optedOut: boolean }>> {
    const status = await service.status(ref, credentials);
    const local = status.clusters[0] as ClusterMeshStatus & { ok: true };
    if (!local.ok) throw new Error(`status failed: ${JSON.stringify(local)}`);
    return local.workloads.flatMap(w => w.pods);
  }

  async function podName(): Promise<string> {
    const { value } = await within(120_000, async () => (await pods())[0]?.name);
    return value;
  }

  async function label(pod: string, value: string) {
    const res = await localMesh.kubectl(['label', 'pod', pod, '-n', namespace, '--overwrite', `sidecar.istio.io/inject=${value}`]);
    if (res.code !== 0) throw new Error(`kubectl label: ${res.stderr}`);
  }

  it('shows a pod label change within 2 s, read from memory', async () => {
    const pod = await podName();
    await within(30_000, async () => (cache.health().length > 0 && cache.health().every(h => h.ready) ? true : undefined));
    const listsBefore = source.lists;

    await label(pod, 'false');
    const { ms } = await within(5_000, async () => ((await pods()).find(p => p.name === pod)?.optedOut ? true : undefined));
    expect(ms).toBeLessThan(2000);
    // From the watch, not from new lists.
    expect(source.lists).toBe(listsBefore);
    expect(cache.health().every(h => h.ready)).toBe(true);
  });

  it('relists after its watches break and catches up with changes made meanwhile', async () => {
    const pod = await podName();
    await within(30_000, async () => (cache.health().every(h => h.ready) ? true : undefined));
    const listsBefore = source.lists;

    source.breakWatches();
    await label(pod, 'true'); // while the informers restart (reads go live meanwhile)
    await within(5_000, async () => ((await pods()).find(p => p.name === pod)?.optedOut === false ? true : undefined));

    await within(15_000, async () => (cache.health().every(h => h.ready && h.failures === 0) ? true : undefined));
    expect(source.lists).toBeGreaterThan(listsBefore);
    await label(pod, 'false');
    const { ms } = await within(5_000, async () => ((await pods()).find(p => p.name === pod)?.optedOut ? true : undefined));
    expect(ms).toBeLessThan(2000);
  });

  it('relists after its kube-apiserver restarts, and serves changes from memory again', async () => {
    // Its own apiserver (a second one on the same etcd), so the restart disturbs no other test.
    const port = 16443;
    const mesh = await localMesh.ensureMesh();
    const url = await localMesh.apiserverReplica.start(port);
    const gateway = new ClusterGateway([localClusterConfig(mesh, { url })], 'mesh-portal', mockServices.logger.mock(), 5_000);
    let replicaSource: ReturnType<typeof breakableSource> | undefined;
    const replicaCache = new WatchCache(
      gateway,
      cluster => {
        replicaSource = breakableSource(kubeWatchSource(cluster, gateway.kubeConfig(cluster)));
        return replicaSource;
      },
      mockServices.logger.mock(),
      { backoff: { baseMs: 200, maxMs: 1000 } },
    );
    const entities = [component('web', namespace)];
    const replicaService = new MeshService({
      catalog: catalogServiceMock({ entities }),
      gateway,
      statusReader: replicaCache,
      audit: {} as AuditStore,
      logger: mockServices.logger.mock(),
    });
    const optedOut = async (pod: string) => {
      const status = await replicaService.status(ref, credentials);
      const local = status.clusters[0] as ClusterMeshStatus & { ok: true };
      return local.ok ? local.workloads.flatMap(w => w.pods).find(p => p.name === pod)?.optedOut : undefined;
    };
    try {
      const pod = await podName();
      await optedOut(pod); // starts the informers
      await within(30_000, async () => (replicaCache.health().length > 0 && replicaCache.health().every(h => h.ready) ? true : undefined));
      const listsBefore = replicaSource!.lists;

      await localMesh.apiserverReplica.stop(port);
      await within(10_000, async () => (replicaCache.health().some(h => h.failures > 0) ? true : undefined));
      await label(pod, 'true'); // through the main apiserver, while this one is down
      await localMesh.apiserverReplica.start(port);
      await within(10_000, async () => ((await optedOut(pod)) === false ? true : undefined));
      await within(30_000, async () => (replicaCache.health().every(h => h.ready && h.failures === 0) ? true : undefined));
      expect(replicaSource!.lists).toBeGreaterThan(listsBefore);

      // The watches run again: the next change reaches memory within 2 s with no new list.
      const listsAfter = replicaSource!.lists;
      await label(pod, 'false');
      const { ms } = await within(5_000, async () => ((await optedOut(pod)) ? true : undefined));
      expect(ms).toBeLessThan(2000);
      expect(replicaSource!.lists).toBe(listsAfter);
    } finally {
      await replicaCache.stop();
      await localMesh.apiserverReplica.stop(port);
    }
  });
});
