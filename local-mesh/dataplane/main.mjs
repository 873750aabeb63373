#!/usr/bin/env node
// The local mesh's data plane: plays the kubelet's part for the pods of served namespaces.
// Each served pod gets a network namespace holding its (kwok-assigned) IP and its app as a real
// process; pods istiod injected also get their sidecar (pilot-agent + Envoy, Istio's iptables
// capture); gateway pods run `pilot-agent proxy router`. It follows the cluster through watches:
// a pod created, restarted or deleted gets its processes started or stopped within seconds.
//
//   node main.mjs            run (bin/up starts it; SIGTERM stops every process it started)
//   node main.mjs --cleanup  remove whatever an earlier run left (processes, netns, sockets)
//
// Served namespaces: those labelled `local-mesh.io/data-plane=enabled`. At most
// MESH_DATAPLANE_MAX_PODS pods (default 40) are served; the rest get a Warning event.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Informer } from './kube.mjs';
import { kubeFromData } from './state.mjs';
import { alive, ensureNodeNetns, inNetns, listNetns, NODE_NETNS, relay, startProcess, stopGroups, deleteNetns, writeFile } from './host.mjs';
import { faultsOf, freshPodIp, planPod, selectPods } from './podPlan.mjs';
import { PodRuntime } from './podRuntime.mjs';
import { prometheusConfig, writeTargets } from './prometheus.mjs';

export const SERVED_LABEL = 'local-mesh.io/data-plane';

const env = process.env;
const DATA = env.MESH_DATA_DIR;
const DP = path.join(DATA, 'dataplane');
const CAP = Number(env.MESH_DATAPLANE_MAX_PODS || 40);
const ISTIOD_PORT = Number(env.MESH_ISTIOD_SGRPC_PORT || 15012);
const INGRESS_PORT = Number(env.MESH_INGRESS_PORT || 18080);
const PROMETHEUS_PORT = Number(env.MESH_PROMETHEUS_PORT || 9090);
const log = msg => console.log(`[dataplane ${new Date().toISOString().slice(11, 19)}] ${msg}`);

const SOCK = path.join(DP, 'sock');

/** Can uid 1337 (the proxy) reach files under `dir`? Every ancestor must be searchable by others. */
function searchableByOthers(dir) {
  for (let d = path.resolve(dir); d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(d) && (fs.statSync(d).mode & 0o001) === 0) return false;
  }
  return true;
}
// What the proxy reads and writes (its binaries and per-pod directories) lives under the data
// dir, or — when that is not reachable for uid 1337 (a clone under root's home) — under
// /var/lib/local-mesh/<hash of the data dir>.
const RUN = searchableByOthers(DATA)
  ? DP
  : path.join('/var/lib/local-mesh', crypto.createHash('sha256').update(DATA).digest('hex').slice(0, 12));
const hostPidsFile = path.join(DP, 'host-pids');

/** Kills everything an earlier run recorded and deletes our network namespaces. */
async function cleanup() {
  const pids = [];
  const readPids = f => {
    try {
      return fs.readFileSync(f, 'utf8').split('\n').map(Number).filter(p => p > 0 && alive(p));
    } catch {
      return [];
    }
  };
  pids.push(...readPids(hostPidsFile));
  const podsDir = path.join(RUN, 'pods');
  if (fs.existsSync(podsDir)) for (const d of fs.readdirSync(podsDir)) pids.push(...readPids(path.join(podsDir, d, 'pids')));
  await stopGroups(pids);
  for (const ns of await listNetns()) if (ns.startsWith('lm-')) await deleteNetns(ns);
  fs.rmSync(path.join(RUN, 'pods'), { recursive: true, force: true });
  fs.rmSync(SOCK, { recursive: true, force: true });
  fs.rmSync(path.join(DP, 'state.json'), { force: true });
}

if (process.argv.includes('--cleanup')) {
  await cleanup();
  process.exit(0);
}

const bins = {
  pilotAgent: path.join(RUN, 'bin', 'pilot-agent'),
  envoy: path.join(RUN, 'bin', 'envoy'),
  echoServer: env.DP_ECHO_SERVER,
  bootstrapTemplate: env.DP_BOOTSTRAP_TEMPLATE,
  prometheus: env.DP_PROMETHEUS,
};

/** The proxy runs as uid 1337, which cannot reach the binary cache under root's home: link the
 * binaries it executes into the data dir. */
