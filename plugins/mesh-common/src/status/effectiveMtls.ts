import type { EffectiveMtls, MtlsMode, MtlsSource } from '../api/status';
import type { IstioPeerAuthentication } from '../kube/types';
import { matchesLabels } from '../labelSelector';
import { peerAuthenticationPrecedence } from './peerAuthenticationPrecedence';

/**
 * Input of {@link effectiveMtlsMode}.
 *
 * @public
 */
export interface EffectiveMtlsInput {
  /** Pod labels of the workload; absent = the namespace-wide mode. */
  workloadLabels?: Record<string, string>;
  /** Workload name, echoed in the result. */
  workload?: string;
  namespace: string;
  /** All PeerAuthentications of the namespace and the root namespace (others are ignored). */
  peerAuthentications: IstioPeerAuthentication[];
  /** Istio's root namespace (mesh-wide policies). */
  rootNamespace?: string;
}

/**
 * The mTLS mode a workload's server side enforces.
 *
 * Precedence workload (selector matches) \> namespace (no selector) \> mesh (root namespace, no
 * selector); among several policies at one level the oldest (`creationTimestamp`, then name)
 * wins, as in Istio. A policy whose mode is `UNSET` (or absent) inherits from the next level.
 * With no deciding policy the result is `PERMISSIVE` from source `default` (Istio's default).
 *
 * @public
 */
export function effectiveMtlsMode(input: EffectiveMtlsInput): EffectiveMtls {
  const rootNamespace = input.rootNamespace ?? 'istio-system';
  const policies = [...input.peerAuthentications].sort(
    peerAuthenticationPrecedence,
  );
  const hasSelector = (pa: IstioPeerAuthentication) =>
    Object.keys(pa.spec?.selector?.matchLabels ?? {}).length > 0;

  const levels: Array<{
    scope: MtlsSource['scope'];
    candidates: IstioPeerAuthentication[];
  }> = [];
  if (input.workloadLabels) {
    const labels = input.workloadLabels;
    levels.push({
      scope: 'workload',
      candidates: policies.filter(
        pa =>
          pa.metadata?.namespace === input.namespace &&
          hasSelector(pa) &&
          matchesLabels(labels, pa.spec?.selector?.matchLabels),
      ),
    });
  }
  if (input.namespace !== rootNamespace) {
    levels.push({
      scope: 'namespace',
      candidates: policies.filter(
        pa => pa.metadata?.namespace === input.namespace && !hasSelector(pa),
      ),
    });
  }
  levels.push({
    scope: 'mesh',
    candidates: policies.filter(
      pa => pa.metadata?.namespace === rootNamespace && !hasSelector(pa),
    ),
  });

  for (const level of levels) {
    // Only the oldest policy of a level counts; if it says UNSET, the level inherits.
    const deciding = level.candidates[0];
    const mode = deciding ? modeOf(deciding) : 'UNSET';
    if (deciding && mode !== 'UNSET') {
      return withWorkload(input, {
        namespace: input.namespace,
        mode,
        source: {
          scope: level.scope,
          name: deciding.metadata?.name,
          namespace: deciding.metadata?.namespace,
        },
      });
    }
  }
  return withWorkload(input, {
    namespace: input.namespace,
    mode: 'PERMISSIVE',
    source: { scope: 'default' },
  });
}

function withWorkload(
  input: EffectiveMtlsInput,
  result: EffectiveMtls,
): EffectiveMtls {
  return input.workload ? { workload: input.workload, ...result } : result;
}

function modeOf(pa: IstioPeerAuthentication): MtlsMode {
  const mode = pa.spec?.mtls?.mode?.toUpperCase();
  return mode === 'STRICT' || mode === 'PERMISSIVE' || mode === 'DISABLE'
    ? mode
    : 'UNSET';
}
