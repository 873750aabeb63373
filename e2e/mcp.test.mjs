// MCP test against the running portal (scripts/portal-for-tests: PostgreSQL and the local
// cluster): an assistant's view of the mesh actions through @backstage/plugin-mcp-actions-backend,
// with the MCP TypeScript SDK's client. As the guest (a user who owns the sample services) and
// as the test portal's static token (a service principal, which may read but never apply).
// Changes nothing in the cluster: the one apply it makes must be refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const backend = process.env.BACKEND_URL ?? 'http://localhost:7007';
const mcpUrl = `${backend}/api/mcp-actions/v1`;
// Written by scripts/portal-for-tests start, new each start.
const staticToken = () =>
  process.env.MCP_TOKEN ?? readFileSync(path.join(repo, '.data', 'portal-for-tests', 'mcp-token'), 'utf8').trim();

const BACKEND = 'component:default/backend';
// The canary change asked for; names the mesh VirtualService when one exists (before()), since
// with an ingress-bound one beside it the request must say which split it changes.
let CANARY_90_10 = { action: 'canary', weights: { v1: 90, v2: 10 } };

async function guestToken() {
  const res = await fetch(`${backend}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  assert.equal(res.status, 200, 'guest sign-in answers 200');
  return (await res.json()).backstageIdentity.token;
}

async function connect(token) {
  const client = new Client({ name: 'mesh-portal-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcpUrl), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

/** The tool's text answer, for messages in failures. */
const textOf = result => (result.content ?? []).map(c => c.text ?? '').join('\n');

/** A successful tool call's structured answer. */
async function call(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  assert.ok(!result.isError, `${name} ${JSON.stringify(args)} answered an error: ${textOf(result)}`);
  assert.ok(result.structuredContent, `${name} answered structured content`);
  return result.structuredContent;
}

/** The weights of the backend's split per subset, from a status answer. */
function backendWeights(status) {
  const cluster = status.clusters.find(c => c.ok);
  const split = cluster?.trafficSplits.find(s => s.service === 'backend' && s.gateways.length === 0);
  return Object.fromEntries((split?.routes ?? []).map(r => [r.subset ?? '(none)', r.weight]));
}

let guest;
let service;
let userToken;
before(async () => {
  userToken = await guestToken();
  guest = await connect(userToken);
  service = await connect(staticToken());
  const status = await call(guest, 'mesh.get-status', { entityRef: BACKEND });
  const meshSplit = status.clusters
    .find(c => c.ok)
    ?.trafficSplits.find(s => s.service === 'backend' && s.gateways.length === 0 && s.virtualService);
  if (meshSplit) CANARY_90_10 = { ...CANARY_90_10, virtualService: meshSplit.virtualService };
  // A plan that changes something: when an earlier run left 90/10 in place, ask for 80/20.
  if (backendWeights(status).v1 === 90) CANARY_90_10 = { ...CANARY_90_10, weights: { v1: 80, v2: 20 } };
});
after(async () => {
  await guest?.close();
  await service?.close();
});

test('the MCP server refuses a client without credentials', async () => {
  const res = await fetch(mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  assert.equal(res.status, 401);
});

test('lists the mesh tools: get-status and plan read-only, apply destructive, with the shared request schema', async () => {
  for (const client of [guest, service]) {
    const { tools } = await client.listTools();
    const byName = Object.fromEntries(tools.map(t => [t.name, t]));
    for (const name of ['mesh.get-status', 'mesh.plan', 'mesh.apply']) {
      assert.ok(byName[name], `${name} is listed (got ${Object.keys(byName).join(', ')})`);
    }
    assert.equal(byName['mesh.get-status'].annotations.readOnlyHint, true);
    assert.equal(byName['mesh.plan'].annotations.readOnlyHint, true);
    assert.equal(byName['mesh.plan'].annotations.destructiveHint, false);
    assert.equal(byName['mesh.apply'].annotations.destructiveHint, true);
    assert.equal(byName['mesh.apply'].annotations.readOnlyHint, false);
    const input = byName['mesh.plan'].inputSchema;
    assert.deepEqual(input.required, ['entityRef', 'change']);
    const actions = input.properties.change.anyOf.map(a => a.properties.action.const).sort();
    assert.deepEqual(actions, ['access', 'canary', 'expose', 'mtls', 'onboard', 'resilience']);
  }
});

test('gets the status of backend: meshed in namespace prod, versions v1 and v2 (as the status route answers)', async () => {
  const status = await call(guest, 'mesh.get-status', { entityRef: BACKEND });
  assert.equal(status.entityRef, BACKEND);
  const cluster = status.clusters.find(c => c.ok);
  assert.ok(cluster, `a cluster answers: ${JSON.stringify(status.clusters).slice(0, 500)}`);
  assert.ok(cluster.namespaces.some(n => n.name === 'prod'), 'namespace prod');
  const workloads = cluster.workloads.filter(w => w.labels.app === 'backend');
  assert.deepEqual([...new Set(workloads.map(w => w.labels.version))].sort(), ['v1', 'v2']);
  const pods = workloads.flatMap(w => w.pods);
  assert.ok(pods.length > 0, 'backend has pods');
  assert.ok(pods.every(p => p.injected || p.ambient), 'every backend pod is in the mesh');

  // The same answer as the Mesh tab's route, for the same user.
  const res = await fetch(`${backend}/api/mesh/entities/default/component/backend/status`, {
    headers: { authorization: `Bearer ${userToken}` },
  });
  assert.equal(res.status, 200);
  const viaRoute = await res.json();
  assert.deepEqual(
    viaRoute.clusters.map(c => [c.cluster, c.ok]),
    status.clusters.map(c => [c.cluster, c.ok]),
  );
  assert.deepEqual(backendWeights(viaRoute), backendWeights(status));
});

test('plans a 90/10 canary on backend: the objects with their YAML, one YAML document, findings, not blocked', async () => {
  const plan = await call(guest, 'mesh.plan', { entityRef: BACKEND, change: CANARY_90_10 });
  assert.equal(plan.action, 'canary');
  assert.equal(plan.namespace, 'prod');
  assert.equal(plan.blocked, false, `not blocked: ${JSON.stringify(plan.findings)}`);
  assert.ok(Array.isArray(plan.findings), 'findings');
  const kinds = plan.objects.map(o => o.kind);
  assert.ok(kinds.includes('VirtualService'), `a VirtualService (got ${kinds.join(', ')})`);
  for (const object of plan.objects) {
    assert.ok(plan.yaml.includes(object.yaml.trimEnd()), `${object.kind} ${object.name}'s YAML is in the plan's YAML`);
    assert.ok(!('live' in object), 'live objects are left out');
  }
  assert.match(plan.yaml, /kind: VirtualService/);
  assert.match(plan.yaml, new RegExp(`weight: ${CANARY_90_10.weights.v1}\\b`));
  assert.match(plan.yaml, new RegExp(`weight: ${CANARY_90_10.weights.v2}\\b`));

  // The same plan as the Mesh tab's route: same objects and YAML, same findings.
  const res = await fetch(`${backend}/api/mesh/entities/default/component/backend/plans`, {
    method: 'POST',
    headers: { authorization: `Bearer ${userToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(CANARY_90_10),
  });
  assert.equal(res.status, 200);
  const viaRoute = await res.json();
  assert.deepEqual(plan.objects.map(o => [o.kind, o.name, o.yaml]), viaRoute.objects.map(o => [o.kind, o.name, o.yaml]));
  assert.deepEqual(plan.findings.map(f => f.code).sort(), viaRoute.findings.map(f => f.code).sort());
  assert.equal(plan.blocked, viaRoute.blocked);
});

