import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { storeTestDatabaseIds } from '../__testUtils__/databaseIds';
import { migratedClient } from '../database/migrate';
import { ApplyClaims, ApplyInProgressError, ClaimedObject } from './ApplyClaims';

const ids = storeTestDatabaseIds();
const databases = TestDatabases.create({ ids });
jest.setTimeout(60_000);

const vs: ClaimedObject = { cluster: 'local', apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: 'prod', name: 'backend' };
const dr: ClaimedObject = { ...vs, kind: 'DestinationRule' };
const other: ClaimedObject = { ...vs, name: 'frontend' };

describe.each(ids)('ApplyClaims on %s', databaseId => {
  async function claimsOn(now?: () => number) {
    const knex = await migratedClient(mockServices.database({ knex: await databases.init(databaseId) }));
    return { knex, claims: new ApplyClaims(knex, now) };
  }

  it('gives an object to one apply at a time, and to the next once released', async () => {
    const { claims } = await claimsOn();
    const first = await claims.claim([dr, vs]);
    await expect(claims.claim([vs])).rejects.toThrow(ApplyInProgressError);
    await expect(claims.claim([vs])).rejects.toThrow(
      'another apply is writing VirtualService prod/backend (cluster local) right now: nothing applied; plan again in a moment',
    );
    // Other objects stay free.
    const unrelated = await claims.claim([other]);
    await first.release();
    const second = await claims.claim([vs]);
    await second.release();
    await unrelated.release();
  });

  it('claims all objects of a plan or none', async () => {
    const { claims } = await claimsOn();
    const held = await claims.claim([vs]);
    await expect(claims.claim([dr, vs])).rejects.toThrow(/VirtualService prod\/backend/);
    // The DestinationRule of the refused claim was not kept.
    const drOnly = await claims.claim([dr]);
    await drOnly.release();
    await held.release();
  });

  it('of many simultaneous claims on one object exactly one succeeds', async () => {
    const { claims } = await claimsOn();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => claims.claim([dr, vs])));
    const won = results.filter(r => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter(r => r.status === 'rejected' && r.reason instanceof ApplyInProgressError)).toHaveLength(7);
    await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  });

  it('voids a claim its holder never released once it expired', async () => {
    let now = 1_000_000;
    const { claims, knex } = await claimsOn(() => now);
    await claims.claim([vs], 60_000); // a replica that stopped mid-apply
    now += 59_999;
    await expect(claims.claim([vs])).rejects.toThrow(ApplyInProgressError);
    now += 2;
    const taken = await claims.claim([vs]);
    const rows = () => knex('mesh_apply_claims').select('holder');
    expect(await rows()).toHaveLength(1); // the stale claim was replaced, not kept beside
    await taken.release();
    expect(await rows()).toEqual([]);
  });
});
