#!/usr/bin/env node
// Mesh status benchmark against the local mesh (see bench/README.md).
//
//   yarn bench [--keep] [--pods 1000] [--small-pods 100] [--iterations 30] [--warmup 5]
//              [--count-calls 10] [--port 7017] [--inspect-port 9339] [--skip-profile] [--status-cache on|off]
//
// Measures, in one run, against a namespace `bench` with a Deployment of ~1000 kwok pods (on
// bench-only kwok nodes, bench/benchNodes.mjs, removed at cleanup unless --keep):
//   (a) GET  /api/mesh/entities/default/component/bench-app/status       (the mesh plugin)
//   (b) the same 9 reads ClusterSnapshot does, as bare parallel https calls to the apiserver
//   (c) POST /api/kubernetes/services/bench-app { entity }               (the Kubernetes plugin)
// and the apiserver requests each status call costs, at the small and the large pod count.
// Not a test: prints figures and exits 0 unless something broke (targets are reported, not enforced).
// Node 22 built-ins only, plus `yaml` from the repo's node_modules.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  REPO,
  apply as applyObjects,
  benchIdentityObjects,
  benchToken as createBenchToken,
  closeApiserver,
  connectMesh,
  delta,
  ensureBenchNamespace,
  kube,
  kubectl,
  scrape as scrapeCounters,
  waitNoApiserverRequests,
} from './apiserver.mjs';
import {
  clusterFragment,
  portalClient,
  startBackend as startBenchBackend,
  stopStartedBackends,
  tail,
  writeBackendConfig,
  writeCatalogFile,
} from './backend.mjs';
import {
  benchCapacity,
  benchNodesFor,
  ensureBenchNodes,
} from './benchNodes.mjs';
import { fmt, makeLog, now, sleep, stats, timeIt } from './stats.mjs';
import { inspectorSession, sourceOf } from './inspector.mjs';
import { deleteBenchCluster } from './cleanup.mjs';
import { machineInfo, printHelp, runBench, writeResult } from './run.mjs';
import {
  benchDeployment,
  componentEntity,
  defaultPeerAuthentication,
  httpService,
  v1DestinationRule,
  v1VirtualService,
} from './workloads.mjs';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// options
const { values: opts } = parseArgs({
  options: {
    keep: { type: 'boolean', default: false },
    pods: { type: 'string', default: '1000' },
    'small-pods': { type: 'string', default: '100' },
    iterations: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    'count-calls': { type: 'string', default: '10' },
    port: { type: 'string', default: '7017' },
    'inspect-port': { type: 'string', default: '9339' },
    'skip-profile': { type: 'boolean', default: false },
    // on: (a) is the status from the backend's watch cache (mesh.statusCache.enabled, the default);
    // off: (a) reads the apiserver on every call (the status before the cache).
    'status-cache': { type: 'string', default: 'on' },
    help: { type: 'boolean', default: false },
  },
});
const STATUS_CACHE = opts['status-cache'] !== 'off';
if (opts.help) printHelp(import.meta.url, 12);
const NS = 'bench';
const APP = 'bench-app';
const SA = 'mesh-bench';
const FLOW_SCHEMA = 'mesh-bench';
const CRB = 'mesh-bench-cluster-admin';
const FIELD_MANAGER = 'mesh-bench';
const PORT = Number(opts.port);
const BASE = `http://localhost:${PORT}`;
const N = Number(opts.iterations);
const WARMUP = Number(opts.warmup);
const K = Number(opts['count-calls']);
let PODS = Number(opts.pods);
let SMALL_PODS = Number(opts['small-pods']);
const STATIC_TOKEN = crypto.randomBytes(24).toString('hex');

const log = makeLog('bench');
const IDENTITY = {
  namespace: NS,
  serviceAccount: SA,
  clusterRoleBinding: CRB,
  flowSchema: FLOW_SCHEMA,
};

// ---------------------------------------------------------------------------------------------
// apiserver access: bench/apiserver.mjs
let mesh; // from connectMesh()
let benchToken; // the bench ServiceAccount's token: the backend and (b) use it

const apply = objects => applyObjects(objects, { fieldManager: FIELD_MANAGER });

// ---------------------------------------------------------------------------------------------
// (b) the baseline: exactly the reads of readClusterSnapshot(), in parallel, from this process
const SELECTOR = `app=${APP}`;
const BASELINE_PATHS = [
  `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(SELECTOR)}`,
  `/apis/apps/v1/namespaces/${NS}/deployments`,
  `/api/v1/namespaces/${NS}/services`,
  `/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices`,
  `/apis/networking.istio.io/v1/namespaces/${NS}/destinationrules`,
  `/apis/networking.istio.io/v1/namespaces/${NS}/gateways`,
  `/apis/security.istio.io/v1/namespaces/${NS}/peerauthentications`,
  `/apis/security.istio.io/v1/namespaces/istio-system/peerauthentications`,
  `/api/v1/namespaces/${NS}`,
];
async function baseline() {
  const results = await Promise.all(
    BASELINE_PATHS.map(p => kube(p, { token: benchToken })),
  );
  return { pods: results[0].items.length };
}

