// Backend smoke test against the running portal (scripts/portal-for-tests: PostgreSQL and the
// local cluster): readiness, guest sign-in, the catalog's sample entities, the mesh plugin.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const backend = process.env.BACKEND_URL ?? 'http://localhost:7007';

async function guestToken() {
  const res = await fetch(`${backend}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  assert.equal(res.status, 200, 'guest sign-in answers 200');
  return (await res.json()).backstageIdentity.token;
}

test('the backend is ready', async () => {
  const res = await fetch(`${backend}/.backstage/health/v1/readiness`);
  assert.equal(res.status, 200);
});

test('the guest signs in as user:default/guest, member of the owning teams', async () => {
  const res = await fetch(`${backend}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  const body = await res.json();
  assert.equal(body.backstageIdentity.identity.userEntityRef, 'user:default/guest');
  assert.ok(body.backstageIdentity.identity.ownershipEntityRefs.includes('group:default/platform-team'));
});

test('the catalog lists the sample services with their Kubernetes annotations', async () => {
  const token = await guestToken();
  const res = await fetch(`${backend}/api/catalog/entities/by-query?filter=kind=component`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200);
  const { items } = await res.json();
  const names = items.map(e => e.metadata.name).sort();
  assert.deepEqual(names, ['backend', 'checkout', 'frontend', 'payments']);
  const backendEntity = items.find(e => e.metadata.name === 'backend');
  assert.equal(backendEntity.metadata.annotations['backstage.io/kubernetes-namespace'], 'prod');
});

test('the mesh plugin answers its health route', async () => {
  const token = await guestToken();
  const res = await fetch(`${backend}/api/mesh/health`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok' });
});

test('the mesh plugin refuses unauthenticated calls', async () => {
  const res = await fetch(`${backend}/api/mesh/entities/default/component/backend/status`);
  assert.equal(res.status, 401);
});
