import { mockServices } from '@backstage/backend-test-utils';
import { KubernetesListObject } from '@kubernetes/client-node';
import v8 from 'node:v8';
import vm from 'node:vm';
import { KubeJson } from './ClusterGateway';
import { WatchCache } from './WatchCache';
import { syntheticPod } from '../__testUtils__/syntheticPod';

const PODS = 10_000;

v8.setFlagsFromString('--expose-gc');
const gc: () => void = vm.runInNewContext('gc');

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * The status cache's memory at 10k pods: a fake apiserver serves the list as JSON text (each
 * list parsed afresh, as from the wire), the heap is measured after GC before and after the
 * informer has synced.
 */
describe('WatchCache memory', () => {
  it(`holds ${PODS} Istio-injected pods in a bounded heap`, async () => {
    const items = Array.from({ length: PODS }, (_, i) => syntheticPod(`ns-${i % 10}`, i));
    const listText = JSON.stringify({ apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '1' }, items });
    const bytesPerPodJson = Buffer.byteLength(listText) / PODS;
    items.length = 0;
    const source = {
      list: async () => JSON.parse(listText) as KubernetesListObject<KubeJson>,
      watch: { watch: async () => new AbortController() },
    };
    const live = { list: async () => [], get: async () => null };

    // Untrimmed, for comparison: the same list parsed and kept.
    const before = heapUsed();
    let untrimmed: unknown = JSON.parse(listText);
    const untrimmedBytes = heapUsed() - before;
    untrimmed = undefined;

    const base = heapUsed();
    const cache = new WatchCache(live as any, () => source as any, mockServices.logger.mock());
    await cache.list('c1', 'v1', 'Pod');
    const start = Date.now();
    while (!cache.health()[0]?.ready && Date.now() - start < 10_000) await new Promise(r => setTimeout(r, 10));
    const cachedBytes = heapUsed() - base;
    expect(await cache.list('c1', 'v1', 'Pod')).toHaveLength(PODS);

    const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
    // eslint-disable-next-line no-console
    console.log(
      `status cache @ ${PODS} pods: ${mb(cachedBytes)} MB heap (${Math.round(cachedBytes / PODS)} B/pod); ` +
        `untrimmed ${mb(untrimmedBytes)} MB (${Math.round(untrimmedBytes / PODS)} B/pod); ` +
        `list JSON ${Math.round(bytesPerPodJson)} B/pod`,
    );
    expect(untrimmed).toBeUndefined();
    // Trimming keeps well under half of what the apiserver sends, and 10k pods under 64 MB.
    expect(cachedBytes).toBeLessThan(untrimmedBytes / 2);
    expect(cachedBytes).toBeLessThan(64 * 1024 * 1024);
    await cache.stop();
  }, 60_000);
});