// (d) diagnostic: the same 9 reads through @kubernetes/client-node's KubernetesObjectApi, configured
// like ClusterGateway.api() (token + caFile), from this process: the client library's share of (a)
let objectApi;
async function clientNode() {
  if (!objectApi) {
    const k8s = await import(
      require.resolve('@kubernetes/client-node', {
        paths: [path.join(REPO, 'plugins/mesh-backend')],
      })
    );
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'local',
          server: mesh.server,
          caFile: mesh.caFile,
          skipTLSVerify: false,
        },
      ],
      users: [{ name: 'mesh-portal', token: benchToken }],
      contexts: [{ name: 'local', cluster: 'local', user: 'mesh-portal' }],
      currentContext: 'local',
    });
    objectApi = k8s.KubernetesObjectApi.makeApiClient(kc);
  }
  const api = objectApi;
  const list = (apiVersion, kind, namespace, labelSelector) =>
    api.list(
      apiVersion,
      kind,
      namespace,
      undefined,
      undefined,
      undefined,
      undefined,
      labelSelector,
    );
  const N1 = 'networking.istio.io/v1';
  const S1 = 'security.istio.io/v1';
  const [pods] = await Promise.all([
    list('v1', 'Pod', NS, SELECTOR),
    list('apps/v1', 'Deployment', NS),
    list('v1', 'Service', NS),
    list(N1, 'VirtualService', NS),
    list(N1, 'DestinationRule', NS),
    list(N1, 'Gateway', NS),
    list(S1, 'PeerAuthentication', NS),
    list(S1, 'PeerAuthentication', 'istio-system'),
    api.read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }),
  ]);
  return { pods: pods.items.length };
}

// ---------------------------------------------------------------------------------------------
// (a) and (c): the portal
const portal = portalClient(BASE, STATIC_TOKEN);

const STATUS_PATH = `/api/mesh/entities/default/component/${APP}/status`;
async function meshStatus() {
  const status = await portal(STATUS_PATH);
  const cluster = status.clusters?.[0];
  if (!cluster?.ok)
    throw new Error(
      `mesh status not ok: ${JSON.stringify(cluster?.error ?? status).slice(
        0,
        500,
      )}`,
    );
  // Every pod is counted in podCounts; `pods` lists at most 100 per workload.
  return { pods: cluster.workloads.reduce((n, w) => n + w.podCounts.total, 0) };
}

let entityJson; // the catalog entity, body of (c)
/**
 * Seconds until a status call costs no apiserver request (the backend's informers of every
 * kind the status reads have synced; they start on the first status call).
 */
async function waitStatusFromCache(timeoutMs = 60_000) {
  return waitNoApiserverRequests(meshStatus, {
    flowSchema: FLOW_SCHEMA,
    timeoutMs,
  });
}

async function kubernetesPlugin() {
  const r = await portal(`/api/kubernetes/services/${APP}`, {
    method: 'POST',
    body: { entity: entityJson },
  });
  const cluster = r.items?.[0];
  if (!cluster)
    throw new Error(
      `kubernetes plugin returned no cluster: ${JSON.stringify(r).slice(
        0,
        500,
      )}`,
    );
  if (cluster.errors?.length)
    throw new Error(
      `kubernetes plugin errors: ${JSON.stringify(cluster.errors).slice(
        0,
        500,
      )}`,
    );
  const pods = cluster.resources.find(x => x.type === 'pods')?.resources ?? [];
  return { pods: pods.length };
}

// ---------------------------------------------------------------------------------------------
// apiserver metrics
const SNAPSHOT_RESOURCES = new Set([
  'pods',
  'deployments',
  'services',
  'virtualservices',
  'destinationrules',
  'gateways',
  'peerauthentications',
  'namespaces',
]);
const scrape = () =>
  scrapeCounters({
    flowSchema: FLOW_SCHEMA,
    readResources: SNAPSHOT_RESOURCES,
  });