function linkProxyBinaries() {
  fs.mkdirSync(path.join(RUN, 'bin'), { recursive: true, mode: 0o755 });
  for (const [to, from] of [[bins.pilotAgent, env.DP_PILOT_AGENT], [bins.envoy, env.DP_ENVOY]]) {
    fs.rmSync(to, { force: true });
    try {
      fs.linkSync(from, to);
    } catch {
      fs.copyFileSync(from, to);
    }
    fs.chmodSync(to, 0o755);
  }
  if (!searchableByOthers(RUN)) throw new Error(`${RUN} is not searchable by uid 1337: the proxy could not run`);
}

const hostPids = [];
function startHost(name, spec) {
  const pid = startProcess({ ...spec, logFile: path.join(DATA, 'logs', `dataplane-${name}.log`) });
  hostPids.push(pid);
  fs.writeFileSync(hostPidsFile, hostPids.join('\n'));
  return pid;
}

await cleanup();
fs.mkdirSync(SOCK, { recursive: true });
linkProxyBinaries();
await ensureNodeNetns();

// The admin identity: the data plane plays the kubelet (tokens for pods, pod status, events).
const kube = kubeFromData();

// istiod (xDS + CA) for the proxies: host side of the relay; each pod has the other side.
const istiodSock = path.join(SOCK, 'istiod.sock');
startHost('istiod-relay', relay.unixToTcp(istiodSock, { host: '127.0.0.1', port: ISTIOD_PORT }));
// The ingress gateway on a host loopback port.
const ingressSock = path.join(SOCK, 'ingress.sock');
startHost('ingress-relay', relay.tcpToUnix({ host: '127.0.0.1', port: INGRESS_PORT }, ingressSock));
// Prometheus in the node namespace, reachable from the host on a loopback port.
const promDir = path.join(DP, 'prometheus');
writeFile(path.join(promDir, 'prometheus.yml'), prometheusConfig(path.join(promDir, 'targets.json')));
writeTargets(promDir, []);
startHost('prometheus', {
  cmd: bins.prometheus,
  args: [
    `--config.file=${path.join(promDir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(promDir, 'data')}`,
    '--storage.tsdb.retention.time=1d',
    '--web.listen-address=127.0.0.1:9090',
    '--web.enable-lifecycle',
  ],
  netns: NODE_NETNS,
});
const promSock = path.join(SOCK, 'prometheus.sock');
startHost('prometheus-relay-in', { ...relay.unixToTcp(promSock, { host: '127.0.0.1', port: 9090 }), netns: NODE_NETNS });
startHost('prometheus-relay', relay.tcpToUnix({ host: '127.0.0.1', port: PROMETHEUS_PORT }, promSock));

// Services for pods without a sidecar: kube-proxy (iptables mode) in the node namespace, where
// every pod's traffic passes, reaching the apiserver through a relay. Sidecars do not need it:
// Envoy sends to endpoint IPs itself.
if (env.DP_KUBE_PROXY) {
  const kpDir = path.join(DP, 'kube-proxy');
  const apiSock = path.join(SOCK, 'apiserver.sock');
  const apiPort = Number(env.MESH_APISERVER_PORT || 6443);
  startHost('apiserver-relay', relay.unixToTcp(apiSock, { host: '127.0.0.1', port: apiPort }));
  startHost('apiserver-relay-in', { ...relay.tcpToUnix({ host: '127.0.0.1', port: apiPort }, apiSock), netns: NODE_NETNS });
  writeFile(path.join(kpDir, 'kubeconfig'), [
    'apiVersion: v1', 'kind: Config',
    `clusters: [{name: local-mesh, cluster: {server: "https://127.0.0.1:${apiPort}", certificate-authority: ${JSON.stringify(path.join(DATA, 'pki', 'ca.crt'))}}}]`,
    `users: [{name: kube-proxy, user: {tokenFile: ${JSON.stringify(path.join(DATA, 'pki', 'admin-token'))}}}]`,
    'contexts: [{name: local-mesh, context: {cluster: local-mesh, user: kube-proxy}}]',
    'current-context: local-mesh', '',
  ].join('\n'), 0o600);
  writeFile(path.join(kpDir, 'config.yaml'), [
    'apiVersion: kubeproxy.config.k8s.io/v1alpha1',
    'kind: KubeProxyConfiguration',
    `clientConnection: {kubeconfig: ${JSON.stringify(path.join(kpDir, 'kubeconfig'))}}`,
    'mode: iptables',
    'hostnameOverride: kwok-node-0',
    // pod traffic is not masqueraded: every pod routes through this namespace both ways
    `clusterCIDR: ${env.DP_POD_CIDR ?? '10.245.0.0/16'}`,
    'healthzBindAddress: 127.0.0.1:10256',
    'metricsBindAddress: 127.0.0.1:10249',
    // leave the conntrack sysctls alone: they are the host's, not the namespace's
    'conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}',
    'iptables: {syncPeriod: 10s, minSyncPeriod: 500ms}',
    '',
  ].join('\n'));
  startHost('kube-proxy', { cmd: env.DP_KUBE_PROXY, args: [`--config=${path.join(kpDir, 'config.yaml')}`], netns: NODE_NETNS });
}