/** The number of audit rows of backend (the history route). */
async function auditRows() {
  const res = await fetch(`${backend}/api/mesh/entities/default/component/backend/history`, {
    headers: { authorization: `Bearer ${userToken}` },
  });
  assert.equal(res.status, 200);
  return (await res.json()).items.length;
}

test('the static token (a service principal) may read, and is refused mesh.apply; nothing changes', async () => {
  const before = await call(service, 'mesh.get-status', { entityRef: BACKEND });
  assert.equal(before.entityRef, BACKEND);
  const rowsBefore = await auditRows();

  const result = await service.callTool({
    name: 'mesh.apply',
    arguments: { entityRef: BACKEND, change: CANARY_90_10 },
  });
  assert.equal(result.isError, true, `refused: ${textOf(result)}`);
  assert.match(textOf(result), /NotAllowedError/);
  assert.match(textOf(result), /needs a signed-in user's credentials/);

  const afterwards = await call(guest, 'mesh.get-status', { entityRef: BACKEND });
  assert.deepEqual(backendWeights(afterwards), backendWeights(before), 'the split is unchanged');
  assert.equal(await auditRows(), rowsBefore, 'no audit row: nothing was applied');
});

test('a bad argument comes back as an error naming the field; nothing is planned', async () => {
  for (const [args, field] of [
    [{ entityRef: BACKEND, change: { action: 'canary', weights: { v1: 90, v2: 20 } } }, 'change.weights: must sum to 100 (got 110)'],
    [{ entityRef: BACKEND, change: { ...CANARY_90_10, replicas: 2 } }, 'change.replicas: unknown field'],
    [{ change: CANARY_90_10 }, 'entityRef: '],
  ]) {
    const result = await guest.callTool({ name: 'mesh.plan', arguments: args });
    assert.equal(result.isError, true, `${JSON.stringify(args)} is refused: ${textOf(result)}`);
    assert.match(textOf(result), /^InputError: invalid request: /);
    assert.ok(textOf(result).includes(field), `names ${field}: ${textOf(result)}`);
  }
});
