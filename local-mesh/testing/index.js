'use strict';
// Test support for integration tests against the local mesh (local-mesh/bin/up).
// CommonJS, Node built-ins only (Node 20+).
const fs = require('node:fs');
const path = require('node:path');
const https = require('node:https');
const http = require('node:http');
const crypto = require('node:crypto');
const { spawn, execFile } = require('node:child_process');

const MESH_DIR = path.resolve(__dirname, '..');
const REPO_ROOT = path.resolve(MESH_DIR, '..');
const DATA_DIR = process.env.MESH_DATA_DIR || path.join(REPO_ROOT, '.local-mesh');
const ENV_FILE = path.join(DATA_DIR, 'portal.env');
const LOCK_FILE = path.join(DATA_DIR, '.ensure-mesh.lock');
const UP_TIMEOUT_MS = Number(process.env.MESH_UP_TIMEOUT_MS || 4 * 60 * 60 * 1000); // cold builds are slow

function readEnvFile() {
  let text;
  try {
    text = fs.readFileSync(ENV_FILE, 'utf8');
  } catch {
    return null;
  }
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^(?:export\s+)?([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2].replace(/^['"]|['"]$/g, '');
  }
  return env.LOCAL_MESH_URL && env.LOCAL_MESH_TOKEN ? env : null;
}

function toMesh(env) {
  return {
    server: env.LOCAL_MESH_URL,
    token: env.LOCAL_MESH_TOKEN,
    caFile: env.LOCAL_MESH_CA_FILE,
    kubeconfig: env.LOCAL_MESH_KUBECONFIG,
    istioctl: env.LOCAL_MESH_ISTIOCTL,
    kubectl: env.LOCAL_MESH_KUBECTL,
    dataDir: env.LOCAL_MESH_DATA_DIR || DATA_DIR,
    istiodUrl: env.LOCAL_MESH_ISTIOD_URL,
    istioVersion: env.LOCAL_MESH_ISTIO_VERSION,
  };
}

function httpGetOk(url, opts = {}) {
  return new Promise(resolve => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { timeout: 3000, ...opts }, res => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function meshHealthy(env) {
  if (!env) return false;
  for (const f of [env.LOCAL_MESH_CA_FILE, env.LOCAL_MESH_KUBECTL, env.LOCAL_MESH_ISTIOCTL]) {
    if (!f || !fs.existsSync(f)) return false;
  }
  const ok = await httpGetOk(`${env.LOCAL_MESH_URL}/readyz`, {
    ca: fs.readFileSync(env.LOCAL_MESH_CA_FILE),
    headers: { Authorization: `Bearer ${env.LOCAL_MESH_TOKEN}` },
  });
  if (!ok) return false;
  if (env.LOCAL_MESH_ISTIOD_URL) return httpGetOk(`${env.LOCAL_MESH_ISTIOD_URL}/ready`);
  return true;
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function tryLock() {
  try {
    const fd = fs.openSync(LOCK_FILE, 'wx');
    fs.writeSync(fd, String(process.pid));
    fs.closeSync(fd);
    return true;
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
    let holder = NaN;
    try {
      holder = Number(fs.readFileSync(LOCK_FILE, 'utf8'));
    } catch {
      return false;
    }
    if (holder && !pidAlive(holder)) {
      fs.rmSync(LOCK_FILE, { force: true }); // stale lock
      return tryLock();
    }
    return false;
  }
}

function runUp() {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(MESH_DIR, 'bin', 'up'), [], {
      stdio: ['ignore', process.stderr, process.stderr],
      env: { ...process.env, MESH_DATA_DIR: DATA_DIR },
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), UP_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', code => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`local-mesh/bin/up exited with ${code}`));
    });
  });
}

const sleep = ms => new Promise(r => setTimeout(r, ms));
let ensurePromise = null;

/** Reuse a running local mesh, or start one (once per test run, across parallel workers). */
function ensureMesh() {
  if (!ensurePromise) {
    ensurePromise = (async () => {
      let env = readEnvFile();
      if (await meshHealthy(env)) return toMesh(env);
      fs.mkdirSync(DATA_DIR, { recursive: true });
      const deadline = Date.now() + UP_TIMEOUT_MS;
      for (;;) {
        if (tryLock()) {
          try {
            env = readEnvFile(); // another worker may have finished meanwhile
            if (!(await meshHealthy(env))) {
              await runUp();
              env = readEnvFile();
              if (!(await meshHealthy(env))) throw new Error(`local mesh not healthy after bin/up (${ENV_FILE})`);
            }
            return toMesh(env);
          } finally {
            fs.rmSync(LOCK_FILE, { force: true });
          }
        }
        await sleep(1000);
        env = readEnvFile();
        if (await meshHealthy(env)) return toMesh(env);
        if (Date.now() > deadline) throw new Error('timed out waiting for another process to start the local mesh');
      }
    })();
    ensurePromise.catch(() => {
      ensurePromise = null;
    });
  }
  return ensurePromise;
}

/** Run a CLI; resolves { code, stdout, stderr } (never rejects on a non-zero exit). */
function run(file, args, { input, env, timeoutMs = 120000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        resolve({ code: err ? err.code : 0, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** kubectl against the local mesh (admin kubeconfig). */
async function kubectl(args, opts = {}) {
  const mesh = await ensureMesh();
  return run(mesh.kubectl, ['--kubeconfig', mesh.kubeconfig, ...args], opts);
}

/** istioctl (same version as istiod). Add --kubeconfig yourself if the command needs the cluster. */
async function istioctl(args, opts = {}) {
  const mesh = await ensureMesh();
  return run(mesh.istioctl, args, opts);
}

/** Create a uniquely named namespace; returns its name. */
async function freshNamespace(prefix = 'test', labels = {}) {
  const base = String(prefix).toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'test';
  const name = `${base}-${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}`;
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'local-mesh/test': 'true', ...labels } } };
  const r = await kubectl(['create', '-f', '-'], { input: JSON.stringify(ns) });
  if (r.code !== 0) throw new Error(`creating namespace ${name} failed: ${r.stderr}`);
  return name;
}

/** Delete a namespace (does not wait for finalization). */
async function deleteNamespace(name) {
  const r = await kubectl(['delete', 'namespace', name, '--ignore-not-found', '--wait=false']);
  if (r.code !== 0) throw new Error(`deleting namespace ${name} failed: ${r.stderr}`);
}

/**
 * A second kube-apiserver on the mesh's etcd (bin/apiserver-replica), for tests that stop and
 * restart an apiserver while every other test keeps using the main one. `start` resolves its URL
 * once it is ready (same CA, certificates and tokens as the main one).
 */
const apiserverReplica = {
  async start(port) {
    await ensureMesh();
    const r = await run(path.join(MESH_DIR, 'bin', 'apiserver-replica'), ['start', String(port)], { env: { MESH_DATA_DIR: DATA_DIR } });
    if (r.code !== 0) throw new Error(`bin/apiserver-replica start ${port}: ${r.stderr || r.stdout}`);
    return r.stdout.trim().split('\n').pop();
  },
  async stop(port) {
    const r = await run(path.join(MESH_DIR, 'bin', 'apiserver-replica'), ['stop', String(port)], { env: { MESH_DATA_DIR: DATA_DIR } });
    if (r.code !== 0) throw new Error(`bin/apiserver-replica stop ${port}: ${r.stderr || r.stdout}`);
  },
};

module.exports = { ensureMesh, apiserverReplica, freshNamespace, deleteNamespace, kubectl, istioctl, run, MESH_DIR, DATA_DIR };
