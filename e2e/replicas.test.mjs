// Two backend replicas on one PostgreSQL: the test portal's backend (:7007, started by
// scripts/portal-for-tests) and a second backend process started here on :7008 with the same
// configuration and databases — as two pods behind one load balancer (both keep baseUrl :7007).
// Both apply different weights to one VirtualService at the same moment: one wins, the other
// gets 409 (resourceVersion precondition), no update is lost, and both attempts are in the one
// audit table. Run by scripts/test after the portal is up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../local-mesh/dataplane/probe.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const first = 'http://localhost:7007';
const secondPort = Number(process.env.MESH_SECOND_BACKEND_PORT ?? 7008);
const second = `http://localhost:${secondPort}`;
const ENTITY = 'entities/default/component/backend';
const kubectlPath = execFileSync(path.join(repo, 'local-mesh/bin/which'), ['kubectl'], { encoding: 'utf8' }).trim();
const kubectl = args =>
  execFileSync(kubectlPath, ['--kubeconfig', path.join(repo, '.local-mesh/kubeconfig'), ...args], { encoding: 'utf8' });

let replica; // the second backend's process
let tmp;
let token;

/** The second replica: packages/backend as `backstage-cli package start` runs it, without the file watcher. */
async function startSecondReplica() {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-replica-'));
  // Same databases (prefix), same baseUrl as the first (the load balancer's); only the port differs.
  fs.writeFileSync(path.join(tmp, 'app-config.replica.yaml'), `backend:\n  listen:\n    port: ${secondPort}\n`);
  const configs = [
    path.join(repo, 'app-config.yaml'),
    path.join(repo, '.data/portal-for-tests/app-config.test.yaml'),
    path.join(repo, '.local-mesh/app-config.cluster.yaml'),
    path.join(tmp, 'app-config.replica.yaml'),
  ];
  for (const file of configs) assert.ok(fs.existsSync(file), `${file} exists (scripts/portal-for-tests start ran first)`);
  const logFile = path.join(repo, '.data/portal-for-tests/replica.log');
  const out = fs.openSync(logFile, 'w');
  replica = spawn(
    process.execPath,
    [
      '--require',
      require.resolve('@backstage/cli-node/config/nodeTransform.cjs', { paths: [repo] }),
      'src/index.ts',
      ...configs.flatMap(c => ['--config', c]),
    ],
    {
      cwd: path.join(repo, 'packages/backend'),
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, NODE_ENV: 'development', ESBK_TSCONFIG_PATH: path.join(repo, 'tsconfig.json'), LOG_LEVEL: 'warn' },
    },
  );
  fs.closeSync(out);
  await eventually(
    `the second replica answers on ${second} (log ${logFile})`,
    async () => {
      assert.equal(replica.exitCode, null, `the second replica exited: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
      const res = await fetch(`${second}/.backstage/health/v1/readiness`).catch(() => undefined);
      return res?.ok || undefined;
    },
    240_000,
    1000,
  );
}

async function call(base, method, suffix, body) {
  const started = performance.now();
  const res = await fetch(`${base}/api/mesh/${ENTITY}${suffix}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json(), ms: Math.round(performance.now() - started) };
}

// Send offsets of the two applies of a round, in 10 ms steps (see the first race test): at most
// 21 rounds.
const OFFSETS = [0, ...Array.from({ length: 10 }, (_, i) => [(i + 1) * 10, -(i + 1) * 10]).flat()];
const later = ms => new Promise(resolve => setTimeout(resolve, Math.max(0, ms)));
/** Both replicas apply a canary with their weights, replica 1 sending `offset` ms after replica 2. */
const applyAtOnce = (offset, firstWeights, secondWeights) =>
  Promise.all([
    later(offset).then(() => call(first, 'POST', '/apply', { action: 'canary', weights: firstWeights })),
    later(-offset).then(() => call(second, 'POST', '/apply', { action: 'canary', weights: secondWeights })),
  ]);

function weights() {
  const vs = JSON.parse(kubectl(['-n', 'prod', 'get', 'virtualservice', 'backend', '-o', 'json']));
  return Object.fromEntries(
    vs.spec.http.flatMap(h => h.route ?? []).filter(r => r.destination?.subset).map(r => [r.destination.subset, r.weight ?? 100]),
  );
}

before(async () => {
  const res = await fetch(`${first}/api/auth/guest/refresh`, { headers: { 'x-requested-with': 'XMLHttpRequest' } });
  token = (await res.json()).backstageIdentity.token;
  await startSecondReplica();
});

after(async () => {
  if (replica?.pid && replica.exitCode === null) {
    process.kill(-replica.pid, 'SIGTERM');
    await eventually('the second replica stops', async () => replica.exitCode !== null || replica.signalCode !== null || undefined, 30_000, 200).catch(
      () => process.kill(-replica.pid, 'SIGKILL'),
    );
  }
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('the second replica shares the first one\'s database: same history, and it verifies the first one\'s user token', async () => {
  const a = await call(first, 'GET', '/history');
  const b = await call(second, 'GET', '/history');
  assert.equal(a.status, 200);
  assert.equal(b.status, 200, `history on the second replica: ${JSON.stringify(b.body).slice(0, 300)}`);
  assert.deepEqual(b.body.items.map(i => i.id), a.body.items.map(i => i.id));
});

test('two replicas apply different weights to one VirtualService at the same moment: one 200, one 409, no lost update, both audited', async t => {
  const ready = await call(first, 'POST', '/apply', { action: 'canary', preset: '90/10' });
  assert.equal(ready.status, 200, `the split exists: ${JSON.stringify(ready.body).slice(0, 300)}`);
  const seventy = { v1: 70, v2: 30 };
  const forty = { v1: 40, v2: 60 };
  // Warm both replicas' code paths, so that their plans take about as long.
  for (const base of [first, second, first, second]) {
    assert.equal((await call(base, 'POST', '/plans', { action: 'canary', weights: seventy })).status, 200);
  }
  let conflict;
  // Each round starts with backend's DestinationRule deleted (the VirtualService stays): both
  // plans then re-create it and update the VirtualService, and an apply waits
  // mesh.propagationDelayMs (3 s) between the two (make-before-break) while it holds its claims.
  // The replica whose claim comes second gets a 409 from the claim; one whose plan read the
  // VirtualService before the other's write and whose claim came after the other's release gets
  // it from the resourceVersion. A round where one apply ended before the other planned is two
  // honest successes. The send offsets sweep 10 ms steps, at most 21 rounds.
  for (let round = 1; round <= OFFSETS.length && !conflict; round++) {
    const seen = new Set((await call(second, 'GET', '/history')).body.items.map(i => i.id));
    kubectl(['-n', 'prod', 'delete', 'destinationrule', 'backend', '--ignore-not-found', '--wait']);
    const offset = OFFSETS[round - 1];
    const [a, b] = await applyAtOnce(offset, seventy, forty);
    const statuses = [a.status, b.status];
    t.diagnostic(`round ${round} (replica 1 sent ${offset} ms after replica 2): replica 1 ${a.status} in ${a.ms} ms, replica 2 ${b.status} in ${b.ms} ms`);
    assert.ok(statuses.every(s => s === 200 || s === 409), `only 200 or 409: ${JSON.stringify([a.body, b.body]).slice(0, 600)}`);
    assert.ok(statuses.includes(200), 'one of them wins');
    const now = weights();
    if (statuses.includes(409)) {
      const [winner, loser] = a.status === 200 ? [seventy, b] : [forty, a];
      assert.deepEqual(now, winner, 'the winner\'s weights are in the cluster');
      // Either the loser's write came second (its resourceVersion was stale), or it came while
      // the winner held the claim on the object in the shared database.
      assert.match(loser.body.error?.message ?? '', /VirtualService (backend on cluster \S+ changed since the plan|prod\/backend \(cluster \S+\) right now)/);
      conflict = { round, winner, loser: loser.status };
    } else {
      assert.ok([JSON.stringify(seventy), JSON.stringify(forty)].includes(JSON.stringify(now)), `one of the two weights: ${JSON.stringify(now)}`);
    }
    // Both attempts audited in the one database, whichever replica wrote them.
    const history = await eventually(
      'both attempts in the shared audit table',
      async () => {
        const items = (await call(first, 'GET', '/history')).body.items.filter(i => !seen.has(i.id));
        return items.length >= 2 ? items : undefined;
      },
      10_000,
      200,
    );
    assert.equal(history.length, 2, `two rows for two attempts: ${JSON.stringify(history).slice(0, 600)}`);
    const results = history.map(i => i.result).sort();
    assert.deepEqual(results, statuses.includes(409) ? ['failure', 'success'] : ['success', 'success']);
  }
  assert.ok(conflict, 'within 21 rounds of simultaneous applies, the two replicas collided at least once');
  t.diagnostic(`collision in round ${conflict.round}: winner ${JSON.stringify(conflict.winner)}, loser ${conflict.loser}`);
  const reset = await call(first, 'POST', '/apply', { action: 'canary', weights: { v1: 100 }, stable: 'v1' });
  assert.equal(reset.status, 200);
});

test('two replicas create the same new split at the same moment: one creates it, the other gets a 409, never two creates', async t => {
  // A create carries no resourceVersion to make it conditional: the replicas' claims in the
  // shared database decide (ApplyClaims). Same sweep of offsets as above, at most 21 rounds; each
  // round starts with backend unsplit (no VirtualService, no DestinationRule).
  const seventy = { v1: 70, v2: 30 };
  const forty = { v1: 40, v2: 60 };
  const createdVs = r => (r.body.applied ?? []).some(o => o.kind === 'VirtualService' && o.result === 'created');
  let conflict;
  try {
    for (let round = 1; round <= OFFSETS.length && !conflict; round++) {
      kubectl(['-n', 'prod', 'delete', 'virtualservice,destinationrule', 'backend', '--ignore-not-found', '--wait']);
      const offset = OFFSETS[round - 1];
      const [a, b] = await applyAtOnce(offset, seventy, forty);
      const statuses = [a.status, b.status];
      t.diagnostic(`round ${round} (replica 1 sent ${offset} ms after replica 2): replica 1 ${a.status}${createdVs(a) ? ' created' : ''}, replica 2 ${b.status}${createdVs(b) ? ' created' : ''}`);
      assert.ok(statuses.every(s => s === 200 || s === 409), `only 200 or 409: ${JSON.stringify([a.body, b.body]).slice(0, 600)}`);
      assert.ok(statuses.includes(200), 'one of them wins');
      assert.ok(!(createdVs(a) && createdVs(b)), 'never both create the VirtualService (the later would replace the earlier unseen)');
      if (statuses.includes(409)) {
        const [winner, loser] = a.status === 200 ? [seventy, b] : [forty, a];
        assert.deepEqual(weights(), winner, "the winner's weights are in the cluster");
        assert.match(loser.body.error?.message ?? '', /(right now|changed since the plan)/);
        conflict = { round, loser: loser.body.error.message };
      }
    }
  } finally {
    const reset = await call(first, 'POST', '/apply', { action: 'canary', weights: { v1: 100 }, stable: 'v1' });
    assert.equal(reset.status, 200, `reset: ${JSON.stringify(reset.body).slice(0, 300)}`);
  }
  assert.ok(conflict, 'within 21 rounds of simultaneous creates, the two replicas collided at least once');
  t.diagnostic(`collision in round ${conflict.round}: ${conflict.loser}`);
});
