import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { storeTestDatabaseIds } from '../__testUtils__/databaseIds';
import { ConflictError } from '@backstage/errors';
import { CanaryRunStore, NewCanaryRun } from './CanaryRunStore';

const ids = storeTestDatabaseIds();
const databases = TestDatabases.create({ ids });

const t0 = new Date('2026-03-01T10:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

const newRun = (overrides: Partial<NewCanaryRun> = {}): NewCanaryRun => ({
  entityRef: 'component:default/backend',
  cluster: 'local',
  namespace: 'prod',
  service: 'backend',
  virtualService: 'backend',
  stable: 'v1',
  canary: 'v2',
  steps: [10, 25, 50, 100],
  intervalSeconds: 60,
  weight: 10,
  actor: 'user:default/alice',
  ...overrides,
});

describe.each(ids)('CanaryRunStore on %s', databaseId => {
  async function store() {
    const knex = await databases.init(databaseId);
    return CanaryRunStore.create(mockServices.database({ knex }));
  }

  it('stores a run and reads it back with its history', async () => {
    const runs = await store();
    const run = await runs.insert(newRun(), t0, at(120));
    expect(run).toMatchObject({
      ...newRun(),
      state: 'running',
      lastStepAt: t0.toISOString(),
      unavailableChecks: 0,
      createdAt: t0.toISOString(),
      history: [],
    });
    expect(run.finishedAt).toBeUndefined();

    await runs.addStep(run.id, { at: t0, weight: 10, decision: 'start', actor: 'user:default/alice' });
    await runs.addStep(run.id, {
      at: at(60),
      weight: 25,
      decision: 'advance',
      reason: 'v2 healthy',
      successRate: 99.87,
      p99Ms: 42.5,
      requests: 120,
    });
    expect((await runs.get(run.id))!.history).toEqual([
      { at: t0.toISOString(), weight: 10, decision: 'start', actor: 'user:default/alice' },
      {
        at: at(60).toISOString(),
        weight: 25,
        decision: 'advance',
        reason: 'v2 healthy',
        successRate: 99.87,
        p99Ms: 42.5,
        requests: 120,
      },
    ].map(step => expect.objectContaining(step)));
  });

  it('refuses a second active run for the same entity and service, naming the first', async () => {
    const runs = await store();
    const first = await runs.insert(newRun(), t0, at(120));
    await expect(runs.insert(newRun({ actor: 'user:default/bob' }), at(1), at(121))).rejects.toThrow(
      new ConflictError(
        `a guided canary run of backend is already running (run ${first.id}, started by user:default/alice); abort it first`,
      ),
    );
    // Another service of the entity, or the same service of another entity, may run.
    await runs.insert(newRun({ service: 'backend-admin' }), at(2), at(122));
    await runs.insert(newRun({ entityRef: 'component:default/payments' }), at(3), at(123));
    // Once the first is over, its service is free again.
    expect(await runs.update(first.id, { state: 'rolled-back', outcome: 'v2 failing' }, at(4))).toBe(true);
    const second = await runs.insert(newRun(), at(5), at(125));
    expect(second.id).not.toBe(first.id);
    const finished = (await runs.get(first.id))!;
    expect(finished).toMatchObject({ state: 'rolled-back', outcome: 'v2 failing', finishedAt: at(4).toISOString() });
  });

  it('lets only one of two simultaneous starts through', async () => {
    const runs = await store();
    const results = await Promise.allSettled([
      runs.insert(newRun(), t0, at(120)),
      runs.insert(newRun({ actor: 'user:default/bob' }), t0, at(120)),
    ]);
    expect(results.map(r => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find(r => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ConflictError);
    expect(await runs.list('component:default/backend')).toHaveLength(1);
  });

  it('leases a run to one worker at a time; an expired lease can be taken over', async () => {
    const runs = await store();
    const run = await runs.insert(newRun(), t0, at(30));
    expect(await runs.runnable(at(10))).toEqual([]);
    expect(await runs.tryLease(run.id, at(10), at(40))).toBe(false);
    expect(await runs.runnable(at(30))).toEqual([run.id]);
    expect(await runs.tryLease(run.id, at(31), at(60))).toBe(true);
    expect(await runs.tryLease(run.id, at(32), at(62))).toBe(false);
    await runs.release(run.id);
    expect(await runs.tryLease(run.id, at(33), at(63))).toBe(true);
  });

  it('lists only running runs as runnable, oldest first', async () => {
    const runs = await store();
    const a = await runs.insert(newRun(), t0, t0);
    const b = await runs.insert(newRun({ service: 'other' }), at(1), at(1));
    const c = await runs.insert(newRun({ service: 'third' }), at(2), at(2));
    await runs.update(c.id, { state: 'paused' }, at(3));
    expect(await runs.runnable(at(10))).toEqual([a.id, b.id]);
  });

  it('changes state only from the states given', async () => {
    const runs = await store();
    const run = await runs.insert(newRun(), t0, t0);
    await runs.update(run.id, { state: 'completed' }, at(1));
    expect(await runs.update(run.id, { state: 'paused' }, at(2), ['running'])).toBe(false);
    expect((await runs.get(run.id))!.state).toBe('completed');
  });

  it('refreshes one row for a repeated hold of the same kind', async () => {
    const runs = await store();
    const run = await runs.insert(newRun(), t0, t0);
    await runs.addStep(run.id, { at: t0, weight: 10, decision: 'start' });
    await runs.addStep(run.id, { at: at(15), weight: 10, decision: 'hold', hold: 'interval', reason: 'next step in 45 s' });
    await runs.addStep(run.id, { at: at(30), weight: 10, decision: 'hold', hold: 'interval', reason: 'next step in 30 s' });
    await runs.addStep(run.id, { at: at(45), weight: 10, decision: 'hold', hold: 'traffic', reason: '12 requests' });
    await runs.addStep(run.id, { at: at(60), weight: 10, decision: 'hold', hold: 'traffic', reason: '30 requests', requests: 30 });
    const { history } = (await runs.get(run.id))!;
    expect(history.map(s => [s.decision, s.at, s.reason])).toEqual([
      ['start', t0.toISOString(), undefined],
      ['hold', at(30).toISOString(), 'next step in 30 s'],
      ['hold', at(60).toISOString(), '30 requests'],
    ]);
    expect(history[2].requests).toBe(30);
  });

  it('lists an entity\'s runs newest first with their steps', async () => {
    const runs = await store();
    const old = await runs.insert(newRun(), t0, t0);
    await runs.addStep(old.id, { at: t0, weight: 10, decision: 'start' });
    await runs.update(old.id, { state: 'aborted', outcome: 'aborted by user:default/alice' }, at(5));
    const current = await runs.insert(newRun(), at(10), at(10));
    await runs.addStep(current.id, { at: at(10), weight: 10, decision: 'start' });
    await runs.addStep(current.id, { at: at(70), weight: 25, decision: 'advance' });
    await runs.insert(newRun({ entityRef: 'component:default/payments' }), at(20), at(20));
    const listed = await runs.list('component:default/backend');
    expect(listed.map(r => [r.id, r.state, r.history.map(s => s.weight)])).toEqual([
      [current.id, 'running', [10, 25]],
      [old.id, 'aborted', [10]],
    ]);
  });
});
