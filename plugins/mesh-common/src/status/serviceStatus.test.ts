import { backendService } from '../__fixtures__/handbook';
import { servicePortProtocol, serviceStatus } from './serviceStatus';

describe('serviceStatus', () => {
  it('flags the handbook backend port (no name) as unknown protocol', () => {
    expect(serviceStatus(backendService)).toEqual({
      name: 'backend',
      namespace: 'prod',
      selector: { app: 'backend' },
      ports: [
        { port: 80, targetPort: 8080, protocol: 'unknown', protocolOk: false },
      ],
    });
  });

  it.each([
    [{ port: 80, name: 'http' }, 'http'],
    [{ port: 80, name: 'http-web' }, 'http'],
    [{ port: 9090, name: 'grpc-api' }, 'grpc'],
    [{ port: 9090, name: 'grpc-web-ui' }, 'grpc-web'],
    [{ port: 5432, name: 'tcp-db' }, 'tcp'],
    [{ port: 80, name: 'web', appProtocol: 'HTTP2' }, 'http2'],
    [{ port: 80, appProtocol: 'kubernetes.io/h2c' }, 'http2'],
    [{ port: 53, name: 'dns', protocol: 'UDP' }, 'udp'],
    [{ port: 80, name: 'web' }, 'unknown'],
    [{ port: 80, name: 'httpx' }, 'unknown'],
    // Istio's ConvertProtocol: appProtocol replaces the name, even when Istio cannot parse it.
    [{ port: 80, name: 'http', appProtocol: 'postgresql' }, 'unknown'],
    [{ port: 80, name: 'tcp-db', appProtocol: 'HTTP' }, 'http'],
    [{ port: 80, name: 'GRPC-Web' }, 'grpc-web'],
    // Server-first ports Istio never sniffs: TCP unless declared otherwise.
    [{ port: 3306 }, 'tcp'],
    [{ port: 27017, name: 'db' }, 'tcp'],
    [{ port: 25, name: 'smtp' }, 'tcp'],
    [{ port: 3306, name: 'mysql' }, 'mysql'],
    // Everything else is sniffed, including other databases and brokers.
    [{ port: 5432, name: 'postgres' }, 'unknown'],
    [{ port: 9092 }, 'unknown'],
  ])('%p → %s', (port, protocol) => {
    expect(servicePortProtocol(port)).toBe(protocol);
  });
});
