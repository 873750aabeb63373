import { MeshFindingCodes } from '../api/codes';
import type { Finding } from '../api/findings';
import { serviceOfHost } from '../kube/hosts';
import type {
  IstioDestinationRule,
  IstioPeerAuthentication,
  IstioTrafficPolicy,
} from '../kube/types';
import {
  SECURITY_V1,
  desiredFromLive,
  jsonEqual,
  ownedMetadata,
  planned,
} from './objects';
import type { BuiltPlan } from './planOnboard';

/**
 * A workload that calls the target.
 *
 * @public
 */
export interface MtlsCaller {
  name: string;
  namespace: string;
  /** Has a sidecar (or is in ambient). */
  injected: boolean;
  /** Known from the catalog (`dependsOn`) or seen in the cluster (telemetry). */
  source: 'catalog' | 'cluster';
}

/**
 * Input of {@link planMtls}.
 *
 * @public
 */
export interface MtlsPlanInput {
  mode: 'PERMISSIVE' | 'STRICT';
  scope: 'namespace' | 'workload';
  namespace: string;
  /** For `scope: workload`: its name (the PeerAuthentication's name) and pod labels (selector). */
  workload?: { name: string; labels: Record<string, string> };
  /** Name shown in messages (e.g. the service); default workload or namespace. */
  target?: string;
  callers: MtlsCaller[];
  /** DestinationRules that may point at the target (any namespace). */
  destinationRules: IstioDestinationRule[];
  /** The PeerAuthentication now in place under the name we would write, if any. */
  existingPeerAuthentication?: IstioPeerAuthentication;
  /** Go STRICT despite callers without a sidecar. */
  force?: boolean;
  entityRef?: string;
}

/**
 * Plans a PeerAuthentication: `default` for the namespace, or named after the workload with
 * a `matchLabels` selector.
 *
 * STRICT gate: callers without a sidecar would be rejected, so a blocking finding names them
 * unless `force` (then a non-blocking warning). DestinationRules with `tls.mode` DISABLE or
 * SIMPLE toward hosts of the namespace override auto-mTLS and send plaintext: an error
 * (blocking under STRICT), a warning under PERMISSIVE.
 *
 * @public
 */
export function planMtls(input: MtlsPlanInput): BuiltPlan {
  const findings: Finding[] = [];
  const target =
    input.target ?? input.workload?.name ?? `namespace ${input.namespace}`;
  const name =
    input.scope === 'namespace' ? 'default' : input.workload?.name ?? '';

  if (input.scope === 'workload' && !input.workload) {
    findings.push({
      code: MeshFindingCodes.unknownWorkload,
      severity: 'error',
      message: 'scope workload needs a workload.',
      hint: 'Name the workload.',
      blocking: true,
    });
  }

  if (input.mode === 'STRICT') {
    const plaintextCallers = input.callers.filter(caller => !caller.injected);
    if (plaintextCallers.length > 0) {
      const list = plaintextCallers
        .map(c => `${c.name} (${c.namespace}, from ${c.source})`)
        .join(', ');
      findings.push({
        code: MeshFindingCodes.callersWithoutSidecar,
        severity: input.force ? 'warning' : 'error',
        message: `STRICT on ${target} would reject callers without a sidecar: ${list}.${
          input.force ? ' Forced.' : ''
        }`,
        resource: {
          kind: 'PeerAuthentication',
          name,
          namespace: input.namespace,
        },
        hint: 'Onboard these callers first (keep PERMISSIVE meanwhile), or force if they are gone.',
        blocking: !input.force,
      });
    }
  }

  for (const dr of input.destinationRules) {
    const drNamespace = dr.metadata?.namespace ?? input.namespace;
    const service = serviceOfHost(dr.spec?.host ?? '', drNamespace);
    if (!service || service.namespace !== input.namespace) continue;
    const policies: Array<[string, IstioTrafficPolicy | undefined]> = [
      ['trafficPolicy', dr.spec?.trafficPolicy],
      ...(dr.spec?.subsets ?? []).map(
        s =>
          [`subsets[${s.name}].trafficPolicy`, s.trafficPolicy] as [
            string,
            IstioTrafficPolicy | undefined,
          ],
      ),
    ];
    for (const [where, policy] of policies) {
      const tlsMode = policy?.tls?.mode;
      if (tlsMode !== 'DISABLE' && tlsMode !== 'SIMPLE') continue;
      const strict = input.mode === 'STRICT';
      findings.push({
        code: MeshFindingCodes.destinationRuleTlsOverride,
        severity: strict ? 'error' : 'warning',
        message: `DestinationRule ${
          dr.metadata?.name
        } sets ${where}.tls.mode ${tlsMode} toward ${
          service.name
        }: clients send ${
          tlsMode === 'DISABLE' ? 'plaintext' : 'non-Istio TLS'
        }${strict ? ', which STRICT rejects (503)' : ''}.`,
        resource: {
          kind: 'DestinationRule',
          name: dr.metadata?.name ?? '',
          namespace: drNamespace,
        },
        hint: 'Remove the tls block (auto-mTLS) or set mode ISTIO_MUTUAL.',
        blocking: strict,
      });
    }
  }

  const spec: Record<string, unknown> =
    input.scope === 'workload' && input.workload
      ? {
          selector: { matchLabels: input.workload.labels },
          mtls: { mode: input.mode },
        }
      : { mtls: { mode: input.mode } };
  let peerAuthentication: IstioPeerAuthentication & Record<string, unknown>;
  const existing = input.existingPeerAuthentication;
  if (existing) {
    // Keep what else the user set (portLevelMtls); only the mode (and our selector) change.
    peerAuthentication = desiredFromLive(
      existing,
      SECURITY_V1,
      'PeerAuthentication',
    );
    peerAuthentication.spec = { ...peerAuthentication.spec, ...spec };
  } else {
    peerAuthentication = {
      apiVersion: SECURITY_V1,
      kind: 'PeerAuthentication',
      metadata: ownedMetadata(name, input.namespace, input.entityRef),
      spec,
    };
  }
  const unchanged =
    existing &&
    existing.apiVersion === SECURITY_V1 &&
    jsonEqual(existing.spec, peerAuthentication.spec);
  const objects = unchanged ? [] : [planned(peerAuthentication, 'apply')];
  return {
    objects,
    findings,
    summary: `mTLS ${input.mode} for ${target}${
      unchanged ? ' (already in place)' : ''
    }.`,
  };
}
