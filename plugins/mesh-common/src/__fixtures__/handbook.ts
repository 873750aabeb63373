/*
 * The seed handbook's manifests (shared/seed/manifests) as plain objects, plus pods as the
 * cluster would report them once `prod` is injected.
 */
import type {
  IstioDestinationRule,
  IstioGateway,
  IstioPeerAuthentication,
  IstioVirtualService,
  KubeNamespace,
  KubePod,
  KubeService,
  KubeWorkload,
} from '../kube/types';

export const prodNamespace: KubeNamespace = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'prod', labels: { 'istio-injection': 'enabled' } },
};

export const backendService: KubeService = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'backend', namespace: 'prod', labels: { app: 'backend' } },
  spec: {
    selector: { app: 'backend' },
    ports: [{ port: 80, targetPort: 8080 }],
  },
};

export const frontendService: KubeService = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name: 'frontend',
    namespace: 'prod',
    labels: { app: 'frontend' },
  },
  spec: {
    selector: { app: 'frontend' },
    ports: [{ port: 80, targetPort: 8080 }],
  },
};

function deployment(
  name: string,
  labels: Record<string, string>,
  image: string,
): KubeWorkload {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'prod', labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: name.split('-')[0],
              image,
              ports: [{ containerPort: 8080 }],
            },
          ],
        },
      },
    },
  };
}

export const backendV1 = deployment(
  'backend-v1',
  { app: 'backend', version: 'v1' },
  'gcr.io/google-samples/hello-app:1.0',
);
export const backendV2 = deployment(
  'backend-v2',
  { app: 'backend', version: 'v2' },
  'gcr.io/google-samples/hello-app:2.0',
);
export const frontendDeployment = deployment(
  'frontend',
  { app: 'frontend' },
  'gcr.io/google-samples/hello-app:2.0',
);

export const backendDestinationRule: IstioDestinationRule = {
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'DestinationRule',
  metadata: {
    name: 'backend',
    namespace: 'prod',
    creationTimestamp: '2026-01-01T00:00:00Z',
    resourceVersion: '42',
  },
  spec: {
    host: 'backend',
    subsets: [
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
    ],
  },
};

export const frontendGateway: IstioGateway = {
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'Gateway',
  metadata: { name: 'frontend-gateway', namespace: 'prod' },
  spec: {
    selector: { istio: 'ingressgateway' },
    servers: [
      { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] },
    ],
  },
};

export const frontendVirtualService: IstioVirtualService = {
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'VirtualService',
  metadata: { name: 'frontend', namespace: 'prod' },
  spec: {
    hosts: ['*'],
    gateways: ['frontend-gateway'],
    http: [
      {
        match: [{ uri: { prefix: '/' } }],
        route: [{ destination: { host: 'frontend', port: { number: 80 } } }],
      },
    ],
  },
};

export const backendCanaryVirtualService: IstioVirtualService = {
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'VirtualService',
  metadata: { name: 'backend', namespace: 'prod', resourceVersion: '7' },
  spec: {
    hosts: ['backend'],
    http: [
      {
        route: [
          { destination: { host: 'backend', subset: 'v1' }, weight: 90 },
          { destination: { host: 'backend', subset: 'v2' }, weight: 10 },
        ],
      },
    ],
  },
};

export const strictPolicy: IstioPeerAuthentication = {
  apiVersion: 'security.istio.io/v1beta1',
  kind: 'PeerAuthentication',
  metadata: { name: 'default', namespace: 'prod' },
  spec: { mtls: { mode: 'STRICT' } },
};

/** A running pod of a workload, injected (classic sidecar) unless told otherwise. */
export function podOf(
  workload: KubeWorkload,
  options: { suffix?: string; injected?: boolean; native?: boolean } = {},
): KubePod {
  const labels = workload.spec?.template?.metadata?.labels ?? {};
  const proxy = {
    name: 'istio-proxy',
    image: 'docker.io/istio/proxyv2:1.24.2',
  };
  const app = workload.spec?.template?.spec?.containers ?? [];
  const injected = options.injected ?? true;
  const podSpec = () => {
    if (!injected) return { containers: app };
    if (options.native)
      return {
        initContainers: [{ ...proxy, restartPolicy: 'Always' }],
        containers: app,
      };
    return {
      initContainers: [{ name: 'istio-init', image: proxy.image }],
      containers: [...app, proxy],
    };
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${workload.metadata?.name}-${options.suffix ?? 'abc12'}`,
      namespace: workload.metadata?.namespace,
      labels: injected
        ? { ...labels, 'security.istio.io/tlsMode': 'istio' }
        : { ...labels },
      annotations: injected
        ? {
            'sidecar.istio.io/status':
              '{"initContainers":["istio-init"],"containers":["istio-proxy"],"revision":"default"}',
          }
        : {},
    },
    spec: podSpec(),
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

/**
 * A running ingress gateway pod as istiod injects it with the `gateway` template (`proxy
 * router`): `istio: ingressgateway` in istio-system as istioctl installs it by default, or
 * e.g. `istio: ingress` in istio-ingress as the documented Helm install does.
 */
export function gatewayPod(
  labels: Record<string, string> = { istio: 'ingressgateway' },
  namespace = 'istio-system',
  name = 'istio-ingressgateway-5d9f7-x2x7q',
): KubePod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      containers: [
        {
          name: 'istio-proxy',
          image: 'docker.io/istio/proxyv2:1.28.0',
          args: [
            'proxy',
            'router',
            '--domain',
            `${namespace}.svc.cluster.local`,
          ],
        },
      ],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}
