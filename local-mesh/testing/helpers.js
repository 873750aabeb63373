'use strict';
// Small helpers used by local-mesh/test (pods, sidecars, temp files).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { kubectl } = require('./index');

const sleep = ms => new Promise(r => setTimeout(r, ms));

async function applyServerSide(namespace, manifest) {
  return kubectl(['apply', '--server-side', '--field-manager=local-mesh-test', '-n', namespace, '-f', '-'], {
    input: manifest,
  });
}

function deployment(name, labels = {}) {
  const podLabels = { app: name, version: 'v1', ...labels };
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name, version: 'v1' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: podLabels },
        spec: { containers: [{ name, image: 'hello-app:1.0', ports: [{ containerPort: 8080 }] }] },
      },
    },
  });
}

/** Wait until every pod of `app` in `namespace` is Running; resolves the pods. */
async function waitForRunningPods(namespace, app, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const r = await kubectl(['get', 'pods', '-n', namespace, '-l', `app=${app}`, '-o', 'json']);
    if (r.code === 0) {
      const pods = JSON.parse(r.stdout).items.filter(p => !p.metadata.deletionTimestamp);
      last = pods.map(p => `${p.metadata.name}:${p.status.phase}`).join(',');
      if (pods.length > 0 && pods.every(p => p.status.phase === 'Running')) return pods;
    } else {
      last = r.stderr;
    }
    await sleep(500);
  }
  throw new Error(`pods app=${app} in ${namespace} not Running after ${timeoutMs}ms (${last})`);
}

function sidecarOf(pod) {
  const native = (pod.spec.initContainers || []).find(c => c.name === 'istio-proxy' && c.restartPolicy === 'Always');
  const classic = pod.spec.containers.find(c => c.name === 'istio-proxy');
  return native || classic || null;
}

function tmpDirWith(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-mesh-test-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

module.exports = { sleep, applyServerSide, deployment, waitForRunningPods, sidecarOf, tmpDirWith };
