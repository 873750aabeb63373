// Reading the data plane's state file and the local mesh's admin credentials (for the tools).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeClient } from './kube.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DATA = process.env.MESH_DATA_DIR || path.resolve(here, '..', '..', '.local-mesh');

/** The controller's state.json, or undefined when the data plane is not running. */
export function readState() {
  try {
    return JSON.parse(fs.readFileSync(path.join(DATA, 'dataplane', 'state.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

export function kubeFromData() {
  return new KubeClient({
    server: `https://127.0.0.1:${process.env.MESH_APISERVER_PORT || 6443}`,
    token: fs.readFileSync(path.join(DATA, 'pki', 'admin-token'), 'utf8').trim(),
    caFile: path.join(DATA, 'pki', 'ca.crt'),
  });
}
