// What the data plane runs for one pod, decided from the pod object alone (pure; no I/O).
//
// The pod is what the apiserver holds after istiod's injection webhook ran, so the sidecar we
// start is the sidecar Istio injected: pilot-agent gets the injected `istio-proxy` container's
// own args and env (fieldRefs resolved like the kubelet's downward API), and the traffic
// capture runs the injected `istio-init` container's own `istio-iptables` arguments.

/** Annotation the injector writes on every pod it injected (pkg/kube/inject/inject.go). */
export const SIDECAR_STATUS_ANNOTATION = 'sidecar.istio.io/status';

/** Ports the echo server treats as raw TCP: what Istio's protocol sniffing calls server-first
 * protocols (pkg/config/protocol: MySQL, MongoDB, Redis, Postgres-style ports), so an app on such
 * a port answers like the TCP server it stands in for. */
const TCP_PORT_NAMES = /^(tcp|mongo|mysql|redis|tls)(-|$)/;
const SERVER_FIRST_PORTS = new Set([25, 3306, 5432, 6379, 9092, 27017]);

/** The `istio-proxy` container of a pod: a native sidecar (init container with restartPolicy
 * Always, what istiod injects when every node is ≥ 1.33) or a classic container. */
export function proxyContainer(pod) {
  const spec = pod.spec ?? {};
  const native = (spec.initContainers ?? []).find(c => c.name === 'istio-proxy' && c.restartPolicy === 'Always');
  return native ?? (spec.containers ?? []).find(c => c.name === 'istio-proxy');
}

/**
 * How a pod takes part in the data plane:
 * - `router`: a gateway (`pilot-agent proxy router`, the gateway injection template or a
 *   gateway Deployment that runs the proxy itself); no app, no capture.
 * - `sidecar`: istiod injected a sidecar (annotation + container): app + pilot-agent + capture.
 * - `plain`: the app alone.
 */
export function podRole(pod) {
  const proxy = proxyContainer(pod);
  if (proxy && (proxy.args ?? []).slice(0, 2).join(' ') === 'proxy router') return 'router';
  const injected = Boolean(pod.metadata?.annotations?.[SIDECAR_STATUS_ANNOTATION]);
  return proxy && injected ? 'sidecar' : 'plain';
}

/** The value of a downward-API fieldRef, as the kubelet resolves it. */
export function fieldRefValue(pod, fieldPath) {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) return pod.metadata?.[m[1]]?.[m[2]] ?? '';
  switch (fieldPath) {
    case 'metadata.name': return pod.metadata.name;
    case 'metadata.namespace': return pod.metadata.namespace;
    case 'metadata.uid': return pod.metadata.uid;
    case 'spec.nodeName': return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP': return pod.status?.podIP ?? '';
    case 'status.podIPs': return (pod.status?.podIPs ?? []).map(p => p.ip).join(',');
    case 'status.hostIP': return pod.status?.hostIP ?? '';
    default: return '';
  }
}

const MEMORY_UNITS = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A resource quantity ("100m", "128Mi", "2") as a number of base units. */
export function quantity(q) {
  const m = /^([0-9.]+)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q ?? ''));
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2] === 'm') return n / 1000;
  return m[2] ? n * MEMORY_UNITS[m[2]] : n;
}

/** A resourceFieldRef as the kubelet resolves it: the container's limit, or the node's
 * allocatable when there is none, divided by the divisor and rounded up. */
export function resourceFieldValue(container, ref, node) {
  const [kind, resource] = ref.resource.split('.');
  const declared = container?.resources?.[kind]?.[resource];
  const value = declared !== undefined ? quantity(declared) : node[resource];
  const divisor = quantity(ref.divisor ?? '1') || 1;
  return String(Math.max(1, Math.ceil((value ?? 0) / divisor)));
}

/** Kubernetes' `$(VAR)` expansion in args and env values (`$$` escapes a dollar). */
export function expandVars(text, env) {
  return String(text).replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, name) =>
    all === '$$' ? '$' : name in env ? env[name] : all,
  );
}

/** The environment of a container, as the kubelet builds it (literal values, fieldRefs,
 * resourceFieldRefs; later entries may reference earlier ones). */
