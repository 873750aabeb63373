import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { storeTestDatabaseIds } from '../__testUtils__/databaseIds';
import { AuditStore } from './AuditStore';

const ids = storeTestDatabaseIds();
const databases = TestDatabases.create({ ids });

describe.each(ids)('AuditStore on %s', databaseId => {
  async function store() {
    const knex = await databases.init(databaseId);
    return AuditStore.create(mockServices.database({ knex }));
  }

  it('writes rows and reads them back newest first, per entity', async () => {
    const audit = await store();
    const first = await audit.record({
      actor: 'user:default/guest',
      entityRef: 'component:default/backend',
      cluster: 'local',
      namespace: 'prod',
      params: { action: 'canary', preset: '90/10' },
      objects: [
        { kind: 'DestinationRule', name: 'backend', namespace: 'prod' },
        { kind: 'VirtualService', name: 'backend', namespace: 'prod' },
      ],
      result: 'success',
      message: 'backend: v1 90%, v2 10%',
    });
    await new Promise(r => setTimeout(r, 20));
    const second = await audit.record({
      actor: 'user:default/guest',
      entityRef: 'component:default/backend',
      cluster: 'local',
      namespace: 'prod',
      params: { action: 'canary', preset: 'promote' },
      objects: [],
      result: 'failure',
      message: 'conflict with "argocd-controller"',
    });
    await audit.record({
      actor: 'user:default/guest',
      entityRef: 'component:default/payments',
      cluster: 'local',
      namespace: 'shop',
      params: { action: 'mtls', mode: 'STRICT', scope: 'namespace' },
      objects: [{ kind: 'PeerAuthentication', name: 'default', namespace: 'shop' }],
      result: 'success',
    });

    const rows = await audit.list('component:default/backend');
    expect(rows.map(r => r.id)).toEqual([second, first]);
    expect(rows[1]).toMatchObject({
      actor: 'user:default/guest',
      entityRef: 'component:default/backend',
      action: 'canary',
      params: { action: 'canary', preset: '90/10' },
      objects: [
        { kind: 'DestinationRule', name: 'backend', namespace: 'prod' },
        { kind: 'VirtualService', name: 'backend', namespace: 'prod' },
      ],
      result: 'success',
      message: 'backend: v1 90%, v2 10%',
    });
    expect(rows[0].result).toBe('failure');
    expect(new Date(rows[0].createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await audit.list('component:default/payments')).toHaveLength(1);
    expect(rows[1].takeOvers).toBeUndefined();
  });

  it('keeps the fields an apply took over, with their manager', async () => {
    const audit = await store();
    const takeOvers = [
      { kind: 'VirtualService', name: 'backend', namespace: 'prod', manager: 'kubectl', fields: ['.spec.http'] },
    ];
    await audit.record({
      actor: 'user:default/guest',
      entityRef: 'component:default/backend',
      cluster: 'local',
      namespace: 'prod',
      params: { action: 'canary', preset: '90/10' },
      objects: [{ kind: 'VirtualService', name: 'backend', namespace: 'prod' }],
      takeOvers,
      result: 'success',
    });
    expect((await audit.list('component:default/backend'))[0].takeOvers).toEqual(takeOvers);
  });
});
