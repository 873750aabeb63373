import { ConfigReader } from '@backstage/config';
import { readCanaryRunsConfig } from './canaryRunsConfig';

describe('readCanaryRunsConfig', () => {
  it('applies the defaults', () => {
    expect(readCanaryRunsConfig(new ConfigReader({}))).toEqual({ tickSeconds: 15, maxUnavailableChecks: 5 });
  });

  it('reads mesh.canaryRuns and rejects what is not a whole number ≥ 1', () => {
    expect(
      readCanaryRunsConfig(new ConfigReader({ mesh: { canaryRuns: { tickSeconds: 30, maxUnavailableChecks: 3 } } })),
    ).toEqual({ tickSeconds: 30, maxUnavailableChecks: 3 });
    expect(() => readCanaryRunsConfig(new ConfigReader({ mesh: { canaryRuns: { tickSeconds: 0 } } }))).toThrow(
      'mesh.canaryRuns.tickSeconds: 0 is not a whole number ≥ 1',
    );
    expect(() =>
      readCanaryRunsConfig(new ConfigReader({ mesh: { canaryRuns: { maxUnavailableChecks: 2.5 } } })),
    ).toThrow('mesh.canaryRuns.maxUnavailableChecks: 2.5 is not a whole number ≥ 1');
  });
});