const ctx = {
  dir: RUN,
  kube,
  bins,
  istiodSock,
  istiodAddress: `127.0.0.1:${ISTIOD_PORT}`,
  ingressSock,
  ingressTargetPort: 8080,
  log,
};
// The host's ingress port goes to one gateway pod: the first labelled like the default gateway.
let ingressOwner;
const isIngressGateway = plan =>
  plan.role === 'router' && plan.namespace === 'istio-system' && plan.labels.istio === 'ingressgateway';

/** @type {Map<string, PodRuntime>} */
const runtimes = new Map();
const failures = new Map(); // uid -> { at, message }
const warned = new Set();
let reconciling = false;
let again = false;

const nsInformer = new Informer(kube, `/api/v1/namespaces?labelSelector=${encodeURIComponent(`${SERVED_LABEL}=enabled`)}`, { onChange: schedule, log });
const podInformer = new Informer(kube, '/api/v1/pods', { onChange: schedule, log });

let timer;
function schedule() {
  clearTimeout(timer);
  timer = setTimeout(reconcile, 150);
}

async function reconcile() {
  if (reconciling) {
    again = true;
    return;
  }
  if (!nsInformer.synced || !podInformer.synced) return;
  reconciling = true;
  try {
    const served = new Set([...nsInformer.items.values()].map(n => n.metadata.name));
    const pods = [...podInformer.items.values()];
    const sel = selectPods(pods, served, CAP);
    const want = new Map(sel.served.map(p => [p.metadata.uid, p]));

    for (const [uid, rt] of runtimes) {
      const pod = want.get(uid);
      // A changed fault annotation restarts the pod's processes (tests flip a version to failing).
      const faultsChanged = pod && JSON.stringify(faultsOf(pod)) !== JSON.stringify(faultsOf({ metadata: { annotations: rt.plan.annotations } }));
      if (!pod || pod.status.podIP !== rt.plan.ip || faultsChanged) {
        log(`stopping ${rt.plan.namespace}/${rt.plan.name}`);
        runtimes.delete(uid);
        if (ingressOwner === uid) ingressOwner = undefined;
        await rt.stop().catch(e => log(`stop ${rt.plan.name}: ${e.message}`));
      }
    }
    for (const [uid, pod] of want) {
      if (runtimes.has(uid)) continue;
      const failed = failures.get(uid);
      if (failed && Date.now() - failed.at < 10000) continue;
      const plan = planPod(pod, { istiodAddress: ctx.istiodAddress, envoyPath: bins.envoy, node: { cpu: os.cpus().length, memory: os.totalmem() } });
      const rt = new PodRuntime(plan, ctx);
      try {
        log(`starting ${plan.namespace}/${plan.name} (${plan.role}, ${plan.ip})`);
        if (!ingressOwner && isIngressGateway(plan)) {
          plan.servesIngress = true;
          ingressOwner = uid;
        }
        await rt.start();
        runtimes.set(uid, rt);
        failures.delete(uid);
      } catch (e) {
        if (ingressOwner === uid) ingressOwner = undefined;
        log(`could not start ${plan.namespace}/${plan.name}: ${e.message}`);
        failures.set(uid, { at: Date.now(), message: e.message });
        await rt.stop().catch(() => undefined);
        // Retried once the 10 s pause is over, whether or not the cluster changes meanwhile.
        setTimeout(schedule, 10_500).unref();
      }
    }
    for (const pod of sel.duplicates) {
      // Two pods cannot hold one address: the newer one gets a fresh IP in its node's pod CIDR,
      // written to its status as a kubelet would (kwok keeps an IP a pod already has).
      await repairDuplicateIp(pod, pods).catch(e => log(`repairing the IP of ${pod.metadata.name}: ${e.message}`));
    }
    for (const pod of sel.overCap) {
      if (warned.has(pod.metadata.uid)) continue;
      warned.add(pod.metadata.uid);
      const message = `local-mesh data plane serves at most ${CAP} pods (MESH_DATAPLANE_MAX_PODS): no processes run for this pod`;
      log(`${pod.metadata.namespace}/${pod.metadata.name}: ${message}`);
      await kube
        .post(`/api/v1/namespaces/${pod.metadata.namespace}/events`, {
          metadata: { generateName: `${pod.metadata.name}.` },
          involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
          reason: 'DataPlaneCapReached',
          message,
          type: 'Warning',
          source: { component: 'local-mesh-dataplane' },
          firstTimestamp: new Date().toISOString(),
          lastTimestamp: new Date().toISOString(),
          count: 1,
        })
        .catch(e => log(e.message));
    }
    writeTargets(promDir, [...runtimes.values()]);
    writeState(sel);
  } catch (e) {
    log(`reconcile: ${e.stack ?? e.message}`);
  } finally {
    reconciling = false;
    if (again) {
      again = false;
      schedule();
    }
  }
}

