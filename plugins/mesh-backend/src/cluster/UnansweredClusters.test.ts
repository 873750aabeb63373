import { mockServices } from '@backstage/backend-test-utils';
import net from 'node:net';
import { ClusterGateway } from './ClusterGateway';
import { asHttpError } from './ClusterFailedError';
import { ClusterRequestError } from './clusterRequest';
import { ClusterUnansweredError, UnansweredClusters } from './UnansweredClusters';

describe('UnansweredClusters', () => {
  let time = 0;
  const clusters = () => new UnansweredClusters(mockServices.logger.mock(), { baseMs: 1000, maxMs: 4000 }, () => time);
  const refused = new ClusterRequestError('edge', undefined, 'list pods on cluster edge: connect ECONNREFUSED 127.0.0.1:1');
  const checked = (c: UnansweredClusters) => {
    try {
      c.check('edge', 'list services');
      return undefined;
    } catch (error) {
      return error as ClusterUnansweredError;
    }
  };

  beforeEach(() => {
    time = 100_000;
  });

  it('holds reads back after a failure without an answer, doubling the delay up to the limit', () => {
    const c = clusters();
    expect(checked(c)).toBeUndefined();
    c.failed('edge', refused);
    const held = checked(c)!;
    expect(held).toBeInstanceOf(ClusterUnansweredError);
    expect(held).toMatchObject({ cluster: 'edge', statusCode: undefined, timedOut: false });
    expect(held.message).toBe(
      'list services on cluster edge: not sent, the cluster did not answer 0 s ago (list pods on cluster edge: connect ECONNREFUSED 127.0.0.1:1); tried again in 1 s',
    );
    c.failed('edge', refused); // another read of the same round
    time += 1000;
    expect(checked(c)).toBeUndefined(); // one round goes out again
    c.failed('edge', refused);
    time += 1999;
    expect(checked(c)).toBeDefined();
    time += 1;
    expect(checked(c)).toBeUndefined();
    c.failed('edge', refused);
    c.failed('edge', refused);
    time += 3999;
    c.failed('edge', refused);
    expect(checked(c)!.message).toMatch(/tried again in 0 s$/);
    time += 1;
    c.failed('edge', refused);
    time += 3999;
    expect(checked(c)!.message).toMatch(/did not answer 4 s ago .*tried again in 0 s$/); // capped at 4 s
  });

  it('ends the outage on any answer, and never starts one for an answer with a status', () => {
    const c = clusters();
    c.failed('edge', new ClusterRequestError('edge', 403, 'forbidden'));
    c.failed('edge', new Error('not a cluster error'));
    expect(checked(c)).toBeUndefined();
    c.failed('edge', refused);
    expect(checked(c)).toBeDefined();
    c.answered('edge');
    expect(checked(c)).toBeUndefined();
  });

  it('with a probe, keeps failing fast after the delay while one probe is out, and ends or extends the outage by it', async () => {
    const probes: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
    const c = new UnansweredClusters(mockServices.logger.mock(), { baseMs: 1000, maxMs: 4000 }, () => time, () =>
      new Promise<void>((resolve, reject) => {
        probes.push({ resolve, reject });
      }),
    );
    c.failed('edge', refused);
    time += 1000;
    expect(checked(c)!.message).toMatch(/; being tried again$/);
    expect(checked(c)).toBeDefined(); // a second read while the probe is out
    expect(probes).toHaveLength(1);
    probes[0].reject(refused); // still down: the next delay doubles
    await new Promise(resolve => setImmediate(resolve));
    time += 1999;
    expect(checked(c)!.message).toMatch(/tried again in 0 s$/);
    expect(probes).toHaveLength(1);
    time += 1;
    expect(checked(c)).toBeDefined();
    expect(probes).toHaveLength(2);
    probes[1].resolve(); // it answers again
    await new Promise(resolve => setImmediate(resolve));
    expect(checked(c)).toBeUndefined();
  });

  it('keeps a timed-out outage a 504 and a refused one a 502', () => {
    const c = clusters();
    c.failed('edge', new ClusterRequestError('edge', undefined, 'no answer within 300 ms', true));
    expect(asHttpError(checked(c))).toMatchObject({ statusCode: 504 });
    c.answered('edge');
    c.failed('edge', refused);
    expect(asHttpError(checked(c))).toMatchObject({ statusCode: 502 });
  });
});

describe('ClusterGateway with a cluster that does not answer', () => {
  it('sends no request to it until the delay is over, then one probe in the background', async () => {
    // Accepts and drops every connection (no TLS, no HTTP status): counts the attempts.
    let connections = 0;
    const server = net.createServer(socket => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const gateway = new ClusterGateway(
      [{ name: 'edge', url, serviceAccountToken: 't', skipTLSVerify: true }],
      'mesh-portal',
      mockServices.logger.mock(),
      2_000,
      { baseMs: 300, maxMs: 300 },
    );
    try {
      const first = await gateway.list('edge', 'v1', 'Pod', { namespace: 'prod' }).catch(e => e);
      expect(first).toBeInstanceOf(ClusterRequestError);
      expect(first).not.toBeInstanceOf(ClusterUnansweredError);
      const tried = connections;
      expect(tried).toBeGreaterThan(0);

      const reads = await Promise.all(
        Array.from({ length: 9 }, () => gateway.list('edge', 'v1', 'Service', { namespace: 'prod' }).catch(e => e)),
      );
      expect(reads.every(e => e instanceof ClusterUnansweredError)).toBe(true);
      expect(reads[0].message).toMatch(/^list Service on cluster edge: not sent, the cluster did not answer .* ago \(list Pod on cluster edge: /);
      expect(connections).toBe(tried);

      // After the delay one probe goes out in the background; the reads still fail at once.
      await new Promise(resolve => setTimeout(resolve, 350));
      const again = await Promise.all(
        Array.from({ length: 9 }, () => gateway.list('edge', 'v1', 'Pod', { namespace: 'prod' }).catch(e => e)),
      );
      expect(again.every(e => e instanceof ClusterUnansweredError)).toBe(true);
      expect(again[0].message).toMatch(/; being tried again$/);
      await new Promise(resolve => setTimeout(resolve, 100));
      expect(connections).toBe(tried + 1);
    } finally {
      server.close();
    }
  });
});
