import type {
  MeshPortProtocol,
  ServicePortStatus,
  ServiceStatus,
} from '../api/status';
import type { KubeService, KubeServicePort } from '../kube/types';

const KNOWN_PROTOCOLS: Record<string, MeshPortProtocol> = {
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
  // Kubernetes-standard appProtocol values Istio understands.
  'kubernetes.io/h2c': 'http2',
  'kubernetes.io/ws': 'http',
  'kubernetes.io/wss': 'https',
};

/**
 * The protocol Istio derives for a Service port: `appProtocol` first, then the port name
 * (`<protocol>` or `<protocol>-<suffix>`, e.g. `http-web`, `grpc-api`); UDP ports are UDP.
 * `unknown` means protocol sniffing (IST0118).
 *
 * @public
 */
export function servicePortProtocol(port: KubeServicePort): MeshPortProtocol {
  if (port.protocol?.toUpperCase() === 'UDP') {
    return 'udp';
  }
  if (port.appProtocol) {
    const fromAppProtocol = KNOWN_PROTOCOLS[port.appProtocol.toLowerCase()];
    if (fromAppProtocol) {
      return fromAppProtocol;
    }
  }
  const name = port.name?.toLowerCase();
  if (name) {
    if (KNOWN_PROTOCOLS[name] && !name.includes('/')) {
      return KNOWN_PROTOCOLS[name];
    }
    if (name.startsWith('grpc-web-')) {
      return 'grpc-web';
    }
    const prefix = name.split('-')[0];
    if (KNOWN_PROTOCOLS[prefix]) {
      return KNOWN_PROTOCOLS[prefix];
    }
  }
  return 'unknown';
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
