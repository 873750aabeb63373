/** Connection details of the local mesh (see local-mesh/README.md). */
export interface LocalMesh {
  /** kube-apiserver URL, e.g. https://127.0.0.1:6443 */
  server: string;
  /** bearer token of ServiceAccount mesh-portal/mesh-portal (cluster-admin) */
  token: string;
  /** CA file that validates the apiserver's serving certificate */
  caFile: string;
  /** admin kubeconfig */
  kubeconfig: string;
  istioctl: string;
  kubectl: string;
  dataDir: string;
  /** istiod's plain HTTP endpoint (/ready, /debug/...) */
  istiodUrl?: string;
  /** Istio version the sidecars/istiod report */
  istioVersion?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Reuse the running mesh if its apiserver answers /readyz, else run local-mesh/bin/up (once per run, lock-protected). */
export function ensureMesh(): Promise<LocalMesh>;
/** A second kube-apiserver on the mesh's etcd (bin/apiserver-replica): start resolves its URL once ready. */
export const apiserverReplica: {
  start(port: number): Promise<string>;
  stop(port: number): Promise<void>;
};
/** Create a uniquely named namespace `<prefix>-<suffix>` with the given labels; resolves its name. */
export function freshNamespace(prefix?: string, labels?: Record<string, string>): Promise<string>;
/** Delete a namespace (does not wait for finalization). */
export function deleteNamespace(name: string): Promise<void>;
/** Run kubectl with the admin kubeconfig. Never rejects on non-zero exit. */
export function kubectl(args: string[], opts?: RunOptions): Promise<RunResult>;
/** Run istioctl. Never rejects on non-zero exit. */
export function istioctl(args: string[], opts?: RunOptions): Promise<RunResult>;
/** Run any program. Never rejects on non-zero exit. */
export function run(file: string, args: string[], opts?: RunOptions): Promise<RunResult>;
export const MESH_DIR: string;
export const DATA_DIR: string;
