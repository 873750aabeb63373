import type { CanaryPreset } from './actions';
import type {
  ConnectionPoolSettings,
  HttpRetrySettings,
  OutlierDetectionSettings,
} from './resilience';
import type { ServiceAccessStatus } from './access';
import type { Finding } from './findings';

/**
 * How a namespace gets its workloads into the mesh.
 *
 * - `sidecar`: `istio-injection=enabled` (default revision)
 * - `revision`: `istio.io/rev=<rev>`
 * - `ambient`: `istio.io/dataplane-mode=ambient`
 * - `disabled`: explicitly opted out (`istio-injection=disabled`)
 * - `none`: no label at all
 *
 * @public
 */
export type InjectionMode =
  | 'sidecar'
  | 'revision'
  | 'ambient'
  | 'disabled'
  | 'none';

/**
 * Injection state of one namespace.
 *
 * @public
 */
export interface NamespaceInjection {
  mode: InjectionMode;
  revision?: string;
  /** The injection-related labels found on the namespace. */
  labels: Record<string, string>;
  /** Set when more than one injection label is present (IST0123); says which one wins. */
  conflict?: string;
}

/**
 * Mesh state of one namespace.
 *
 * @public
 */
export interface NamespaceMeshStatus {
  name: string;
  injection: NamespaceInjection;
}

/**
 * Mesh state of one pod.
 *
 * @public
 */
export interface PodMeshStatus {
  name: string;
  /** `status.phase` (Pending, Running, …); `Unknown` when absent. */
  phase: string;
  /** All containers ready (the `Ready` condition). */
  ready: boolean;
  /** Has an `istio-proxy` sidecar (classic or native). */
  injected: boolean;
  /** The sidecar is a native sidecar (init container with `restartPolicy: Always`). */
  nativeSidecar: boolean;
  proxyVersion?: string;
  revision?: string;
  /** Pod label `sidecar.istio.io/inject=false` (or ambient `istio.io/dataplane-mode=none`). */
  optedOut: boolean;
  /** Enrolled in ambient mode (`ambient.istio.io/redirection=enabled`). */
  ambient: boolean;
}

/**
 * Kinds of workload the status reports.
 *
 * @public
 */
export type WorkloadKind =
  | 'Deployment'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'ReplicaSet'
  | 'Job'
  | 'CronJob'
  | 'Pod';

/**
 * Counts over every pod of a workload, listed in {@link WorkloadStatus.pods} or not.
 *
 * @public
 */
export interface PodCounts {
  total: number;
  ready: number;
  /** With an `istio-proxy` sidecar or enrolled in ambient mode. */
  meshed: number;
  /** Opted out (`sidecar.istio.io/inject=false` or ambient `none`). */
  optedOut: number;
}

/**
 * One workload with its pods.
 *
 * @public
 */
export interface WorkloadStatus {
  kind: WorkloadKind;
  name: string;
  namespace: string;
  /** Labels of the pod template; `app` and `version` matter to Istio telemetry and Kiali. */
  labels: { app?: string; version?: string; [key: string]: string | undefined };
  replicas: number;
  /**
   * At most {@link MAX_LISTED_PODS_PER_WORKLOAD} pods, those that need attention first (no
   * sidecar where one is expected, not ready, opted out); {@link WorkloadStatus.podCounts}
   * counts them all.
   */
  pods: PodMeshStatus[];
  podCounts: PodCounts;
}

/**
 * Protocol Istio derives for a service port.
 *
 * @public
 */
export type MeshPortProtocol =
  | 'http'
  | 'http2'
  | 'https'
  | 'grpc'
  | 'grpc-web'
  | 'tcp'
  | 'tls'
  | 'mongo'
  | 'mysql'
  | 'redis'
  | 'udp'
  | 'unknown';

/**
 * One port of a service and the protocol Istio will derive for it.
 *
 * @public
 */
export interface ServicePortStatus {
  name?: string;
  port: number;
  targetPort?: number | string;
  appProtocol?: string;
  /** Derived from `appProtocol`, else the port name prefix. */
  protocol: MeshPortProtocol;
  /** False when Istio cannot derive the protocol (IST0118). */
  protocolOk: boolean;
}

/**
 * One Kubernetes Service as the mesh sees it.
 *
 * @public
 */
export interface ServiceStatus {
  name: string;
  namespace: string;
  ports: ServicePortStatus[];
  selector: Record<string, string>;
}

/**
 * One weighted destination of a traffic split.
 *
 * @public
 */
export interface TrafficRoute {
  subset?: string;
  /** Percentage (0–100) of the catch-all route's traffic. */
  weight: number;
  host: string;
  port?: number;
  /** Pods the destination (service selector + subset labels) selects. */
  podCount: number;
}

/**
 * One version of a service and the DestinationRule subset that routes to it.
 *
 * @public
 */
export interface VersionSubset {
  /** Subset name (a DNS-1123 label): what canary requests name in `weights`, `stable`, `canary`. */
  name: string;
  /** The pods' `version` label value (`1.2.0`), what people recognise. */
  version: string;
}

