import { PrometheusEndpoint } from './canaryHealthConfig';

/** Prometheus could not answer usefully: down, slow, refusing, or not JSON. */
export class MetricsUnavailableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'MetricsUnavailableError';
  }
}

/**
 * The only module that talks to Prometheus. It knows each cluster's endpoint and auth and
 * bounds every query by a timeout, so a slow Prometheus costs at most that long.
 */
export class MetricsGateway {
  constructor(
    private readonly endpoints: Map<string, PrometheusEndpoint>,
    private readonly timeoutMs: number,
  ) {}

  /** The cluster's Prometheus settings; undefined when none is configured. */
  endpoint(cluster: string): PrometheusEndpoint | undefined {
    return this.endpoints.get(cluster);
  }

  /**
   * Runs an instant query (`/api/v1/query`) and returns Prometheus' JSON answer as is.
   * A 4xx answer with a JSON body (bad query) is returned too: its `error` says what is wrong.
   * Throws {@link MetricsUnavailableError} with the reason otherwise.
   */
  query(cluster: string, promql: string): Promise<unknown> {
    return this.post(cluster, 'query', { query: promql });
  }

  /**
   * Runs a range query (`/api/v1/query_range`) from `start` to `end` (unix seconds) every
   * `stepSeconds`, with the same answers and errors as {@link MetricsGateway.query}.
   */
  queryRange(
    cluster: string,
    promql: string,
    range: { start: number; end: number; stepSeconds: number },
  ): Promise<unknown> {
    return this.post(cluster, 'query_range', {
      query: promql,
      start: String(range.start),
      end: String(range.end),
      step: String(range.stepSeconds),
    });
  }

  private async post(cluster: string, api: 'query' | 'query_range', form: Record<string, string>): Promise<unknown> {
    const endpoint = this.endpoints.get(cluster);
    if (!endpoint) {
      throw new MetricsUnavailableError(`no Prometheus configured for cluster ${cluster}`);
    }
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    if (endpoint.auth) headers[endpoint.auth.header] = endpoint.auth.value;
    let response: Response;
    try {
      // POST: the templates are long, and a GET URL could exceed a proxy's limit.
      response = await fetch(`${endpoint.url}/api/v1/${api}`, {
        method: 'POST',
        headers,
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new MetricsUnavailableError(`Prometheus did not answer within ${this.timeoutMs} ms`);
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new MetricsUnavailableError(
        `Prometheus unreachable: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      );
    }
    const body = await this.readJson(response);
    if (!response.ok && (response.status >= 500 || body === undefined)) {
      throw new MetricsUnavailableError(`Prometheus answered ${response.status} ${response.statusText}`.trim());
    }
    if (body === undefined) {
      throw new MetricsUnavailableError('Prometheus answered something other than JSON');
    }
    return body;
  }

  private async readJson(response: Response): Promise<unknown> {
    try {
      return await response.json();
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') {
        throw new MetricsUnavailableError(`Prometheus did not answer within ${this.timeoutMs} ms`);
      }
      return undefined;
    }
  }
}
