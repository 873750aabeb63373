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
  ])('%p → %s', (port, protocol) => {
    expect(servicePortProtocol(port)).toBe(protocol);
  });
});
