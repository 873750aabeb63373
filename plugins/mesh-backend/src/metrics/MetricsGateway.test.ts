import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { canaryQueryPresets } from '@mesh-portal/backstage-plugin-mesh-common';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { MetricsGateway, MetricsUnavailableError } from './MetricsGateway';

const server = setupServer();
registerMswTestHooks(server);

const PROM = 'http://prometheus.test:9090';
const vector = { status: 'success', data: { resultType: 'vector', result: [] } };

function gateway(options: { timeoutMs?: number; auth?: boolean } = {}) {
  return new MetricsGateway(
    new Map([
      [
        'prod',
        {
          url: PROM,
          auth: options.auth ? { header: 'X-Scope-OrgID-Token', value: 'Bearer s3cret' } : undefined,
          templates: canaryQueryPresets.istio,
        },
      ],
    ]),
    options.timeoutMs ?? 500,
  );
}

describe('MetricsGateway', () => {
  it('posts the query with the auth header and returns the answer', async () => {
    let seen: { query: string | null; auth: string | null } | undefined;
    server.use(
      http.post(`${PROM}/api/v1/query`, async ({ request }) => {
        const form = new URLSearchParams(await request.text());
        seen = { query: form.get('query'), auth: request.headers.get('X-Scope-OrgID-Token') };
        return HttpResponse.json(vector);
      }),
    );
    await expect(gateway({ auth: true }).query('prod', 'up{a="b|c"}')).resolves.toEqual(vector);
    expect(seen).toEqual({ query: 'up{a="b|c"}', auth: 'Bearer s3cret' });
  });

  it('posts a range query with start, end and step', async () => {
    let form: URLSearchParams | undefined;
    const matrix = { status: 'success', data: { resultType: 'matrix', result: [] } };
    server.use(
      http.post(`${PROM}/api/v1/query_range`, async ({ request }) => {
        form = new URLSearchParams(await request.text());
        return HttpResponse.json(matrix);
      }),
    );
    await expect(
      gateway().queryRange('prod', 'up', { start: 1000, end: 1900, stepSeconds: 15 }),
    ).resolves.toEqual(matrix);
    expect(Object.fromEntries(form!)).toEqual({ query: 'up', start: '1000', end: '1900', step: '15' });
  });

  it('sends no auth header when none is configured', async () => {
    let headers: Headers | undefined;
    server.use(
      http.post(`${PROM}/api/v1/query`, ({ request }) => {
        headers = request.headers;
        return HttpResponse.json(vector);
      }),
    );
    await gateway().query('prod', 'up');
    expect(headers?.get('authorization')).toBeNull();
  });

  it('gives up after the timeout with the reason', async () => {
    server.use(
      http.post(`${PROM}/api/v1/query`, async () => {
        await delay(2000);
        return HttpResponse.json(vector);
      }),
    );
    const started = Date.now();
    await expect(gateway({ timeoutMs: 100 }).query('prod', 'up')).rejects.toThrow(
      new MetricsUnavailableError('Prometheus did not answer within 100 ms'),
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reports 5xx and non-JSON answers as unavailable', async () => {
    server.use(
      http.post(`${PROM}/api/v1/query`, () => new HttpResponse('upstream down', { status: 503, statusText: 'Service Unavailable' })),
    );
    await expect(gateway().query('prod', 'up')).rejects.toThrow('Prometheus answered 503 Service Unavailable');
    server.use(http.post(`${PROM}/api/v1/query`, () => new HttpResponse('<html>login</html>', { status: 200 })));
    await expect(gateway().query('prod', 'up')).rejects.toThrow('Prometheus answered something other than JSON');
  });

  it("returns Prometheus' own error for a bad query (400 with JSON)", async () => {
    const answer = { status: 'error', errorType: 'bad_data', error: 'parse error' };
    server.use(http.post(`${PROM}/api/v1/query`, () => HttpResponse.json(answer, { status: 400 })));
    await expect(gateway().query('prod', 'up{')).resolves.toEqual(answer);
  });

  it('reports a refused connection and an unconfigured cluster', async () => {
    server.use(http.post(`${PROM}/api/v1/query`, () => HttpResponse.error()));
    await expect(gateway().query('prod', 'up')).rejects.toThrow(/^Prometheus unreachable: /);
    await expect(gateway().query('dev', 'up')).rejects.toThrow('no Prometheus configured for cluster dev');
    expect(gateway().endpoint('dev')).toBeUndefined();
  });
});
