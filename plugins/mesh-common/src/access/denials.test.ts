import {
  accessDenialsFromAnswer,
  defaultAccessDenialQueries,
  renderAccessDenialQuery,
} from './denials';

describe('access denial queries', () => {
  it('selects the dry-run ALLOW shadow denials of the pods, summed per pod, now minus a window ago (or all of it when younger)', () => {
    const query = renderAccessDenialQuery(
      defaultAccessDenialQueries.wouldBeDenied,
      {
        namespace: 'shop',
        pods: ['payments-v1-b', 'payments-v1-a'],
        window: '1h',
      },
    );
    expect(query).toBe(
      'clamp_min((sum by (pod) ({__name__=~"envoy_.+",authz_dry_run_action="allow",authz_dry_run_result="denied",namespace="shop",pod=~"payments-v1-a|payments-v1-b"}) - sum by (pod) ({__name__=~"envoy_.+",authz_dry_run_action="allow",authz_dry_run_result="denied",namespace="shop",pod=~"payments-v1-a|payments-v1-b"} offset 1h)) or sum by (pod) ({__name__=~"envoy_.+",authz_dry_run_action="allow",authz_dry_run_result="denied",namespace="shop",pod=~"payments-v1-a|payments-v1-b"}), 0)',
    );
    expect(
      renderAccessDenialQuery(defaultAccessDenialQueries.denied, {
        namespace: 'shop',
        pods: ['p'],
        window: '30m',
      }),
    ).toContain('authz_enforce_result="denied"');
  });

  it('escapes names so they cannot change the query', () => {
    const query = renderAccessDenialQuery(
      '{pod=~"{{pods}}",namespace="{{namespace}}"}',
      {
        namespace: 'a"b',
        pods: ['x.y'],
        window: '1m',
      },
    );
    expect(query).toBe('{pod=~"x\\\\.y",namespace="a\\"b"}');
  });

  it('refuses bad windows, unknown placeholders and empty pod lists', () => {
    const params = { namespace: 'shop', pods: ['p'], window: '1h' };
    expect(() =>
      renderAccessDenialQuery('x', { ...params, window: '1 hour' }),
    ).toThrow(/window/);
    expect(() => renderAccessDenialQuery('{{service}}', params)).toThrow(
      /\{\{service\}\}/,
    );
    expect(() => renderAccessDenialQuery('x', { ...params, pods: [] })).toThrow(
      /pods/,
    );
  });

  it('reads counts per pod, rounded, with the total', () => {
    const answer = {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { pod: 'payments-v1-b' }, value: [1, '2.4'] },
          { metric: { pod: 'payments-v1-a' }, value: [1, '11.6'] },
          { metric: { pod: 'payments-v1-c' }, value: [1, 'NaN'] },
        ],
      },
    };
    expect(accessDenialsFromAnswer(answer, 'would-be-denied', '1h')).toEqual({
      state: 'ok',
      kind: 'would-be-denied',
      window: '1h',
      total: 14,
      byPod: [
        { pod: 'payments-v1-a', count: 12 },
        { pod: 'payments-v1-b', count: 2 },
      ],
    });
    expect(() =>
      accessDenialsFromAnswer(
        { status: 'error', error: 'parse error' },
        'denied',
        '1h',
      ),
    ).toThrow('Prometheus: parse error');
  });
});
