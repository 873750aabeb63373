import { formatZodError } from './actions';
import { canaryRunStartRequestSchema } from './canaryRuns';

const base = { service: 'backend', stable: 'v1', canary: 'v2' };

function errorsOf(body: unknown): string[] {
  const result = canaryRunStartRequestSchema.safeParse(body);
  if (result.success) {
    throw new Error(`expected ${JSON.stringify(body)} to be rejected`);
  }
  return formatZodError(result.error);
}

describe('canaryRunStartRequestSchema', () => {
  it('fills in the default steps and interval', () => {
    expect(canaryRunStartRequestSchema.parse(base)).toEqual({
      ...base,
      steps: [10, 25, 50, 100],
      intervalSeconds: 60,
    });
  });

  it('keeps given steps, interval and cluster', () => {
    expect(
      canaryRunStartRequestSchema.parse({
        ...base,
        steps: [5, 100],
        intervalSeconds: 10,
        cluster: 'prod-eu-1',
      }),
    ).toEqual({
      ...base,
      steps: [5, 100],
      intervalSeconds: 10,
      cluster: 'prod-eu-1',
    });
  });

  it('takes the VirtualService of the split to step, named as an object name', () => {
    expect(
      canaryRunStartRequestSchema.parse({
        ...base,
        virtualService: 'backend-ingress',
      }),
    ).toMatchObject({ virtualService: 'backend-ingress' });
    expect(errorsOf({ ...base, virtualService: 'Backend VS' })).toEqual([
      expect.stringMatching(/^virtualService: must be a DNS-1123 subdomain/),
    ]);
  });

  it('names the step that does not increase', () => {
    expect(errorsOf({ ...base, steps: [10, 50, 50, 100] })).toEqual([
      'steps.2: must be greater than the step before (50)',
    ]);
    expect(errorsOf({ ...base, steps: [50, 25, 100] })).toEqual([
      'steps.1: must be greater than the step before (50)',
    ]);
  });

  it('requires the steps to end at 100', () => {
    expect(errorsOf({ ...base, steps: [10, 25, 50] })).toEqual([
      'steps: must end at 100 (the promotion), not 50',
    ]);
  });

  it('rejects fractional, zero and out-of-range steps by index', () => {
    expect(errorsOf({ ...base, steps: [12.5, 100] })).toEqual([
      'steps.0: must be an integer',
    ]);
    expect(errorsOf({ ...base, steps: [0, 100] })).toEqual([
      'steps.0: must be at least 1',
    ]);
    expect(errorsOf({ ...base, steps: [10, 120] })).toEqual([
      'steps.1: must be at most 100',
      'steps: must end at 100 (the promotion), not 120',
    ]);
    expect(errorsOf({ ...base, steps: [] })).toEqual([
      'steps: must name at least one weight',
    ]);
  });

  it('bounds the interval to 10–3600 whole seconds', () => {
    expect(errorsOf({ ...base, intervalSeconds: 5 })).toEqual([
      'intervalSeconds: must be at least 10 seconds',
    ]);
    expect(errorsOf({ ...base, intervalSeconds: 3601 })).toEqual([
      'intervalSeconds: must be at most 3600 seconds',
    ]);
    expect(errorsOf({ ...base, intervalSeconds: 30.5 })).toEqual([
      'intervalSeconds: must be an integer',
    ]);
  });

  it('requires service, stable and canary as DNS-1123 labels, canary other than stable', () => {
    expect(errorsOf({ steps: [100] })).toEqual([
      expect.stringMatching(/^service: /),
      expect.stringMatching(/^stable: /),
      expect.stringMatching(/^canary: /),
    ]);
    expect(errorsOf({ ...base, canary: 'V2' })).toEqual([
      expect.stringMatching(/^canary: must be a DNS-1123 label/),
    ]);
    expect(errorsOf({ ...base, canary: 'v1' })).toEqual([
      'canary: must differ from stable',
    ]);
  });

  it('rejects unknown fields by name', () => {
    expect(errorsOf({ ...base, weights: { v1: 90 } })).toEqual([
      'weights: unknown field',
    ]);
  });
});