async function repairDuplicateIp(pod, pods) {
  const node = await kube.get(`/api/v1/nodes/${pod.spec.nodeName}`);
  const cidr = node.spec.podCIDRs?.[0] ?? node.spec.podCIDR ?? env.DP_POD_CIDR;
  const ip = freshPodIp(cidr, new Set(pods.map(p => p.status?.podIP).filter(Boolean)));
  if (!ip) throw new Error(`no free address left in ${cidr}`);
  log(`pod ${pod.metadata.namespace}/${pod.metadata.name} has IP ${pod.status.podIP} of an older pod (kwok handed it out twice): giving it ${ip}`);
  await kube.request('PATCH', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`,
    { status: { podIP: ip, podIPs: [{ ip }] } }, { contentType: 'application/merge-patch+json' });
}

let lastSel = { served: [], overCap: [], duplicates: [] };
function writeState(sel = lastSel) {
  lastSel = sel;
  const state = {
    updatedAt: new Date().toISOString(),
    cap: CAP,
    servedNamespaces: [...nsInformer.items.values()].map(n => n.metadata.name).sort(),
    ingress: `http://127.0.0.1:${INGRESS_PORT}`,
    prometheus: `http://127.0.0.1:${PROMETHEUS_PORT}`,
    pods: [...runtimes.values()].map(r => ({
      namespace: r.plan.namespace,
      name: r.plan.name,
      uid: r.plan.key,
      ip: r.plan.ip,
      role: r.plan.role,
      netns: r.netns,
      labels: r.plan.labels,
      version: r.plan.app?.version,
      httpPorts: r.plan.app?.httpPorts ?? [],
      tcpPorts: r.plan.app?.tcpPorts ?? [],
      ready: r.ready,
    })),
    overCap: sel.overCap.map(p => `${p.metadata.namespace}/${p.metadata.name}`),
    failed: [...failures.entries()].map(([uid, f]) => ({ uid, message: f.message })),
  };
  writeFile(path.join(DP, 'state.json.tmp'), JSON.stringify(state, null, 1));
  fs.renameSync(path.join(DP, 'state.json.tmp'), path.join(DP, 'state.json'));
}

// Readiness: polled per pod until ready (proxies take 5–15 s to get their config and certificate).
const readyTimer = setInterval(async () => {
  let changed = false;
  for (const rt of runtimes.values()) {
    if (rt.ready) continue;
    if (await rt.checkReady()) {
      changed = true;
      log(`${rt.plan.namespace}/${rt.plan.name} ready after ${((Date.now() - rt.startedAt) / 1000).toFixed(1)} s`);
    }
  }
  if (changed) writeState();
}, 1000);

let stopping = false;
async function shutdown(sig) {
  if (stopping) return;
  stopping = true;
  log(`${sig}: stopping every data-plane process`);
  clearInterval(readyTimer);
  nsInformer.stop();
  podInformer.stop();
  await Promise.all([...runtimes.values()].map(r => r.stop().catch(() => undefined)));
  await stopGroups(hostPids);
  await cleanup();
  await deleteNetns(NODE_NETNS);
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

log(`serving namespaces labelled ${SERVED_LABEL}=enabled (at most ${CAP} pods); ingress http://127.0.0.1:${INGRESS_PORT}, prometheus http://127.0.0.1:${PROMETHEUS_PORT}`);
nsInformer.start();
podInformer.start();
// node netns sanity: forwarding on
await inNetns(NODE_NETNS, 'sysctl', ['-n', 'net.ipv4.ip_forward']).then(v => v.trim() === '1' || log('warning: ip_forward is off in the node namespace'));