/** Requests per call of `fn` over K sequential calls, with an idle window of the same length before and after. */
async function requestsPerCall(label, fn, calls) {
  const s0 = await scrape();
  for (let i = 0; i < calls; i++) await fn();
  const s1 = await scrape();
  const busy = delta(s0, s1);
  const idleWindows = [];
  for (let w = 0; w < 2; w++) {
    const i0 = await scrape();
    await sleep(busy.ms);
    idleWindows.push(delta(i0, await scrape()));
  }
  const idle = {
    all: (idleWindows[0].all + idleWindows[1].all) / 2,
    reads: (idleWindows[0].reads + idleWindows[1].reads) / 2,
    flow: (idleWindows[0].flow + idleWindows[1].flow) / 2,
  };
  const r = {
    label,
    calls,
    windowMs: Math.round(busy.ms),
    // exact: the bench ServiceAccount's requests (FlowSchema mesh-bench), idle subtracted (should be 0)
    perCallBenchIdentity: (busy.flow - idle.flow) / calls,
    // every apiserver_request_total series, minus the idle windows' mean
    perCallAllMinusIdle: (busy.all - idle.all) / calls,
    // LIST/GET of the snapshot's resources only, minus idle
    perCallSnapshotReadsMinusIdle: (busy.reads - idle.reads) / calls,
    raw: { busy, idleWindows },
  };
  log(
    `${label}: ${fmt(r.perCallBenchIdentity)} req/call (bench identity), ` +
      `${fmt(r.perCallAllMinusIdle)} (all series − idle), ${fmt(
        r.perCallSnapshotReadsMinusIdle,
      )} (snapshot LIST/GET − idle)`,
  );
  return r;
}

