import {
  canaryQueryPresets,
  escapePromqlString,
  escapeRegex,
  renderCanaryQuery,
} from './promql';

const params = { namespace: 'prod', service: 'backend', window: '1m' };

describe('renderCanaryQuery', () => {
  it('renders the istio preset as Flagger queries', () => {
    expect(renderCanaryQuery(canaryQueryPresets.istio.successRate, params)).toBe(
      'sum by (destination_version) (rate(istio_requests_total{reporter="destination",destination_workload_namespace="prod",destination_service_name="backend",response_code!~"5.*"}[1m]))' +
        ' / sum by (destination_version) (rate(istio_requests_total{reporter="destination",destination_workload_namespace="prod",destination_service_name="backend"}[1m])) * 100',
    );
    expect(
      renderCanaryQuery(canaryQueryPresets.istio.latency, { ...params, quantile: 0.99 }),
    ).toBe(
      'histogram_quantile(0.99, sum by (le, destination_version) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="prod",destination_service_name="backend"}[1m])))',
    );
  });

  it('renders the envoy preset on the callers\u2019 per-subset clusters', () => {
    expect(renderCanaryQuery(canaryQueryPresets.envoy.requestRate, params)).toBe(
      'sum by (destination_version) (label_replace(rate(envoy_cluster_upstream_rq_completed{' +
        'cluster_name=~"outbound\\\\|[0-9]+\\\\|[^|]+\\\\|backend\\\\.prod\\\\.svc\\\\.cluster\\\\.local"}[1m]),' +
        ' "destination_version", "$1", "cluster_name", "outbound\\\\|[0-9]+\\\\|([^|]+)\\\\|.*"))',
    );
    const success = renderCanaryQuery(canaryQueryPresets.envoy.successRate, params);
    expect(success).toContain('response_code_class="5xx"');
    expect(success).toContain(' or 0 * sum by (destination_version)');
  });

  it('escapes label values so they cannot change the query', () => {
    const query = renderCanaryQuery('x{a="{{service}}",b=~"{{hostRegex}}"}', {
      ...params,
      service: 'a"} or vector(1) #\\',
    });
    // String.raw: the backslashes below are the query's own.
    expect(query).toBe(
      String.raw`x{a="a\"} or vector(1) #\\",b=~"a\"\\} or vector\\(1\\) #\\\\\\.prod\\.svc\\.cluster\\.local"}`,
    );
  });

  it('rejects unknown placeholders and windows that are not durations', () => {
    expect(() => renderCanaryQuery('x[{{windw}}]', params)).toThrow(
      'unknown or unset placeholder {{windw}}',
    );
    expect(() => renderCanaryQuery(canaryQueryPresets.istio.latency, params)).toThrow(
      '{{quantile}}',
    );
    expect(() =>
      renderCanaryQuery('x', { ...params, window: '1m]) or vector(1' }),
    ).toThrow('is not a PromQL duration');
  });
});

describe('escaping', () => {
  it('escapes regex metacharacters and PromQL string characters', () => {
    expect(escapeRegex('a.b|c*(d)')).toBe('a\\.b\\|c\\*\\(d\\)');
    expect(escapePromqlString('say "hi"\\\n')).toBe('say \\"hi\\"\\\\\\n');
  });
});
