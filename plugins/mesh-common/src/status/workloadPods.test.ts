import type { PodMeshStatus } from '../api/status';
import { MAX_LISTED_PODS_PER_WORKLOAD, meshedPodTotals, workloadPods } from './workloadPods';

const pod = (name: string, fields: Partial<PodMeshStatus> = {}): PodMeshStatus => ({
  name,
  phase: 'Running',
  ready: true,
  injected: true,
  nativeSidecar: false,
  optedOut: false,
  ambient: false,
  ...fields,
});

describe('workloadPods', () => {
  it('lists every pod of a small workload, those needing attention first, and counts them', () => {
    const result = workloadPods([
      pod('b-healthy'),
      pod('a-healthy'),
      pod('z-no-sidecar', { injected: false }),
      pod('y-starting', { ready: false }),
      pod('x-opted-out', { injected: false, optedOut: true }),
      pod('w-ambient', { injected: false, ambient: true }),
      pod('v-done', { injected: false, phase: 'Succeeded', ready: false }),
    ]);
    expect(result.pods.map(p => p.name)).toEqual([
      'z-no-sidecar',
      'y-starting',
      'x-opted-out',
      'a-healthy',
      'b-healthy',
      'v-done',
      'w-ambient',
    ]);
    expect(result.podCounts).toEqual({ total: 7, ready: 5, meshed: 4, optedOut: 1 });
  });

  it('caps the list of a large workload and keeps every pod that needs attention in it', () => {
    const pods = Array.from({ length: 10_000 }, (_, i) =>
      pod(`app-${String(i).padStart(5, '0')}`, i % 1000 === 7 ? { injected: false } : {}),
    );
    const result = workloadPods(pods);
    expect(result.pods).toHaveLength(MAX_LISTED_PODS_PER_WORKLOAD);
    expect(result.pods.slice(0, 10).map(p => p.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `app-${String(i * 1000 + 7).padStart(5, '0')}`),
    );
    expect(result.pods.slice(10).every(p => p.injected)).toBe(true);
    expect(result.podCounts).toEqual({ total: 10_000, ready: 10_000, meshed: 9_990, optedOut: 0 });
  });

  it('honours a smaller limit, and lists nothing for limit 0', () => {
    const pods = [pod('c'), pod('b', { ready: false }), pod('a')];
    expect(workloadPods(pods, 2).pods.map(p => p.name)).toEqual(['b', 'a']);
    expect(workloadPods(pods, 0)).toEqual({ pods: [], podCounts: { total: 3, ready: 2, meshed: 3, optedOut: 0 } });
  });
});

describe('meshedPodTotals', () => {
  it('sums the counts of every workload, listed pods or not', () => {
    const counts = (total: number, meshed: number) => ({
      kind: 'Deployment' as const,
      name: 'w',
      namespace: 'prod',
      labels: {},
      replicas: total,
      pods: [],
      podCounts: { total, ready: total, meshed, optedOut: 0 },
    });
    expect(meshedPodTotals([counts(2500, 2497), counts(1, 0)])).toEqual({ meshed: 2497, total: 2501 });
    expect(meshedPodTotals([])).toEqual({ meshed: 0, total: 0 });
  });
});
