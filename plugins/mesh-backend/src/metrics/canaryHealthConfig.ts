import { Config } from '@backstage/config';
import {
  CanaryQueryPresetName,
  CanaryQueryTemplates,
  CanaryThresholds,
  DEFAULT_CANARY_STEP_WEIGHTS,
  DEFAULT_CANARY_THRESHOLDS,
  canaryQueryPresets,
  isPromqlDuration,
} from '@mesh-portal/backstage-plugin-mesh-common';

/** Where and how to reach one cluster's Prometheus. */
export interface PrometheusEndpoint {
  url: string;
  /** Header name and value sent with every query, when configured. */
  auth?: { header: string; value: string };
  templates: CanaryQueryTemplates;
}

/** `mesh.canaryHealth` and the clusters' Prometheus settings, with defaults applied. */
export interface CanaryHealthConfig {
  window: string;
  thresholds: CanaryThresholds;
  stepWeights: readonly number[];
  timeoutMs: number;
  /** By cluster name; a cluster absent here has no Prometheus configured. */
  prometheus: Map<string, PrometheusEndpoint>;
}

const presetNames = Object.keys(canaryQueryPresets) as CanaryQueryPresetName[];

/** Reads and checks the canary health configuration (config.d.ts documents every key). */
export function readCanaryHealthConfig(config: Config): CanaryHealthConfig {
  const health = config.getOptionalConfig('mesh.canaryHealth');
  const window = health?.getOptionalString('window') ?? '1m';
  if (!isPromqlDuration(window)) {
    throw new Error(`mesh.canaryHealth.window: ${window} is not a PromQL duration (e.g. 1m)`);
  }
  const preset = (key: string, value: string | undefined, fallback: CanaryQueryPresetName) => {
    if (value === undefined) return fallback;
    if (!presetNames.includes(value as CanaryQueryPresetName)) {
      throw new Error(`${key}: ${value} is not one of ${presetNames.join(', ')}`);
    }
    return value as CanaryQueryPresetName;
  };
  const defaultPreset = preset(
    'mesh.canaryHealth.queryPreset',
    health?.getOptionalString('queryPreset'),
    'istio',
  );
  const ownQueries = health?.getOptionalConfig('queries');
  const templatesOf = (name: CanaryQueryPresetName): CanaryQueryTemplates => ({
    requestRate: ownQueries?.getOptionalString('requestRate') ?? canaryQueryPresets[name].requestRate,
    successRate: ownQueries?.getOptionalString('successRate') ?? canaryQueryPresets[name].successRate,
    latency: ownQueries?.getOptionalString('latency') ?? canaryQueryPresets[name].latency,
  });

  const prometheus = new Map<string, PrometheusEndpoint>();
  const clusters = config.getOptionalConfig('mesh.clusters');
  for (const name of clusters?.keys() ?? []) {
    const cluster = clusters!.getConfig(name);
    const url = cluster.getOptionalString('prometheusUrl');
    if (!url) continue;
    const authorization = cluster.getOptionalString('prometheusAuthorization');
    prometheus.set(name, {
      url: url.replace(/\/+$/, ''),
      auth: authorization
        ? { header: cluster.getOptionalString('prometheusAuthHeader') ?? 'Authorization', value: authorization }
        : undefined,
      templates: templatesOf(
        preset(
          `mesh.clusters.${name}.prometheusQueryPreset`,
          cluster.getOptionalString('prometheusQueryPreset'),
          defaultPreset,
        ),
      ),
    });
  }

  return {
    window,
    thresholds: {
      minSuccessRate: health?.getOptionalNumber('minSuccessRate') ?? DEFAULT_CANARY_THRESHOLDS.minSuccessRate,
      maxP99Ms: health?.getOptionalNumber('maxP99Ms') ?? DEFAULT_CANARY_THRESHOLDS.maxP99Ms,
      minRequests: health?.getOptionalNumber('minRequests') ?? DEFAULT_CANARY_THRESHOLDS.minRequests,
    },
    stepWeights: readStepWeights(health?.getOptional('stepWeights')),
    timeoutMs: health?.getOptionalNumber('timeoutMs') ?? 3000,
    prometheus,
  };
}

function readStepWeights(value: unknown): readonly number[] {
  if (value === undefined) return DEFAULT_CANARY_STEP_WEIGHTS;
  const steps = value as number[];
  const increasing = Array.isArray(steps) && steps.every((step, i) =>
    typeof step === 'number' && step > 0 && step <= 100 && (i === 0 || step > steps[i - 1]));
  if (!increasing || steps.length === 0) {
    throw new Error('mesh.canaryHealth.stepWeights: must be increasing percentages in (0, 100]');
  }
  return steps;
}
