// Host plumbing for the data plane: commands, network namespaces, detached processes, relays.
// Everything it creates is named with the `lm-` prefix (netns) or recorded in a pid file, so
// cleanup finds exactly what we made.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const NODE_NETNS = 'lm-node';
/** The pods' gateway: a link-local address on the node namespace's loopback, answered on every
 * veth (routed, one /32 per pod, like Calico): all pod traffic passes the node namespace, where
 * conntrack sees both directions. */
export const POD_GATEWAY = '169.254.1.1';

export function run(cmd, args, { input, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        err.message = `${cmd} ${args.join(' ')}: ${stderr || err.message}`.trim();
        reject(err);
      } else resolve(stdout);
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

export const ip = (...args) => run('ip', args);
export const inNetns = (netns, cmd, args, opts) => run('ip', ['netns', 'exec', netns, cmd, ...args], opts);

export async function listNetns() {
  const out = await ip('netns', 'list').catch(() => '');
  return out.split('\n').map(l => l.split(' ')[0]).filter(Boolean);
}

/** Can this machine make network namespaces (root with CAP_NET_ADMIN/CAP_SYS_ADMIN)? */
export async function netnsSupported() {
  const probe = `lm-probe-${process.pid}`;
  try {
    await ip('netns', 'add', probe);
    await ip('netns', 'del', probe);
    return { ok: true };
  } catch (e) {
    return { ok: false, why: e.message.split('\n')[0] };
  }
}

export async function ensureNodeNetns() {
  if ((await listNetns()).includes(NODE_NETNS)) return;
  await ip('netns', 'add', NODE_NETNS);
  await inNetns(NODE_NETNS, 'ip', ['link', 'set', 'lo', 'up']);
  await inNetns(NODE_NETNS, 'ip', ['addr', 'add', `${POD_GATEWAY}/32`, 'dev', 'lo']);
  for (const [k, v] of [
    ['net.ipv4.ip_forward', '1'],
    ['net.ipv4.conf.all.rp_filter', '0'],
    ['net.ipv4.conf.default.rp_filter', '0'],
  ]) {
    await inNetns(NODE_NETNS, 'sysctl', ['-qw', `${k}=${v}`]);
  }
}

/** A pod's network namespace holding its IP, linked to the node namespace by a veth pair. */
export async function createPodNetns(netns, podIp, short) {
  await ip('netns', 'add', netns);
  const hostIf = `lmh${short}`;
  // A restarted pod reuses its names: the kernel destroys the old namespace (and with it the old
  // veth pair) asynchronously, so its host end can still be there ("RTNETLINK answers: File exists").
  await deleteHostVeth(short);
  await ip('link', 'add', 'name', hostIf, 'netns', NODE_NETNS, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
  const pod = (...a) => inNetns(netns, 'ip', a);
  await pod('link', 'set', 'lo', 'up');
  await pod('addr', 'add', `${podIp}/32`, 'dev', 'eth0');
  await pod('link', 'set', 'eth0', 'up');
  await pod('route', 'add', POD_GATEWAY, 'dev', 'eth0', 'scope', 'link');
  await pod('route', 'add', 'default', 'via', POD_GATEWAY, 'dev', 'eth0');
  const node = (...a) => inNetns(NODE_NETNS, 'ip', a);
  await node('link', 'set', hostIf, 'up');
  await node('route', 'replace', `${podIp}/32`, 'dev', hostIf);
}

/** Removes the pod's network namespace; its veth pair goes at once, not when the kernel gets to it. */
export async function deleteNetns(netns, short) {
  if (short) await deleteHostVeth(short);
  await ip('netns', 'del', netns).catch(() => undefined);
}

/** Deleting one end of a veth pair deletes both; absent is fine. */
async function deleteHostVeth(short) {
  await inNetns(NODE_NETNS, 'ip', ['link', 'del', `lmh${short}`]).catch(() => undefined);
}

/**
 * Starts a detached process (own process group) with its output appended to `logFile`; returns
 * its pid. `netns`: run inside that network namespace; `uid`: run as that uid/gid.
 */
export function startProcess({ cmd, args = [], netns, uid, env, cwd, logFile }) {
  let argv = [cmd, ...args];
  if (uid !== undefined) argv = ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', ...argv];
  if (netns) argv = ['ip', 'netns', 'exec', netns, ...argv];
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', fd, fd], env, cwd });
  fs.closeSync(fd);
  child.unref();
  return child.pid;
}

export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Stops process groups: SIGTERM, then SIGKILL what is left after `graceMs`. */
export async function stopGroups(pids, graceMs = 3000) {
  const signal = (pid, sig) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* gone */
      }
    }
  };
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(alive)) await new Promise(r => setTimeout(r, 100));
  for (const pid of pids.filter(alive)) signal(pid, 'SIGKILL');
}

/** socat relays: a TCP listener (on loopback, in a netns or on the host) to a unix socket, and
 * back. Unix sockets live in the file system, which every network namespace shares. */
export const relay = {
  tcpToUnix: (listen, sock) => ({
    cmd: 'socat',
    args: [`TCP-LISTEN:${listen.port},bind=${listen.host},reuseaddr,fork`, `UNIX-CONNECT:${sock}`],
  }),
  unixToTcp: (sock, target) => ({
    cmd: 'socat',
    args: [`UNIX-LISTEN:${sock},fork,unlink-early,mode=600`, `TCP:${target.host}:${target.port}`],
  }),
};

export function writeFile(file, content, mode) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, mode ? { mode } : undefined);
}

export function chownTree(dir, uid) {
  fs.chownSync(dir, uid, uid);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) chownTree(p, uid);
    else fs.chownSync(p, uid, uid);
  }
}