// ---------------------------------------------------------------------------------------------
/** N sequential iterations; each runs a, b, c once, in an order rotated per iteration. */
async function measureLatency(label, iterations, warmup, expectPods) {
  const fns = {
    a: meshStatus,
    b: baseline,
    c: kubernetesPlugin,
    d: clientNode,
  };
  for (let i = 0; i < warmup; i++)
    for (const f of Object.values(fns)) await f();
  const samples = { a: [], b: [], c: [], d: [] };
  const podsSeen = { a: new Set(), b: new Set(), c: new Set(), d: new Set() };
  const keys = ['a', 'b', 'c', 'd'];
  for (let i = 0; i < iterations; i++) {
    for (const k of [...keys.slice(i % 4), ...keys.slice(0, i % 4)]) {
      const r = await timeIt(fns[k]);
      samples[k].push(r.ms);
      podsSeen[k].add(r.pods);
    }
  }
  const out = {};
  for (const k of keys) {
    out[k] = {
      ...stats(samples[k]),
      podsReturned: [...podsSeen[k]],
      samplesMs: samples[k].map(v => Number(v.toFixed(2))),
    };
    if (!podsSeen[k].has(expectPods) || podsSeen[k].size !== 1) {
      log(
        `WARNING ${label} (${k}): expected ${expectPods} pods in every answer, saw ${[
          ...podsSeen[k],
        ].join(',')}`,
      );
    }
  }
  log(
    `${label}: a p50 ${fmt(out.a.p50)} ms, b p50 ${fmt(
      out.b.p50,
    )} ms, c p50 ${fmt(out.c.p50)} ms, d p50 ${fmt(out.d.p50)} ms`,
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
/**
 * (e) the status right after a change it reads: the backend keeps a status until something it
 * read changes (CacheMemo), so (a) of an unchanged cluster measures a kept status. Here each
 * iteration changes the port of Service bench-app-v1 (one of the entity's Services, shown in the
 * status) and, 300 ms later, times the first status call that shows the new port: that call
 * derived the status afresh from the cache. Calls before it (the watch event still on its way)
 * are not timed.
 */
let changedPort = 8100;
const CHANGE_SETTLE_MS = 300;
async function measureAfterChange(label, iterations, expectPods) {
  const samples = [];
  const podsSeen = new Set();
  let untimedCalls = 0;
  for (let i = 0; i < iterations; i++) {
    changedPort = changedPort >= 8900 ? 8100 : changedPort + 1;
    const service = httpService({
      name: `${APP}-v1`,
      namespace: NS,
      app: APP,
      selector: { app: APP, version: 'v1' },
    });
    service.spec.ports[0].port = changedPort;
    await apply([service]);
    // Let the write's burst pass (apiserver, etcd, watch fan-out, kubectl exiting share the
    // CPUs with the backend): what is timed is deriving the status, not contention with it.
    await sleep(CHANGE_SETTLE_MS);
    const deadline = now() + 10_000;
    for (;;) {
      const t0 = now();
      const status = await portal(STATUS_PATH);
      const ms = now() - t0;
      const cluster = status.clusters?.[0];
      if (!cluster?.ok)
        throw new Error(
          `mesh status not ok after a change: ${JSON.stringify(
            cluster?.error ?? status,
          ).slice(0, 500)}`,
        );
      const shown = cluster.services.some(
        s =>
          s.name === `${APP}-v1` && s.ports.some(p => p.port === changedPort),
      );
      if (shown) {
        samples.push(ms);
        podsSeen.add(
          cluster.workloads.reduce((n, w) => n + w.podCounts.total, 0),
        );
        break;
      }
      untimedCalls += 1;
      if (now() > deadline)
        throw new Error(
          `the status did not show port ${changedPort} of ${APP}-v1 within 10 s`,
        );
      await sleep(10);
    }
  }
  if (!podsSeen.has(expectPods) || podsSeen.size !== 1)
    log(
      `WARNING ${label}: expected ${expectPods} pods in every answer, saw ${[
        ...podsSeen,
      ].join(',')}`,
    );
  const out = {
    ...stats(samples),
    podsReturned: [...podsSeen],
    untimedCalls,
    samplesMs: samples.map(v => Number(v.toFixed(2))),
  };
  log(
    `${label}: p50 ${fmt(
      out.p50,
    )} ms (${untimedCalls} calls before the change was seen, not timed)`,
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// where the time of (a) goes: a V8 CPU profile of the backend during K status calls, taken over
// the inspector protocol after all timed phases (so it does not disturb them)
async function profileStatus(calls) {
  const session = await inspectorSession(opts['inspect-port']);
  const { send } = session;
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 200 });
  await meshStatus(); // warm
  await send('Profiler.start');
  let wallMs;
  if (STATUS_CACHE) {
    // A kept status costs next to nothing: profile statuses derived afresh, each right after
    // a change (the "(idle)" bucket then includes the waits for the bench's kubectl).
    const changed = await measureAfterChange(
      'profile: status after a change',
      calls,
      PODS,
    );
    wallMs = changed.samplesMs.reduce((sum, ms) => sum + ms, 0);
  } else {
    const t0 = now();
    for (let i = 0; i < calls; i++) await meshStatus();
    wallMs = now() - t0;
  }
  const { profile } = await send('Profiler.stop');
  await send('Profiler.disable');
  session.close();
  return { ...summarizeProfile(profile, calls), wallMsPerCall: wallMs / calls };
}

/** Buckets of the profile: by the source of the innermost frame (self time) and by key functions on the stack (inclusive). */
function summarizeProfile(profile, calls) {
  const nodes = new Map(profile.nodes.map(n => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes)
    for (const c of n.children ?? []) parent.set(c, n.id);
  const sampleMs = new Map(); // node id -> ms
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    sampleMs.set(
      profile.samples[i],
      (sampleMs.get(profile.samples[i]) ?? 0) + dt,
    );
  }
  const source = sourceOf;
  const self = new Map();
  const inclusive = new Map();
  const KEY = [
    ['readClusterSnapshot', /^readClusterSnapshot$/],
    ['statusFromSnapshot', /^statusFromSnapshot$/],
    ['  analyze (mesh-common)', /^analyze$/],
    ['  trafficSplits (mesh-common)', /^trafficSplits$/],
    ['  workloadStatus', /^workloadStatus$/],
    ['  entityServices', /^entityServices$/],
    [
      'ObjectSerializer.deserialize (@kubernetes/client-node)',
      /^deserialize$/,
      /client-node/,
    ],
    [
      'ObjectSerializer.parse / JSON.parse of list bodies (@kubernetes/client-node)',
      /^parse$/,
      /client-node/,
    ],
    [
      'res.json / JSON.stringify of the status',
      /^(json|stringify)$/,
      /express|^$/,
    ],
    ['catalog getEntityByRef', /^getEntityByRef$/],
    ['permissions.authorize', /^authorize$/],
    ['httpAuth.credentials', /^credentials$/],
  ];
  let total = 0;
  for (const [nodeId, ms] of sampleMs) {
    total += ms;
    const leaf = nodes.get(nodeId);
    const fn = leaf.callFrame.functionName;
    const bucket = ['(idle)', '(garbage collector)', '(program)'].includes(fn)
      ? fn
      : source(leaf.callFrame.url) ?? (fn ? `(native) ${fn}` : '(native)');
    self.set(bucket, (self.get(bucket) ?? 0) + ms);
    const seen = new Set();
    for (let cur = nodeId; cur !== undefined; cur = parent.get(cur)) {
      const cf = nodes.get(cur).callFrame;
      for (const [label, re, urlRe] of KEY) {
        if (
          !seen.has(label) &&
          re.test(cf.functionName) &&
          (!urlRe || urlRe.test(cf.url))
        )
          seen.add(label);
      }
    }
    for (const label of seen)
      inclusive.set(label, (inclusive.get(label) ?? 0) + ms);
  }
  const per = m => Number((m / calls).toFixed(2));
  return {
    calls,
    profiledMsPerCall: per(total),
    selfMsPerCallBySource: Object.fromEntries(
      [...self]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 15)
        .map(([k, v]) => [k, per(v)]),
    ),
    inclusiveMsPerCall: Object.fromEntries(
      KEY.map(([label]) => [label, per(inclusive.get(label) ?? 0)]),
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// cluster setup
function benchObjects(replicas) {
  return [
    ...benchIdentityObjects(IDENTITY),
    benchDeployment({ name: APP, namespace: NS, replicas }),
    httpService({ name: APP, namespace: NS, app: APP }),
    httpService({
      name: `${APP}-v1`,
      namespace: NS,
      app: APP,
      selector: { app: APP, version: 'v1' },
    }),
    httpService({ name: 'bench-other', namespace: NS, app: 'bench-other' }),
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'bench-gateway', namespace: NS },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [
          {
            port: { number: 80, name: 'http', protocol: 'HTTP' },
            hosts: ['bench.example.com'],
          },
        ],
      },
    },
    v1DestinationRule({ name: APP, namespace: NS }),
    v1VirtualService({ name: APP, namespace: NS }),
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: `${APP}-ingress`, namespace: NS },
      spec: {
        hosts: ['bench.example.com'],
        gateways: ['bench-gateway'],
        http: [
          { route: [{ destination: { host: APP, port: { number: 80 } } }] },
        ],
      },
    },
    defaultPeerAuthentication(NS),
  ];
}

