import { KubeJson } from '../cluster/ClusterGateway';

const env = (names: string[]) => names.map((name, i) => ({ name, value: `value-${i}-${name.toLowerCase()}` }));

/**
 * A pod as the apiserver lists it for an Istio-injected Deployment (sidecar, init container,
 * projected token volumes, managedFields of kubelet and the controller), ~7 KB of JSON: the
 * size the status cache's memory is measured with.
 */
export function syntheticPod(namespace: string, index: number): KubeJson {
  const name = `app-${Math.floor(index / 100)}-7d9f8c6b5-${index.toString(36).padStart(5, 'x')}`;
  const app = `app-${Math.floor(index / 100)}`;
  const mounts = [
    { name: 'workload-socket', mountPath: '/var/run/secrets/workload-spiffe-uds' },
    { name: 'credential-socket', mountPath: '/var/run/secrets/credential-uds' },
    { name: 'workload-certs', mountPath: '/var/run/secrets/workload-spiffe-credentials' },
    { name: 'istiod-ca-cert', mountPath: '/var/run/secrets/istio' },
    { name: 'istio-data', mountPath: '/var/lib/istio/data' },
    { name: 'istio-token', mountPath: '/var/run/secrets/tokens' },
    { name: 'istio-podinfo', mountPath: '/etc/istio/pod' },
    { name: `kube-api-access-${index}`, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
  ];
  const fieldsV1 = {
    'f:metadata': { 'f:annotations': { '.': {}, 'f:istio.io/rev': {}, 'f:sidecar.istio.io/status': {} }, 'f:labels': { '.': {}, 'f:app': {}, 'f:version': {} } },
    'f:spec': { 'f:containers': { [`k:{"name":"${app}"}`]: { '.': {}, 'f:image': {}, 'f:ports': {}, 'f:resources': {}, 'f:env': {} } } },
    'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:lastProbeTime': {}, 'f:status': {}, 'f:type': {} } }, 'f:containerStatuses': {}, 'f:podIP': {} },
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid: `6f1c2d3e-${index.toString(16).padStart(4, '0')}-4a5b-8c9d-0e1f2a3b4c5d`,
      resourceVersion: String(100000 + index),
      creationTimestamp: '2026-12-01T10:00:00Z',
      generateName: `${app}-7d9f8c6b5-`,
      labels: {
        app,
        version: 'v1',
        'pod-template-hash': '7d9f8c6b5',
        'security.istio.io/tlsMode': 'istio',
        'service.istio.io/canonical-name': app,
        'service.istio.io/canonical-revision': 'v1',
      },
      annotations: {
        'istio.io/rev': 'default',
        'kubectl.kubernetes.io/default-container': app,
        'kubectl.kubernetes.io/default-logs-container': app,
        'prometheus.io/path': '/stats/prometheus',
        'prometheus.io/port': '15020',
        'prometheus.io/scrape': 'true',
        'sidecar.istio.io/status':
          '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["workload-socket","credential-socket","workload-certs","istio-envoy","istio-data","istio-podinfo","istio-token","istiod-ca-cert"],"imagePullSecrets":null,"revision":"default"}',
      },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-7d9f8c6b5`, uid: 'a1b2c3d4-0000-4000-8000-000000000001', controller: true, blockOwnerDeletion: true },
      ],
      managedFields: [
        { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: '2026-12-01T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1 },
        { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time: '2026-12-01T10:00:05Z', fieldsType: 'FieldsV1', fieldsV1, subresource: 'status' },
      ],
    },
    spec: {
      initContainers: [
        {
          name: 'istio-init',
          image: 'docker.io/istio/proxyv2:1.24.2',
          args: ['istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT', '-i', '*', '-x', '', '-b', '*', '-d', '15090,15021,15020', '--log_output_level=default:info'],
          resources: { limits: { cpu: '2', memory: '1Gi' }, requests: { cpu: '10m', memory: '40Mi' } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] }, runAsUser: 0 },
          volumeMounts: mounts.slice(7),
        },
      ],
      containers: [
        {
          name: app,
          image: `registry.example/${app}:1.0.${index % 10}`,
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          env: env(['LOG_LEVEL', 'PORT', 'DATABASE_URL', 'CACHE_URL', 'FEATURE_FLAGS']),
          resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '50m', memory: '64Mi' } },
          readinessProbe: { httpGet: { path: '/app-health/app/readyz', port: 15020, scheme: 'HTTP' }, periodSeconds: 10 },
          volumeMounts: mounts.slice(7),
        },
        {
          name: 'istio-proxy',
          image: 'docker.io/istio/proxyv2:1.24.2',
          args: ['proxy', 'sidecar', '--domain', `${namespace}.svc.cluster.local`, '--proxyLogLevel=warning', '--proxyComponentLogLevel=misc:error', '--log_output_level=default:info'],
          ports: [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }],
          env: env([
            'PILOT_CERT_PROVIDER', 'CA_ADDR', 'POD_NAME', 'POD_NAMESPACE', 'INSTANCE_IP', 'SERVICE_ACCOUNT', 'HOST_IP',
            'ISTIO_CPU_LIMIT', 'PROXY_CONFIG', 'ISTIO_META_POD_PORTS', 'ISTIO_META_APP_CONTAINERS', 'GOMEMLIMIT', 'GOMAXPROCS',
            'ISTIO_META_CLUSTER_ID', 'ISTIO_META_NODE_NAME', 'ISTIO_META_INTERCEPTION_MODE', 'ISTIO_META_WORKLOAD_NAME',
            'ISTIO_META_OWNER', 'ISTIO_META_MESH_ID', 'TRUST_DOMAIN',
          ]),
          resources: { limits: { cpu: '2', memory: '1Gi' }, requests: { cpu: '10m', memory: '40Mi' } },
          readinessProbe: { httpGet: { path: '/healthz/ready', port: 15021, scheme: 'HTTP' }, failureThreshold: 4, periodSeconds: 15 },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true, runAsGroup: 1337, runAsNonRoot: true, runAsUser: 1337 },
          volumeMounts: mounts,
        },
      ],
      volumes: [
        { name: 'workload-socket', emptyDir: {} },
        { name: 'credential-socket', emptyDir: {} },
        { name: 'workload-certs', emptyDir: {} },
        { name: 'istio-envoy', emptyDir: { medium: 'Memory' } },
        { name: 'istio-data', emptyDir: {} },
        { name: 'istio-podinfo', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        { name: 'istio-token', projected: { sources: [{ serviceAccountToken: { audience: 'istio-ca', expirationSeconds: 43200, path: 'istio-token' } }] } },
        { name: 'istiod-ca-cert', configMap: { name: 'istio-ca-root-cert' } },
      ],
      serviceAccountName: app,
      nodeName: `kwok-node-${index % 2}`,
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
    },
    status: {
      phase: 'Running',
      hostIP: '10.0.0.1',
      podIP: `10.244.${Math.floor(index / 250)}.${index % 250}`,
      startTime: '2026-12-01T10:00:01Z',
      qosClass: 'Burstable',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(type => ({
        type,
        status: 'True',
        lastTransitionTime: '2026-12-01T10:00:05Z',
      })),
      containerStatuses: [app, 'istio-proxy'].map(container => ({
        name: container,
        ready: true,
        restartCount: 0,
        image: 'docker.io/istio/proxyv2:1.24.2',
        imageID: 'docker.io/istio/proxyv2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        containerID: `containerd://${index.toString(16).padStart(64, '0')}`,
        started: true,
        state: { running: { startedAt: '2026-12-01T10:00:03Z' } },
      })),
    },
  } as unknown as KubeJson;
}
