import type {
  MeshPortProtocol,
  ServicePortStatus,
  ServiceStatus,
} from '../api/status';
import type { KubeService, KubeServicePort } from '../kube/types';

/**
 * Protocol names Istio parses, case-insensitively (istio/istio pkg/config/protocol/instance.go,
 * `Parse`).
 */
const ISTIO_PROTOCOLS: Record<string, MeshPortProtocol> = {
  http: 'http',
  http2: 'http2',
  https: 'https',
  grpc: 'grpc',
  'grpc-web': 'grpc-web',
  tcp: 'tcp',
  tls: 'tls',
  mongo: 'mongo',
  mysql: 'mysql',
  redis: 'redis',
  udp: 'udp',
};

/**
 * Kubernetes-standard `appProtocol` values, which Istio maps only when they come from
 * `appProtocol` (a port name cannot contain `/`).
 */
const KUBERNETES_APP_PROTOCOLS: Record<string, MeshPortProtocol> = {
  'kubernetes.io/h2c': 'http2',
  'kubernetes.io/ws': 'http',
  'kubernetes.io/wss': 'https',
};

/**
 * Ports Istio never sniffs: an undeclared protocol there is TCP, because these protocols are
 * server-first and sniffing would wait for a client byte that never comes
 * (istio/istio pkg/config/kube/conversion.go, `wellKnownPorts`: SMTP, DNS, MySQL, MongoDB).
 *
 * @public
 */
export const ISTIO_WELL_KNOWN_TCP_PORTS: ReadonlyArray<number> = [
  25, 53, 3306, 27017,
];

/**
 * The protocol Istio derives for a Service port, as `ConvertProtocol` in istio/istio
 * pkg/config/kube/conversion.go does it:
 * - UDP ports are UDP;
 * - `appProtocol`, when set, replaces the port name (the name is then not looked at);
 * - a name starting with `grpc-web` is gRPC-Web; else the part before the first `-` is parsed
 *   (`http-web` → http, `grpc-api` → grpc);
 * - an unparsable protocol on one of {@link ISTIO_WELL_KNOWN_TCP_PORTS} is TCP;
 * - anything else is `unknown`: Istio sniffs the protocol (IST0118).
 *
 * @public
 */
export function servicePortProtocol(port: KubeServicePort): MeshPortProtocol {
  if (port.protocol?.toUpperCase() === 'UDP') {
    return 'udp';
  }
  const declared = (port.appProtocol ?? port.name ?? '').toLowerCase();
  const parsed =
    (port.appProtocol !== undefined
      ? KUBERNETES_APP_PROTOCOLS[declared]
      : undefined) ??
    (declared.startsWith('grpc-web')
      ? 'grpc-web'
      : ISTIO_PROTOCOLS[declared.split('-')[0]]);
  if (parsed) {
    return parsed;
  }
  return ISTIO_WELL_KNOWN_TCP_PORTS.includes(port.port) ? 'tcp' : 'unknown';
}

/**
 * Mesh view of a Service: ports with derived protocol, selector.
 *
 * @public
 */
export function serviceStatus(service: KubeService): ServiceStatus {
  return {
    name: service.metadata?.name ?? '',
    namespace: service.metadata?.namespace ?? '',
    selector: service.spec?.selector ?? {},
    ports: (service.spec?.ports ?? []).map(port => {
      const protocol = servicePortProtocol(port);
      const status: ServicePortStatus = {
        port: port.port,
        protocol,
        protocolOk: protocol !== 'unknown',
      };
      if (port.name !== undefined) status.name = port.name;
      if (port.targetPort !== undefined) status.targetPort = port.targetPort;
      if (port.appProtocol !== undefined) status.appProtocol = port.appProtocol;
      return status;
    }),
  };
}