/**
 * How traffic for one host is split between versions.
 *
 * @public
 */
export interface TrafficSplit {
  /** What the split is shown as (the Service's name). */
  host: string;
  /** The Kubernetes Service the split belongs to: what canary requests name in `service`. */
  service: string;
  namespace: string;
  /** Name of the VirtualService that routes the host, if any. */
  virtualService?: string;
  /** Name of the DestinationRule that defines the subsets, if any. */
  destinationRule?: string;
  gateways: string[];
  routes: TrafficRoute[];
  /**
   * Every version of the service's workloads with its subset name, as the canary plan names
   * it (see `versionSubsets`); the editor shows versions and sends these names.
   */
  subsets: VersionSubset[];
  /** The subset the canary plan takes as stable (see `canaryRoles`), if any runs. */
  stable?: string;
  /** The subset the canary plan takes as canary, if a second version runs. */
  canary?: string;
  /**
   * The weights each preset sets, computed as the canary plan computes them (`90/10`, `50/50`,
   * `promote`, `rollback`); a preset that cannot apply (one version only) is absent. The Mesh
   * tab shows these and never derives them itself.
   */
  presets: Partial<Record<CanaryPreset, Record<string, number>>>;
  /** More than one destination has a non-zero weight. */
  canaryInProgress: boolean;
  /** Timeout and retries of the route shown, outlier detection and pool of the rule. */
  resilience?: TrafficResilience;
}

/**
 * What a service's route and DestinationRule say about timeouts, retries and ejection (absent
 * fields: Istio's defaults — no timeout, 2 retries on connect failures and 503).
 *
 * @public
 */
export interface TrafficResilience {
  timeout?: string;
  retries?: HttpRetrySettings;
  outlierDetection?: OutlierDetectionSettings;
  connectionPool?: ConnectionPoolSettings;
}

/**
 * A PeerAuthentication mode.
 *
 * @public
 */
export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'UNSET';

/**
 * Where an effective mTLS mode comes from.
 *
 * @public
 */
export interface MtlsSource {
  scope: 'workload' | 'namespace' | 'mesh' | 'default';
  /** Name of the PeerAuthentication that decides (absent for `default`). */
  name?: string;
  namespace?: string;
}

/**
 * The mTLS mode a workload (or a whole namespace) effectively runs with.
 *
 * @public
 */
export interface EffectiveMtls {
  workload?: string;
  namespace: string;
  mode: MtlsMode;
  source: MtlsSource;
  /**
   * Ports of the workload on another mode than `mode`'s policy says for the rest: the
   * `portLevelMtls` of its workload-level PeerAuthentication (`source`, always `workload`).
   */
  ports?: PortMtls[];
}

/**
 * The mTLS mode of one port of a workload, set by `portLevelMtls`.
 *
 * @public
 */
export interface PortMtls {
  /** The workload's (container) port the mode applies to. */
  port: number;
  /** `UNSET` resolves to the workload's mode, so it is never listed. */
  mode: Exclude<MtlsMode, 'UNSET'>;
  source: MtlsSource;
}

/**
 * Deep links into Kiali for one service.
 *
 * @public
 */
export interface KialiLinks {
  graph: string;
  app?: string;
  workloads: Array<{ name: string; url: string }>;
  services: Array<{ name: string; url: string }>;
  config: Array<{ kind: string; name: string; url: string }>;
}

/**
 * Mesh state of the entity in a cluster that answered.
 *
 * @public
 */
export interface ClusterMeshStatusOk {
  cluster: string;
  ok: true;
  namespaces: NamespaceMeshStatus[];
  workloads: WorkloadStatus[];
  services: ServiceStatus[];
  trafficSplits: TrafficSplit[];
  mtls: EffectiveMtls[];
  findings: Finding[];
  kiali?: KialiLinks;
  /** Per Service: its `<service>-allow-declared-callers` policy, mode and allowed principals. */
  access?: ServiceAccessStatus[];
}

/**
 * A cluster that could not be read: reported per cluster instead of failing the whole request.
 *
 * @public
 */
export interface ClusterMeshStatusError {
  cluster: string;
  ok: false;
  error: { message: string; statusCode?: number };
}

/**
 * Mesh state of the entity in one cluster.
 *
 * @public
 */
export type ClusterMeshStatus = ClusterMeshStatusOk | ClusterMeshStatusError;

/**
 * Response of `GET /entities/:namespace/:kind/:name/status`.
 *
 * @public
 */
export interface MeshStatusResponse {
  entityRef: string;
  clusters: ClusterMeshStatus[];
  /**
   * Set when the backend answers the status from its watch cache (memory kept current by
   * watches): re-reading it this often costs the cluster nothing, so an open Mesh tab does, and
   * shows a change in the cluster within about this long. Absent when every read goes to the
   * apiserver.
   */
  refreshMs?: number;
}
