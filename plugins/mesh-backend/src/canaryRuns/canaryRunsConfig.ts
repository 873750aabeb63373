import { Config } from '@backstage/config';
import { DEFAULT_MAX_UNAVAILABLE_CHECKS } from '@mesh-portal/backstage-plugin-mesh-common';

/** `mesh.canaryRuns`, with defaults applied (config.d.ts documents every key). */
export interface CanaryRunsConfig {
  /** Seconds between two checks of every running run. */
  tickSeconds: number;
  /** Checks in a row without a health answer after which a run rolls back. */
  maxUnavailableChecks: number;
}

/** Reads and checks `mesh.canaryRuns`. */
export function readCanaryRunsConfig(config: Config): CanaryRunsConfig {
  const runs = config.getOptionalConfig('mesh.canaryRuns');
  const wholeAtLeastOne = (key: string, fallback: number) => {
    const value = runs?.getOptionalNumber(key) ?? fallback;
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`mesh.canaryRuns.${key}: ${value} is not a whole number ≥ 1`);
    }
    return value;
  };
  return {
    tickSeconds: wholeAtLeastOne('tickSeconds', 15),
    maxUnavailableChecks: wholeAtLeastOne('maxUnavailableChecks', DEFAULT_MAX_UNAVAILABLE_CHECKS),
  };
}