export function containerEnv(pod, container, node) {
  const env = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = expandVars(e.value, env);
    else if (e.valueFrom?.fieldRef) env[e.name] = fieldRefValue(pod, e.valueFrom.fieldRef.fieldPath);
    else if (e.valueFrom?.resourceFieldRef) env[e.name] = resourceFieldValue(container, e.valueFrom.resourceFieldRef, node);
    else env[e.name] = '';
  }
  return env;
}

/** Downward-API file format of labels/annotations (`key="value"` lines, sorted; Go %q quoting). */
export function downwardApiFile(map) {
  return Object.keys(map ?? {})
    .sort()
    .map(k => `${k}=${JSON.stringify(map[k])}`)
    .join('\n');
}

/** The echo server's flags for the pod's app containers: every declared container port is served
 * (HTTP, or raw TCP for tcp-named and server-first ports), and the server answers with the pod's
 * `version` label (the same label Istio's DestinationRule subsets select). */
export function echoServerArgs(pod) {
  const http = [];
  const tcp = [];
  for (const c of pod.spec?.containers ?? []) {
    if (c.name === 'istio-proxy') continue;
    for (const p of c.ports ?? []) {
      if ((p.protocol ?? 'TCP') !== 'TCP') continue;
      const isTcp = TCP_PORT_NAMES.test(p.name ?? '') || SERVER_FIRST_PORTS.has(p.containerPort);
      (isTcp ? tcp : http).push(p.containerPort);
    }
  }
  if (http.length === 0 && tcp.length === 0) http.push(8080);
  const labels = pod.metadata?.labels ?? {};
  const version = labels.version ?? labels['app.kubernetes.io/version'] ?? 'unversioned';
  const faults = faultsOf(pod);
  // With faults, the shim takes the declared HTTP ports and the echo server moves behind it.
  const declared = new Set([...http, ...tcp]);
  const shim = [];
  let next = SHIFTED_PORT_BASE;
  for (const listen of faults ? http : []) {
    while (declared.has(next)) next++;
    shim.push({ listen, target: next++ });
  }
  const echoHttp = faults ? shim.map(s => s.target) : http;
  // The echo server's list flags cannot be empty; 0 listens on a free port nobody addresses
  // (its gRPC default 7070 and TCP default 9090 would answer on ports the pod never declared).
  const args = ['--version', version, '--cluster', 'local-mesh', '--grpc', '0'];
  args.push('--port', echoHttp.length ? echoHttp.join(',') : '0');
  args.push('--tcp', tcp.length ? tcp.join(',') : '0');
  return {
    args,
    httpPorts: http,
    tcpPorts: tcp,
    version,
    faultShim: faults && shim.length ? { ...faults, ports: shim } : undefined,
  };
}

/** Annotations that make a pod's app misbehave on purpose (HTTP ports only), read when the
 * pod's processes start and watched after: a change restarts them. */
export const FAULT_ANNOTATIONS = {
  /** Share of requests (0–100) answered with the fault status instead of the app. */
  percent: 'local-mesh.io/fault-percent',
  /** The status of those answers; default 500. */
  status: 'local-mesh.io/fault-status',
  /** Delay (ms, ≤ 60000) before every answer, failing or not. */
  delayMs: 'local-mesh.io/fault-delay-ms',
};
const SHIFTED_PORT_BASE = 40000;

/** The pod's requested faults, or undefined when it asks for none (or for nonsense). */
export function faultsOf(pod) {
  const a = pod.metadata?.annotations ?? {};
  const read = (key, min, max) => {
    const raw = a[key];
    if (raw === undefined || !/^\d+$/.test(String(raw).trim())) return undefined;
    const n = Number(raw);
    return n >= min && n <= max ? n : undefined;
  };
  const percent = read(FAULT_ANNOTATIONS.percent, 0, 100) ?? 0;
  const delayMs = read(FAULT_ANNOTATIONS.delayMs, 0, 60000) ?? 0;
  const status = read(FAULT_ANNOTATIONS.status, 200, 599) ?? 500;
  if (percent === 0 && delayMs === 0) return undefined;
  return { percent, status, delayMs };
}

/**
 * The full plan for one pod.
 * `opts`: { istiodAddress: 'host:port' as seen inside the pod, envoyPath, node: {cpu, memory} }.
 */
