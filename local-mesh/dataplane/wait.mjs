#!/usr/bin/env node
// Waits until the data plane serves every running pod of the given namespaces and each is ready
// (sidecars and gateways: pilot-agent's /healthz/ready; plain pods: the app answers).
//   node wait.mjs [--timeout SECONDS] NAMESPACE...
import { readState, kubeFromData } from './state.mjs';

const args = process.argv.slice(2);
let timeout = Number(process.env.MESH_DATAPLANE_TIMEOUT || 120);
const namespaces = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--timeout') timeout = Number(args[++i]);
  else namespaces.push(args[i]);
}
const kube = kubeFromData();
const deadline = Date.now() + timeout * 1000;
let missing = [];
while (Date.now() < deadline) {
  missing = [];
  const state = readState();
  const served = new Map((state?.pods ?? []).map(p => [p.uid, p]));
  for (const ns of namespaces) {
    const pods = (await kube.get(`/api/v1/namespaces/${ns}/pods`)).items.filter(
      p => !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && p.status?.podIP,
    );
    for (const p of pods) {
      const s = served.get(p.metadata.uid);
      if (!s?.ready) missing.push(`${ns}/${p.metadata.name}${s ? ' (starting)' : state?.overCap?.includes(`${ns}/${p.metadata.name}`) ? ' (over the pod cap)' : ''}`);
    }
  }
  if (missing.length === 0) process.exit(0);
  await new Promise(r => setTimeout(r, 500));
}
console.error(`data plane: not ready after ${timeout} s: ${missing.join(', ')}`);
process.exit(1);
