import { mockServices } from '@backstage/backend-test-utils';
import { ClusterGateway, ClusterRequestError } from './ClusterGateway';
import { asHttpError } from './ClusterFailedError';
import { withClusterDeadline } from './clusterDeadline';
import { blackHole, refusedUrl } from '../__testUtils__/loopback';

const gatewayTo = (url: string, timeoutMs: number) =>
  new ClusterGateway(
    [{ name: 'edge', url, serviceAccountToken: 't', skipTLSVerify: true }],
    'mesh-portal',
    mockServices.logger.mock(),
    timeoutMs,
  );

const vs = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'backend', namespace: 'prod' } };

describe('ClusterGateway when a cluster is down or hangs', () => {
  it.each([
    ['a list', (g: ClusterGateway) => g.list('edge', 'v1', 'Pod', { namespace: 'prod' })],
    ['an apply', (g: ClusterGateway) => g.apply('edge', vs)],
  ])('%s to a hanging cluster fails after the timeout as timed out (504), naming the cluster', async (_, call) => {
    const hole = await blackHole();
    try {
      const started = Date.now();
      const error = await call(gatewayTo(hole.url, 300)).catch(e => e);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(error).toBeInstanceOf(ClusterRequestError);
      expect(error).toMatchObject({ cluster: 'edge', timedOut: true, statusCode: undefined });
      expect(error.message).toMatch(/on cluster edge: no answer within 300 ms/);
      expect(asHttpError(error)).toMatchObject({ statusCode: 504 });
    } finally {
      hole.close();
    }
  });

  it('a refused connection is a 502 naming the cluster, not a timeout', async () => {
    const error = await gatewayTo(await refusedUrl(), 5_000)
      .list('edge', 'v1', 'Pod')
      .catch(e => e);
    expect(error).toMatchObject({ cluster: 'edge', timedOut: false, statusCode: undefined });
    expect(error.message).toMatch(/on cluster edge: .*ECONNREFUSED/);
    expect(asHttpError(error)).toMatchObject({ statusCode: 502 });
  });

  it('a deadline over several requests rejects as timed out and ignores the late failure', async () => {
    const late = new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 50));
    const error = await withClusterDeadline('edge', 'read mesh status', 10, late).catch(e => e);
    expect(error).toMatchObject({ timedOut: true, message: 'read mesh status on cluster edge: no answer within 10 ms' });
    await new Promise(resolve => setTimeout(resolve, 80)); // the late rejection must not be unhandled
  });
});