export function planPod(pod, opts) {
  const role = podRole(pod);
  const ns = pod.metadata.namespace;
  const plan = {
    key: pod.metadata.uid,
    namespace: ns,
    name: pod.metadata.name,
    ip: pod.status?.podIP,
    role,
    serviceAccount: pod.spec?.serviceAccountName ?? 'default',
    labels: pod.metadata?.labels ?? {},
    annotations: pod.metadata?.annotations ?? {},
    app: role === 'router' ? undefined : echoServerArgs(pod),
  };
  if (role === 'plain') return plan;

  const proxy = proxyContainer(pod);
  const env = containerEnv(pod, proxy, opts.node);
  // The proxy reaches istiod (xDS and CA) through a relay on the pod's loopback: istiod runs
  // outside the cluster, and its serving certificate names 127.0.0.1.
  env.CA_ADDR = opts.istiodAddress;
  let proxyConfig = {};
  try {
    proxyConfig = env.PROXY_CONFIG ? JSON.parse(env.PROXY_CONFIG) : {};
  } catch {
    proxyConfig = {};
  }
  // There is no flag for Envoy's path; ProxyConfig.binaryPath sets it.
  env.PROXY_CONFIG = JSON.stringify({ ...proxyConfig, discoveryAddress: opts.istiodAddress, binaryPath: opts.envoyPath });
  env.ISTIO_META_CLUSTER_ID ??= 'Kubernetes';
  plan.agent = { args: (proxy.args ?? []).map(a => expandVars(a, env)), env };
  plan.podInfo = {
    labels: downwardApiFile(pod.metadata?.labels),
    annotations: downwardApiFile(pod.metadata?.annotations),
  };
  if (role === 'sidecar') {
    const init = (pod.spec?.initContainers ?? []).find(c => c.name === 'istio-init');
    // The injected istio-init's own arguments (they carry the pod's include/exclude annotations);
    // the defaults of Istio's injection template when the pod has none (CNI-style pods).
    plan.capture = init?.args?.[0] === 'istio-iptables'
      ? init.args.map(a => expandVars(a, env))
      : ['istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT', '-i', '*', '-x', '', '-b', '*', '-d', '15090,15021,15020'];
  }
  return plan;
}

const ipToInt = ip => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const intToIp = n => [24, 16, 8, 0].map(s => Math.floor(n / 2 ** s) % 256).join('.');

/**
 * An IPv4 address of `cidr` that no pod holds, from the top of the range down (kwok hands its
 * addresses out from the bottom, so the two do not meet before thousands of pods).
 */
export function freshPodIp(cidr, usedIps) {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const first = ipToInt(base) - (ipToInt(base) % size);
  for (let n = first + size - 2; n > first; n--) {
    const ip = intToIp(n);
    if (!usedIps.has(ip)) return ip;
  }
  return undefined;
}

/**
 * Which pods the data plane serves: Running pods with an IP in served namespaces, oldest first,
 * at most `cap`. Pods sharing an IP are not served twice: the older keeps it, the newer is
 * returned in `duplicates` for the caller to give a fresh one. (kwok 0.8 can hand an address out
 * twice: its pool's Use() marks an address used without taking it off the usable list, and a
 * deleted pod's address is put back even when a live pod holds it.)
 */
export function selectPods(pods, servedNamespaces, cap) {
  const candidates = pods
    .filter(p => servedNamespaces.has(p.metadata.namespace))
    .filter(p => !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && p.status?.podIP)
    .filter(p => !p.spec?.hostNetwork)
    .sort((a, b) =>
      a.metadata.creationTimestamp === b.metadata.creationTimestamp
        ? a.metadata.name.localeCompare(b.metadata.name)
        : a.metadata.creationTimestamp < b.metadata.creationTimestamp ? -1 : 1,
    );
  const byIp = new Map();
  const duplicates = [];
  const unique = [];
  for (const p of candidates) {
    if (byIp.has(p.status.podIP)) duplicates.push(p);
    else {
      byIp.set(p.status.podIP, p);
      unique.push(p);
    }
  }
  return { served: unique.slice(0, cap), overCap: unique.slice(cap), duplicates };
}
