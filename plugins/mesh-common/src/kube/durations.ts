/**
 * Milliseconds of a duration as Istio's API takes it in YAML (`250ms`, `2s`, `1.5s`, `5m`,
 * `1h`), or undefined when it is not one. Istio rejects durations under 1ms and finer than a
 * millisecond (istio/istio pkg/config/validation/agent `ValidateDuration`), so those are
 * undefined too.
 *
 * @public
 */
export function durationMs(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
  if (!match) return undefined;
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[
    match[2] as 'ms' | 's' | 'm' | 'h'
  ];
  const ms = Number(match[1]) * factor;
  if (ms < 1 || Math.abs(ms - Math.round(ms)) > 1e-9) return undefined;
  return Math.round(ms);
}
