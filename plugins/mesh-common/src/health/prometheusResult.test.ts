import { durationSeconds, valuesByVersion, versionMetrics } from './prometheusResult';

const vector = (entries: Array<[Record<string, string>, string]>) => ({
  status: 'success',
  data: {
    resultType: 'vector',
    result: entries.map(([metric, value]) => ({ metric, value: [1796236449.8, value] })),
  },
});

describe('valuesByVersion', () => {
  it('reads values per destination_version and leaves out NaN and Inf', () => {
    const values = valuesByVersion(
      vector([
        [{ destination_version: 'v1' }, '4.5'],
        [{ destination_version: 'v2' }, 'NaN'],
        [{ destination_version: 'v3' }, '+Inf'],
        [{}, '1'],
      ]),
    );
    expect([...values]).toEqual([['v1', 4.5]]);
  });

  it("says what Prometheus said when the query failed", () => {
    expect(() =>
      valuesByVersion({ status: 'error', errorType: 'bad_data', error: 'parse error at char 3' }),
    ).toThrow('Prometheus: parse error at char 3');
    expect(() => valuesByVersion({ status: 'success', data: { resultType: 'matrix', result: [] } })).toThrow(
      'other than an instant vector',
    );
    expect(() => valuesByVersion('<html>')).toThrow('other than an instant vector');
  });
});

describe('versionMetrics', () => {
  it('joins the answers per version with samples = rate × window', () => {
    expect(
      versionMetrics(
        {
          requestRate: new Map([['v1', 4.5], ['v2', 0.5]]),
          successRate: new Map([['v1', 100], ['v2', 96]]),
          p50Ms: new Map([['v1', 7.5]]),
          p99Ms: new Map([['v1', 48], ['v3', 12]]),
        },
        60,
      ),
    ).toEqual([
      { version: 'v1', requestRate: 4.5, successRate: 100, p50Ms: 7.5, p99Ms: 48, samples: 270 },
      { version: 'v2', requestRate: 0.5, successRate: 96, samples: 30 },
      { version: 'v3', requestRate: 0, p99Ms: 12, samples: 0 },
    ]);
  });
});

describe('durationSeconds', () => {
  it('adds up PromQL duration parts', () => {
    expect(durationSeconds('1m')).toBe(60);
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(durationSeconds('500ms')).toBe(0.5);
  });
});
