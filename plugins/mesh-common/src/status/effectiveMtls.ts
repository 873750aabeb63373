import type {
  EffectiveMtls,
  MtlsMode,
  MtlsSource,
  PortMtls,
} from '../api/status';
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

  // Port-level modes come from the oldest workload-level policy alone, whatever its own mode.
  const ports =
    levels[0]?.scope === 'workload' ? portModes(levels[0].candidates[0]) : [];
  for (const level of levels) {
    // Only the oldest policy of a level counts; if it says UNSET, the level inherits.
    const deciding = level.candidates[0];
    const mode = deciding ? modeOf(deciding) : 'UNSET';
    if (deciding && mode !== 'UNSET') {
      return withWorkload(input, ports, {
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
  return withWorkload(input, ports, {
    namespace: input.namespace,
    mode: 'PERMISSIVE',
    source: { scope: 'default' },
  });
}

/**
 * The `portLevelMtls` of a workload-level policy, as Istio composes them
 * (pilot/pkg/security/authn/policy_applier.go `ComposePeerAuthentication`: port-level settings
 * are read from the selected workload-level config only, and an UNSET port takes the
 * workload's mode, so it is left out). In port order.
 */
function portModes(pa: IstioPeerAuthentication | undefined): PortMtls[] {
  if (!pa) return [];
  const source: MtlsSource = {
    scope: 'workload',
    name: pa.metadata?.name,
    namespace: pa.metadata?.namespace,
  };
  return Object.entries(pa.spec?.portLevelMtls ?? {})
    .map(([port, setting]) => ({
      port: Number(port),
      mode: modeOf({ spec: { mtls: setting } }),
    }))
    .filter(
      (p): p is { port: number; mode: PortMtls['mode'] } =>
        Number.isInteger(p.port) && p.port > 0 && p.mode !== 'UNSET',
    )
    .sort((a, b) => a.port - b.port)
    .map(p => ({ ...p, source }));
}

function withWorkload(
  input: EffectiveMtlsInput,
  ports: PortMtls[],
  result: EffectiveMtls,
): EffectiveMtls {
  const withPorts = ports.length ? { ...result, ports } : result;
  return input.workload
    ? { workload: input.workload, ...withPorts }
    : withPorts;
}

function modeOf(pa: IstioPeerAuthentication): MtlsMode {
  const mode = pa.spec?.mtls?.mode?.toUpperCase();
  return mode === 'STRICT' || mode === 'PERMISSIVE' || mode === 'DISABLE'
    ? mode
    : 'UNSET';
}
