import {
  durationSeconds,
  seriesByVersion,
  seriesStepSeconds,
  valuesByVersion,
  versionMetrics,
} from './prometheusResult';

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

describe('seriesByVersion', () => {
  it('reads one series per version, oldest first, without NaN points', () => {
    const answer = {
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          { metric: { destination_version: 'v2' }, values: [[100, '99.5'], [115, 'NaN'], [130, '97']] },
          { metric: { destination_version: 'v1' }, values: [[100, '100'], [115, '100']] },
          { metric: {}, values: [[100, '1']] },
        ],
      },
    };
    expect(seriesByVersion(answer)).toEqual([
      { version: 'v1', points: [[100, 100], [115, 100]] },
      { version: 'v2', points: [[100, 99.5], [130, 97]] },
    ]);
  });

  it('says what Prometheus said, or that the answer is no range vector', () => {
    expect(() => seriesByVersion({ status: 'error', error: 'exceeded maximum resolution' })).toThrow(
      'Prometheus: exceeded maximum resolution',
    );
    expect(() => seriesByVersion({ status: 'success', data: { resultType: 'vector', result: [] } })).toThrow(
      'other than a range vector',
    );
  });
});

describe('seriesStepSeconds', () => {
  it('aims at 60 points, never below 15 s', () => {
    expect(seriesStepSeconds(15 * 60)).toBe(15);
    expect(seriesStepSeconds(3600)).toBe(60);
    expect(seriesStepSeconds(6 * 3600)).toBe(360);
  });
});
