import type { IAuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy';

/*
 * Minimal shapes of the Kubernetes and Istio objects we read, as plain JSON from the API
 * server. Everything optional: live objects are not trusted to be complete.
 */

/** @public */
export interface KubeObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  resourceVersion?: string;
  uid?: string;
  ownerReferences?: Array<{
    apiVersion?: string;
    kind: string;
    name: string;
    uid?: string;
    controller?: boolean;
  }>;
  /** Server-side apply bookkeeping: who last wrote which fields, and how. */
  managedFields?: Array<{ manager?: string; operation?: string }>;
}

/** @public */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeObjectMeta;
}

/** @public */
export interface KubeContainer {
  name: string;
  image?: string;
  /** `Always` on an init container = native sidecar. */
  restartPolicy?: string;
  /** `istio-proxy`: `proxy sidecar` or `proxy router` (a gateway), then flags. */
  args?: string[];
  ports?: Array<{ containerPort: number; name?: string; protocol?: string }>;
}

/** @public */
export interface KubePodSpec {
  containers?: KubeContainer[];
  initContainers?: KubeContainer[];
  hostNetwork?: boolean;
  serviceAccountName?: string;
}

/** @public */
export interface KubeNamespace extends KubeObject {}

/** @public */
export interface KubePod extends KubeObject {
  spec?: KubePodSpec;
  status?: {
    phase?: string;
    conditions?: Array<{ type: string; status: string }>;
  };
}

/** @public */
export interface KubeServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

/** @public */
export interface KubeService extends KubeObject {
  spec?: {
    type?: string;
    selector?: Record<string, string>;
    ports?: KubeServicePort[];
  };
}

/**
 * A Deployment, StatefulSet, DaemonSet (anything with a pod template).
 *
 * @public
 */
export interface KubeWorkload extends KubeObject {
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    /** Deployment only: a paused Deployment does not roll out template changes. */
    paused?: boolean;
    /** StatefulSet and DaemonSet: `OnDelete` replaces pods only when they are deleted. */
    updateStrategy?: { type?: string };
    template?: {
      metadata?: {
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
      };
      spec?: KubePodSpec;
    };
  };
  status?: { replicas?: number; readyReplicas?: number };
}

/** @public */
export interface IstioDestination {
  host: string;
  subset?: string;
  port?: { number?: number };
}

/** @public */
export interface IstioHttpRouteDestination {
  destination: IstioDestination;
  weight?: number;
  headers?: Record<string, unknown>;
}

/**
 * One `http[]` entry of a VirtualService. Fields we do not touch are carried as they are.
 *
 * @public
 */
export interface IstioHttpRoute {
  name?: string;
  match?: Array<Record<string, unknown>>;
  route?: IstioHttpRouteDestination[];
  redirect?: Record<string, unknown>;
  directResponse?: Record<string, unknown>;
  delegate?: Record<string, unknown>;
  [field: string]: unknown;
}

/** @public */
export interface IstioVirtualService extends KubeObject {
  spec?: {
    hosts?: string[];
    gateways?: string[];
    http?: IstioHttpRoute[];
    tcp?: Array<{ match?: unknown[]; route?: IstioHttpRouteDestination[] }>;
    tls?: Array<{ match?: unknown[]; route?: IstioHttpRouteDestination[] }>;
    exportTo?: string[];
    [field: string]: unknown;
  };
}

/** @public */
export interface IstioTrafficPolicy {
  tls?: { mode?: string; [field: string]: unknown };
  /** Per-port overrides; their `tls` wins over the policy's for that port. */
  portLevelSettings?: Array<{
    port?: { number?: number };
    tls?: { mode?: string; [field: string]: unknown };
    [field: string]: unknown;
  }>;
  /** `localityLbSetting.enabled: false` turns Istio's locality load balancing off for the host. */
  loadBalancer?: {
    localityLbSetting?: { enabled?: boolean; [field: string]: unknown };
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** @public */
export interface IstioSubset {
  name: string;
  labels?: Record<string, string>;
  trafficPolicy?: IstioTrafficPolicy;
}

/** @public */
export interface IstioDestinationRule extends KubeObject {
  spec?: {
    host?: string;
    subsets?: IstioSubset[];
    trafficPolicy?: IstioTrafficPolicy;
    exportTo?: string[];
    /** Applies the rule only to these workloads of its own namespace (never exported). */
    workloadSelector?: { matchLabels?: Record<string, string> };
    [field: string]: unknown;
  };
}

/** @public */
export interface IstioGatewayServer {
  port?: { number?: number; name?: string; protocol?: string };
  hosts?: string[];
  tls?: Record<string, unknown>;
}

/** @public */
export interface IstioGateway extends KubeObject {
  spec?: {
    selector?: Record<string, string>;
    servers?: IstioGatewayServer[];
  };
}

/** @public */
export interface IstioPeerAuthentication extends KubeObject {
  spec?: {
    selector?: { matchLabels?: Record<string, string> };
    mtls?: { mode?: string };
    portLevelMtls?: Record<string, { mode?: string }>;
  };
}

/**
 * An Istio AuthorizationPolicy (`security.istio.io`), typed from `@kubernetes-models/istio`
 * (type import only: that package is ESM-only and this one is required from CommonJS).
 *
 * @public
 */
export interface IstioAuthorizationPolicy extends KubeObject {
  spec?: IAuthorizationPolicy['spec'];
}

/** @public */
export interface KubeServiceAccount extends KubeObject {}

/** @public */
export interface KubeConfigMap extends KubeObject {
  data?: Record<string, string>;
}
