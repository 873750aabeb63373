import { canaryThresholdsFor, DEFAULT_CANARY_THRESHOLDS } from './thresholds';

describe('canaryThresholdsFor', () => {
  it('uses the configured thresholds without annotations', () => {
    expect(canaryThresholdsFor(undefined, DEFAULT_CANARY_THRESHOLDS)).toEqual({
      thresholds: { minSuccessRate: 99, maxP99Ms: 500, minRequests: 50 },
      problems: [],
    });
  });

  it("lets the entity's annotations override them", () => {
    expect(
      canaryThresholdsFor(
        {
          'mesh-portal.io/canary-min-success-rate': '99.5',
          'mesh-portal.io/canary-max-p99-ms': ' 300 ',
        },
        DEFAULT_CANARY_THRESHOLDS,
      ).thresholds,
    ).toEqual({ minSuccessRate: 99.5, maxP99Ms: 300, minRequests: 50 });
  });

  it('ignores invalid annotations and names them', () => {
    const { thresholds, problems } = canaryThresholdsFor(
      {
        'mesh-portal.io/canary-min-success-rate': '101',
        'mesh-portal.io/canary-max-p99-ms': 'fast',
      },
      DEFAULT_CANARY_THRESHOLDS,
    );
    expect(thresholds).toEqual(DEFAULT_CANARY_THRESHOLDS);
    expect(problems).toEqual([
      'annotation mesh-portal.io/canary-min-success-rate: "101" is not a percentage between 0 and 100; using the default',
      'annotation mesh-portal.io/canary-max-p99-ms: "fast" is not a positive number of milliseconds; using the default',
    ]);
  });
});
