// Starts and stops the processes of one served pod: its network namespace, its app (Istio's echo
// server), and — when istiod injected one — its sidecar (pilot-agent + Envoy with Istio's own
// iptables capture), or the gateway proxy for a `proxy router` pod.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chownTree,
  createPodNetns,
  deleteNetns,
  inNetns,
  relay,
  startProcess,
  stopGroups,
  writeFile,
} from './host.mjs';

const FAULT_SHIM = fileURLToPath(new URL('./faultShim.mjs', import.meta.url));

/** The proxy's uid/gid: istio-iptables lets traffic of this uid out uncaptured. */
export const PROXY_UID = 1337;

export class PodRuntime {
  /**
   * @param plan from planPod()
   * @param ctx { dir, kube, bins: {pilotAgent, echoServer, bootstrapTemplate}, istiodSock, ingressSock, log }
   */
  constructor(plan, ctx) {
    this.plan = plan;
    this.ctx = ctx;
    this.short = plan.key.replace(/-/g, '').slice(0, 10);
    this.netns = `lm-${this.short}`;
    this.dir = path.join(ctx.dir, 'pods', this.short);
    this.pids = [];
    this.ready = false;
    this.startedAt = Date.now();
  }

  logFile(name) {
    return path.join(this.dir, 'logs', `${name}.log`);
  }

  spawn(name, spec) {
    const pid = startProcess({ ...spec, logFile: this.logFile(name) });
    this.pids.push(pid);
    fs.writeFileSync(path.join(this.dir, 'pids'), this.pids.join('\n'));
    return pid;
  }

  async start() {
    const { plan, ctx } = this;
    fs.rmSync(this.dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(this.dir, 'logs'), { recursive: true });
    writeFile(path.join(this.dir, 'pod.json'), JSON.stringify({ namespace: plan.namespace, name: plan.name, ip: plan.ip, role: plan.role, netns: this.netns }));
    await createPodNetns(this.netns, plan.ip, this.short);

    if (plan.capture) {
      // Istio's own capture rules, as the injected istio-init container would install them.
      await inNetns(this.netns, ctx.bins.pilotAgent, plan.capture);
    }
    if (plan.agent) await this.startProxy();
    if (plan.app) {
      // Own UTS namespace: the echo server reports the pod's name as its hostname.
      this.spawn('app', {
        cmd: 'unshare',
        args: ['--uts', '--', 'sh', '-c', 'hostname "$0" && exec "$@"', plan.name, ctx.bins.echoServer, ...plan.app.args],
        netns: this.netns,
        env: { PATH: process.env.PATH, NAMESPACE: plan.namespace, POD_NAME: plan.name },
      });
      if (plan.app.faultShim) {
        this.spawn('fault-shim', {
          cmd: process.execPath,
          args: [FAULT_SHIM, JSON.stringify(plan.app.faultShim)],
          netns: this.netns,
          env: { PATH: process.env.PATH },
        });
      }
    }
  }

  async startProxy() {
    const { plan, ctx } = this;
    const root = path.join(this.dir, 'root');
    // pilot-agent reads and writes these paths relative to its working directory.
    const token = await ctx.kube.post(
      `/api/v1/namespaces/${plan.namespace}/serviceaccounts/${plan.serviceAccount}/token`,
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          audiences: ['istio-ca'],
          expirationSeconds: 43200,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: plan.name, uid: plan.key },
        },
      },
    );
    const rootCert = await ctx.kube.get(`/api/v1/namespaces/${plan.namespace}/configmaps/istio-ca-root-cert`);
    writeFile(path.join(root, 'var/run/secrets/tokens/istio-token'), token.status.token, 0o600);
    writeFile(path.join(root, 'var/run/secrets/istio/root-cert.pem'), rootCert.data['root-cert.pem']);
    writeFile(path.join(root, 'etc/istio/pod/labels'), plan.podInfo.labels);
    writeFile(path.join(root, 'etc/istio/pod/annotations'), plan.podInfo.annotations);
    writeFile(path.join(root, 'var/lib/istio/envoy/envoy_bootstrap_tmpl.json'), fs.readFileSync(ctx.bins.bootstrapTemplate));
    for (const d of ['etc/istio/proxy', 'var/lib/istio/data', 'var/run/secrets/workload-spiffe-uds', 'var/run/secrets/credential-uds', 'var/run/secrets/workload-spiffe-credentials']) {
      fs.mkdirSync(path.join(root, d), { recursive: true });
    }
    chownTree(root, PROXY_UID);

    const istiodPort = Number(ctx.istiodAddress.split(':')[1]);
    this.spawn('istiod-relay', { ...relay.tcpToUnix({ host: '127.0.0.1', port: istiodPort }, ctx.istiodSock), netns: this.netns });
    this.spawn('proxy', {
      cmd: ctx.bins.pilotAgent,
      args: plan.agent.args,
      netns: this.netns,
      uid: PROXY_UID,
      cwd: root,
      env: { PATH: process.env.PATH, HOME: root, ...plan.agent.env },
    });
    if (plan.servesIngress) {
      this.spawn('ingress-relay', { ...relay.unixToTcp(ctx.ingressSock, { host: '127.0.0.1', port: ctx.ingressTargetPort }), netns: this.netns });
    }
  }

  /** Ready when the proxy says so (pilot-agent's /healthz/ready), or the app answers. */
  async checkReady() {
    const url = this.plan.agent
      ? 'http://127.0.0.1:15021/healthz/ready'
      : `http://127.0.0.1:${this.plan.app.httpPorts[0] ?? 0}/`;
    if (!this.plan.agent && !this.plan.app.httpPorts.length) {
      this.ready = true;
      return true;
    }
    const code = await inNetns(this.netns, 'curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '1', url], { timeoutMs: 3000 }).catch(() => '000');
    this.ready = code.trim() === '200';
    return this.ready;
  }

  async stop() {
    await stopGroups(this.pids);
    await deleteNetns(this.netns, this.short);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