/** Bench nodes for `pods` pods, and their free pod slots. */
async function podCapacity(pods) {
  await ensureBenchNodes(benchNodesFor(pods), {
    log,
    fieldManager: FIELD_MANAGER,
  });
  return benchCapacity(new Set([NS]));
}

async function scaleAndWait(replicas, timeoutMs = 15 * 60_000) {
  await kube(`/apis/apps/v1/namespaces/${NS}/deployments/${APP}/scale`, {
    method: 'PATCH',
    body: { spec: { replicas } },
    contentType: 'application/merge-patch+json',
  }).catch(async () => {
    await kubectl([
      'scale',
      '-n',
      NS,
      `deployment/${APP}`,
      `--replicas=${replicas}`,
    ]);
  });
  const t0 = Date.now();
  let last = '';
  for (;;) {
    const pods = (
      await kube(
        `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(
          SELECTOR,
        )}`,
      )
    ).items;
    const live = pods.filter(p => !p.metadata.deletionTimestamp);
    const running = live.filter(p => p.status?.phase === 'Running').length;
    const line = `${running}/${replicas} Running (${pods.length} objects)`;
    if (line !== last) log(`pods: ${line}`);
    last = line;
    if (running === replicas && pods.length === replicas)
      return { seconds: Math.round((Date.now() - t0) / 1000) };
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`pods not ready after ${timeoutMs / 1000}s: ${line}`);
    await sleep(3000);
  }
}

// ---------------------------------------------------------------------------------------------
// the bench backend
let backend; // from startBenchBackend()
let tmpDir;
function writeBenchConfig() {
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-status-bench-'));
  const catalogFile = writeCatalogFile(
    path.join(tmpDir, 'bench-catalog.yaml'),
    [
      componentEntity({
        name: APP,
        namespace: NS,
        app: APP,
        description: 'Benchmark workload (bench/status-bench.mjs)',
      }),
    ],
  );
  return writeBackendConfig({
    dir: tmpDir,
    name: 'bench',
    port: PORT,
    staticToken: STATIC_TOKEN,
    cluster: clusterFragment(benchToken),
    catalogFiles: [catalogFile],
    extra: { mesh: { statusCache: { enabled: STATUS_CACHE } } },
  });
}

async function startBackend(configFile) {
  backend = await startBenchBackend({
    port: PORT,
    configFile,
    logFile: path.join(tmpDir, 'backend.log'),
    // The inspector is idle (no session) during the timed phases; the profile phase attaches last.
    inspectPort: opts['skip-profile'] ? undefined : opts['inspect-port'],
    log,
  });
  const t0 = backend.startedAt;
  log(
    `backend ready after ${backend.readySeconds.toFixed(
      0,
    )}s; waiting for component:default/${APP} in the catalog`,
  );
  for (;;) {
    const r = await fetch(
      `${BASE}/api/catalog/entities/by-name/component/default/${APP}`,
      {
        headers: { Authorization: `Bearer ${STATIC_TOKEN}` },
      },
    );
    if (r.ok) {
      entityJson = await r.json();
      break;
    }
    if (Date.now() - t0 > 400_000)
      throw new Error(
        `entity not in the catalog (HTTP ${r.status}); log:\n${tail(
          backend.logFile,
        )}`,
      );
    await sleep(1000);
  }
  return {
    readySeconds: backend.readySeconds,
    entitySeconds: (Date.now() - t0) / 1000,
    logFile: backend.logFile,
  };
}

