import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { EntityLookupCache } from './EntityLookupCache';

const entity = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name },
});

describe('EntityLookupCache', () => {
  it('answers repeated lookups of one caller from memory until the TTL passes', async () => {
    let now = 0;
    const cache = new EntityLookupCache(5_000, 10, () => now);
    const load = jest.fn(async () => entity('backend'));
    const guest = mockCredentials.user('user:default/guest');
    await cache.get('component:default/backend', guest, load);
    now = 4_999;
    await cache.get('component:default/backend', guest, load);
    expect(load).toHaveBeenCalledTimes(1);
    now = 5_000;
    await cache.get('component:default/backend', guest, load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('never answers one caller with another caller\'s lookup', async () => {
    const cache = new EntityLookupCache();
    const asGuest = jest.fn(async () => entity('backend'));
    const asOther = jest.fn(async () => undefined);
    expect(await cache.get('component:default/backend', mockCredentials.user('user:default/guest'), asGuest)).toEqual(
      entity('backend'),
    );
    expect(await cache.get('component:default/backend', mockCredentials.user('user:default/other'), asOther)).toBeUndefined();
    expect(asOther).toHaveBeenCalledTimes(1);
  });

  it('does not remember failures, and stays within its size', async () => {
    const cache = new EntityLookupCache(5_000, 2);
    const guest = mockCredentials.user('user:default/guest');
    const failing = jest.fn(async () => {
      throw new Error('catalog down');
    });
    await expect(cache.get('component:default/a', guest, failing)).rejects.toThrow('catalog down');
    await expect(cache.get('component:default/a', guest, failing)).rejects.toThrow('catalog down');
    expect(failing).toHaveBeenCalledTimes(2);

    const load = jest.fn(async () => entity('x'));
    for (const name of ['a', 'b', 'c']) await cache.get(`component:default/${name}`, guest, load);
    await cache.get('component:default/a', guest, load); // evicted as the oldest: loads again
    expect(load).toHaveBeenCalledTimes(4);
  });
});
