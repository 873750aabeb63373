import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuditStore } from '../audit/AuditStore';
import { KubeJson } from '../cluster/ClusterGateway';
import { CACHED_STATUS_REFRESH_MS } from '../cluster/WatchCache';
import { FakeClusterGateway } from '../__testUtils__/fakeClusterGateway';
import { MeshService } from './MeshService';

const entityRef = 'component:default/web';
const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'web',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'web',
      'backstage.io/kubernetes-namespace': 'prod',
      'backstage.io/kubernetes-label-selector': 'app=web',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'group:default/team' },
};

/** The same Deployment in both readers; the pod's name tells which reader answered. */
function cluster(podName: string) {
  const labels = { app: 'web', version: 'v1' };
  return new FakeClusterGateway([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: {} } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'prod' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels }, spec: { containers: [{ name: 'web' }] } } },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: podName, namespace: 'prod', labels },
      spec: { containers: [{ name: 'web', image: 'web:1' }] },
      status: { phase: 'Running' },
    },
  ] as KubeJson[]);
}

const credentials = mockCredentials.user();

describe('MeshService with a status cache', () => {
  const live = cluster('web-live');
  const cached = cluster('web-cached');
  const service = new MeshService({
    catalog: catalogServiceMock({ entities: [entity] }),
    gateway: live.asGateway(),
    statusReader: cached.asGateway(),
    audit: {} as AuditStore,
    logger: mockServices.logger.mock(),
  });

  beforeEach(() => {
    live.calls.length = 0;
    cached.calls.length = 0;
  });

  it('reads the status through the cache and tells the browser how often to re-read it', async () => {
    const status = await service.status(entityRef, credentials);
    const [local] = status.clusters;
    if (!local.ok) throw new Error(local.error.message);
    expect(local.workloads.flatMap(w => w.pods.map(p => p.name))).toEqual(['web-cached']);
    expect(status.refreshMs).toBe(CACHED_STATUS_REFRESH_MS);
    expect(cached.reads.length).toBeGreaterThan(0);
    expect(live.reads).toEqual([]);
  });

  it('plans against live objects only, never the cache', async () => {
    const plan = await service.plan(entityRef, { action: 'onboard', scope: 'namespace' }, credentials);
    expect(plan.objects.some(o => o.operation === 'restart' && o.name === 'web')).toBe(true);
    expect(live.reads.length).toBeGreaterThan(0);
    expect(cached.calls).toEqual([]);
  });
});