async function cleanup() {
  await stopStartedBackends();
  if (mesh && !opts.keep) {
    await deleteBenchCluster({
      namespaces: [NS],
      identity: IDENTITY,
      timeoutMs: 180_000,
      log,
    });
  } else if (opts.keep) {
    log(
      `--keep: left namespace ${NS}, ClusterRoleBinding ${CRB}, FlowSchema ${FLOW_SCHEMA}, bench nodes, ${tmpDir}`,
    );
  }
  if (tmpDir && !opts.keep) fs.rmSync(tmpDir, { recursive: true, force: true });
  closeApiserver();
}

// ---------------------------------------------------------------------------------------------
async function main() {
  const started = new Date();
  mesh = await connectMesh();
  const version = await kube('/version');
  log(`apiserver ${mesh.server} ${version.gitVersion}`);

  // capacity: bench nodes for the large pod count; scale the bench down if the pods would not fit
  const capacity = await podCapacity(PODS);
  const notes = [];
  if (PODS > capacity.free - 10) {
    const fit = Math.max(10, capacity.free - 10);
    notes.push(
      `requested ${PODS} pods but only ${
        capacity.free
      } pod slots are free on ${capacity.nodes.join(', ')}: scaled to ${fit}`,
    );
    PODS = fit;
    SMALL_PODS = Math.min(SMALL_PODS, Math.floor(PODS / 10));
  }
  log(
    `nodes ${capacity.nodes.join(', ')}: ${capacity.allocatable} pod slots, ${
      capacity.used
    } used elsewhere -> bench at ${SMALL_PODS} and ${PODS} pods`,
  );

  // namespace (unlabelled: no sidecar injection), reuse-safe
  await ensureBenchNamespace(NS, log);
  await apply(benchObjects(SMALL_PODS));
  benchToken = await createBenchToken(NS, SA);
  const smallReady = await scaleAndWait(SMALL_PODS);

  const configFile = writeBenchConfig();
  const backendInfo = await startBackend(configFile);
  log(`entity in the catalog after ${backendInfo.entitySeconds.toFixed(0)}s`);
  if (STATUS_CACHE) {
    const cacheSeconds = await waitStatusFromCache();
    log(`status served from the watch cache after ${cacheSeconds.toFixed(1)}s`);
  }

  // --- small pod count: request counts (and a short latency pass for comparison)
  for (let i = 0; i < WARMUP; i++) {
    await meshStatus();
    await baseline();
    await kubernetesPlugin();
  }
  const small = {
    pods: SMALL_PODS,
    requests: {
      a: await requestsPerCall(
        `requests per status (a) @ ${SMALL_PODS} pods`,
        meshStatus,
        K,
      ),
      b: await requestsPerCall(
        `requests per baseline (b) @ ${SMALL_PODS} pods`,
        baseline,
        K,
      ),
      c: await requestsPerCall(
        `requests per kubernetes plugin (c) @ ${SMALL_PODS} pods`,
        kubernetesPlugin,
        K,
      ),
    },
    latency: await measureLatency(
      `latency @ ${SMALL_PODS} pods`,
      Math.min(N, 15),
      0,
      SMALL_PODS,
    ),
  };
  if (STATUS_CACHE)
    small.afterChange = await measureAfterChange(
      `status after a change (e) @ ${SMALL_PODS} pods`,
      Math.min(N, 15),
      SMALL_PODS,
    );

  // --- large pod count
  const largeReady = await scaleAndWait(PODS);
  await sleep(5000); // let the controllers' status updates settle
  const large = { pods: PODS };
  large.latency = await measureLatency(
    `latency @ ${PODS} pods`,
    N,
    WARMUP,
    PODS,
  );
  if (STATUS_CACHE)
    large.afterChange = await measureAfterChange(
      `status after a change (e) @ ${PODS} pods`,
      N,
      PODS,
    );
  large.requests = {
    a: await requestsPerCall(
      `requests per status (a) @ ${PODS} pods`,
      meshStatus,
      K,
    ),
    b: await requestsPerCall(
      `requests per baseline (b) @ ${PODS} pods`,
      baseline,
      K,
    ),
    c: await requestsPerCall(
      `requests per kubernetes plugin (c) @ ${PODS} pods`,
      kubernetesPlugin,
      K,
    ),
  };

  // --- where the time of (a) goes (after the timed phases)
  let profile = null;
  if (!opts['skip-profile']) {
    try {
      profile = await profileStatus(K);
      log(`profile: ${JSON.stringify(profile.inclusiveMsPerCall)}`);
    } catch (error) {
      log(`profile failed (figures unaffected): ${error}`);
    }
  }

  // --- verdicts
  const L = large.latency;
  const ratios = {
    aOverB: { p50: L.a.p50 / L.b.p50, p95: L.a.p95 / L.b.p95 },
    aOverC: { p50: L.a.p50 / L.c.p50, p95: L.a.p95 / L.c.p95 },
  };
  const reqSmall = small.requests.a.perCallBenchIdentity;
  const reqLarge = large.requests.a.perCallBenchIdentity;
  const targets = {
    ...(STATUS_CACHE
      ? {
          // issue 12: status from cache <= 0.3 x bare lists (p50) at 1k pods, no apiserver request
          'cache: a <= 0.3 x b (p50)': ratios.aOverB.p50 <= 0.3,
          'cache: 0 requests per status': reqLarge < 0.5,
          // issue 12: status from cache at 10k pods within 2x of 1k (run with --small-pods 1000 --pods 10000)
          'cache: a @ large <= 2 x a @ small (p50)':
            L.a.p50 <= 2 * small.latency.a.p50,
          'cache: e @ large <= 2 x e @ small (p50)':
            large.afterChange.p50 <= 2 * small.afterChange.p50,
        }
      : {}),
    'a <= 1.3 x b (p50)': ratios.aOverB.p50 <= 1.3,
    'a <= 1.3 x b (p95)': ratios.aOverB.p95 <= 1.3,
    'a <= 0.5 x c (p50)': ratios.aOverC.p50 <= 0.5,
    'a <= 0.5 x c (p95)': ratios.aOverC.p95 <= 0.5,
    'requests O(kinds), not O(pods)':
      reqLarge <= BASELINE_PATHS.length + 1 && reqLarge - reqSmall < 1,
  };

  const result = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: machineInfo(version),
    config: {
      namespace: NS,
      app: APP,
      pods: PODS,
      smallPods: SMALL_PODS,
      iterations: N,
      warmup: WARMUP,
      countCalls: K,
      port: PORT,
      statusCache: STATUS_CACHE,
    },
    notes,
    podsReadySeconds: { small: smallReady.seconds, large: largeReady.seconds },
    backend: {
      readySeconds: backendInfo.readySeconds,
      entitySeconds: backendInfo.entitySeconds,
    },
    baselineRequests: BASELINE_PATHS,
    small,
    large,
    ratios,
    targets,
    profile,
  };
  const resultFile = writeResult('status-bench', started, result);
  printSummary(result, resultFile);
}

function printSummary(r, file) {
  const L = r.large.latency;
  const S = r.small.latency;
  const row = (name, s) =>
    `  ${name.padEnd(44)} p50 ${fmt(s.p50).padStart(8)} ms   p95 ${fmt(
      s.p95,
    ).padStart(8)} ms   (min ${fmt(s.min)}, max ${fmt(s.max)}, n=${
      s.n
    }, pods/answer ${s.podsReturned.join(',')})`;
  const req = (name, x) =>
    `  ${name.padEnd(44)} ${fmt(x.perCallBenchIdentity, 2).padStart(
      6,
    )} exact (bench identity)   ${fmt(x.perCallAllMinusIdle, 1).padStart(
      6,
    )} all series - idle   ${fmt(x.perCallSnapshotReadsMinusIdle, 1).padStart(
      6,
    )} snapshot LIST/GET - idle`;
  const ok = v => (v ? 'MET' : 'NOT MET');
  const lines = [
    '',
    `Mesh status benchmark — ${r.startedAt} — apiserver ${r.machine.apiserver}, ${r.machine.cpus} CPUs, Node ${r.machine.node}`,
    `namespace ${r.config.namespace}: Deployment ${r.config.app} (app=${r.config.app}, version=v1), kwok pods; 3 Services, 2 VirtualServices, 1 DestinationRule, 1 Gateway, 1 PeerAuthentication`,
    ...r.notes.map(n => `NOTE: ${n}`),
    '',
    `Latency @ ${r.config.pods} pods (${r.config.iterations} sequential iterations after ${r.config.warmup} warm-up; order a,b,c,d rotated per iteration):`,
    row(
      `(a) mesh status GET …/status (${
        r.config.statusCache ? 'from cache' : 'live'
      })`,
      L.a,
    ),
    row('(b) baseline: 9 parallel apiserver reads', L.b),
    row('(c) kubernetes plugin POST /services/…', L.c),
    row('(d) diagnostic: (b) via @kubernetes/client-node', L.d),
    `  ratio a/b: p50 ${fmt(r.ratios.aOverB.p50, 2)}x  p95 ${fmt(
      r.ratios.aOverB.p95,
      2,
    )}x   (target <= 1.3x: p50 ${ok(r.targets['a <= 1.3 x b (p50)'])}, p95 ${ok(
      r.targets['a <= 1.3 x b (p95)'],
    )})`,
    ...(r.config.statusCache
      ? [
          `  status from cache vs bare lists (a/b): target <= 0.3x p50 ${ok(
            r.targets['cache: a <= 0.3 x b (p50)'],
          )}; 0 apiserver requests per status ${ok(
            r.targets['cache: 0 requests per status'],
          )}`,
        ]
      : []),
    `  ratio a/c: p50 ${fmt(r.ratios.aOverC.p50, 2)}x  p95 ${fmt(
      r.ratios.aOverC.p95,
      2,
    )}x   (target <= 0.5x: p50 ${ok(r.targets['a <= 0.5 x c (p50)'])}, p95 ${ok(
      r.targets['a <= 0.5 x c (p95)'],
    )})`,
    '',
    `Latency @ ${r.config.smallPods} pods (${S.a.n} iterations, for comparison):`,
    row('(a) mesh status', S.a),
    row('(b) baseline', S.b),
    row('(c) kubernetes plugin', S.c),
    row('(d) diagnostic: (b) via client-node', S.d),
    ...(r.config.statusCache
      ? [
          `  (a) @ ${r.config.pods} / (a) @ ${
            r.config.smallPods
          } pods: p50 ${fmt(L.a.p50 / S.a.p50, 2)}x   (target <= 2x: ${ok(
            r.targets['cache: a @ large <= 2 x a @ small (p50)'],
          )})`,
          '',
          `Status right after a change it reads (e): the port of Service ${r.config.app}-v1 changed, first status showing it timed:`,
          row(`(e) @ ${r.config.smallPods} pods`, r.small.afterChange),
          row(`(e) @ ${r.config.pods} pods`, r.large.afterChange),
          `  (e) @ ${r.config.pods} / (e) @ ${
            r.config.smallPods
          } pods: p50 ${fmt(
            r.large.afterChange.p50 / r.small.afterChange.p50,
            2,
          )}x   (target <= 2x: ${ok(
            r.targets['cache: e @ large <= 2 x e @ small (p50)'],
          )}); ${
            r.small.afterChange.untimedCalls + r.large.afterChange.untimedCalls
          } calls before a change was seen, not timed`,
        ]
      : []),
    '',
    `apiserver requests per call (${r.config.countCalls} sequential calls per figure):`,
    req(`(a) status @ ${r.small.pods} pods`, r.small.requests.a),
    req(`(a) status @ ${r.large.pods} pods`, r.large.requests.a),
    req(`(b) baseline @ ${r.small.pods} pods`, r.small.requests.b),
    req(`(b) baseline @ ${r.large.pods} pods`, r.large.requests.b),
    req(`(c) kubernetes plugin @ ${r.small.pods} pods`, r.small.requests.c),
    req(`(c) kubernetes plugin @ ${r.large.pods} pods`, r.large.requests.c),
    `  target: O(kinds) not O(pods) (<= ${
      r.baselineRequests.length + 1
    } and unchanged from ${r.small.pods} to ${r.large.pods} pods): ${ok(
      r.targets['requests O(kinds), not O(pods)'],
    )}`,
    '',
    ...(r.profile
      ? [
          `Where the status's time goes @ ${
            r.large.pods
          } pods: V8 CPU profile of the backend over ${
            r.profile.calls
          } status calls${
            r.config.statusCache ? ' right after a change, as (e)' : ''
          } (after the timed phases; ` +
            `${fmt(
              r.profile.wallMsPerCall,
            )} ms wall per call while profiling):`,
          '  CPU ms per call, inclusive (a function and everything it calls):',
          ...Object.entries(r.profile.inclusiveMsPerCall).map(
            ([k, v]) => `    ${k.padEnd(78)} ${fmt(v).padStart(7)}`,
          ),
          '  ms per call by the source of the innermost frame (self time; "(idle)" = waiting, e.g. for the apiserver):',
          ...Object.entries(r.profile.selfMsPerCallBySource).map(
            ([k, v]) => `    ${k.padEnd(78)} ${fmt(v).padStart(7)}`,
          ),
          '',
        ]
      : []),
    'Method: "exact" = delta of apiserver_flowcontrol_dispatched_requests_total{flow_schema="mesh-bench"}; the bench',
    '  backend and (b) authenticate as ServiceAccount bench/mesh-bench, which a bench-only FlowSchema matches, so other',
    '  clients (controllers, kwok, istiod, other tests) are excluded; an idle window is subtracted as well (should be 0).',
    '  Cross-checks from apiserver_request_total (no user label): all series, and LIST/GET of the snapshot resources,',
    '  each minus the mean of two idle windows of the same length (noisy when other clients are busy).',
    '  Latency: wall time from request start to full body read and JSON.parse; p50/p95 by linear interpolation.',
    `Result: ${path.relative(REPO, file)}`,
    '',
  ];
  console.log(lines.join('\n'));
}

await runBench('bench', main, cleanup);
