import { MeshFindingCodes } from '../api/codes';
import type { Finding, ResourceRef } from '../api/findings';
import { fullyQualifiedHost, serviceOfHost } from '../kube/hosts';
import type {
  IstioDestinationRule,
  IstioPeerAuthentication,
  KubeWorkload,
} from '../kube/types';
import {
  DestinationRuleIndex,
  destinationRuleTlsSettings,
  meshConfigFromConfigMap,
  type MeshConfigView,
} from '../status/destinationRuleLookup';
import {
  hasWorkloadSelector,
  peerAuthenticationsAtLevel,
} from '../status/peerAuthenticationPrecedence';
import {
  SECURITY_V1,
  desiredFromLive,
  jsonEqual,
  ownedMetadata,
  planned,
} from './objects';
import type { BuiltPlan } from './planOnboard';
import {
  type MtlsWorkload,
  workloadPeerAuthentication,
} from './workloadPeerAuthentication';

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
  /**
   * For `scope: workload`: its kind (default Deployment), name and pod labels (the selector);
   * the policy's name is {@link workloadPeerAuthentication}'s.
   */
  workload?: MtlsWorkload;
  /** Every workload of the namespace: a workload name another kind shares gets the kind. */
  namespaceWorkloads?: KubeWorkload[];
  /** Name shown in messages (e.g. the service); default workload or namespace. */
  target?: string;
  callers: MtlsCaller[];
  /**
   * The cluster's DestinationRules (at least those of the callers' namespaces, of `namespace`
   * and of the root namespace): Istio picks the one a caller uses by the caller's namespace.
   */
  destinationRules: IstioDestinationRule[];
  /**
   * Names of the Services in `namespace` the policy protects (for `scope: namespace` every
   * Service of the namespace); default: those the DestinationRules name.
   */
  services?: string[];
  /** Root namespace and DestinationRule export default (istiod's meshConfig). */
  meshConfig?: MeshConfigView;
  /**
   * The PeerAuthentication now in place under the name we would write, if any (for
   * `scope: workload` it is ours only if it selects exactly the workload's labels).
   */
  existingPeerAuthentication?: IstioPeerAuthentication;
  /**
   * PeerAuthentications of the namespace: when given, the plan changes the policy Istio
   * actually uses at the requested level (the oldest), not necessarily the one named like ours.
   */
  peerAuthentications?: IstioPeerAuthentication[];
  /** Go STRICT despite callers without a sidecar. */
  force?: boolean;
  entityRef?: string;
}

/**
 * Plans a PeerAuthentication: `default` for the namespace, or one with a `matchLabels`
 * selector named after the workload ({@link workloadPeerAuthentication}: `<name>`, with the
 * kind where names collide).
 *
 * STRICT gate: callers without a sidecar would be rejected, so a blocking finding names them
 * unless `force` (then a non-blocking warning). A DestinationRule with `tls.mode` DISABLE or
 * SIMPLE that Istio applies to callers of the protected Services overrides auto-mTLS: judged
 * per caller namespace, with the rule Istio picks for that namespace (see
 * `destinationRuleTlsFindings`) — an error (blocking under STRICT), a warning under PERMISSIVE.
 *
 * @public
 */
export function planMtls(input: MtlsPlanInput): BuiltPlan {
  const findings: Finding[] = [];
  const target =
    input.target ?? input.workload?.name ?? `namespace ${input.namespace}`;
  const own = ownPolicy(input);
  const effective = effectivePolicyAtLevel(input, own.name, findings);
  const name = effective?.metadata?.name ?? own.name;

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

  findings.push(...destinationRuleTlsFindings(input));

  const spec: Record<string, unknown> =
    input.scope === 'workload' && input.workload
      ? {
          selector: { matchLabels: input.workload.labels },
          mtls: { mode: input.mode },
        }
      : { mtls: { mode: input.mode } };
  let peerAuthentication: IstioPeerAuthentication & Record<string, unknown>;
  const existing = effective ?? own.existing;
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
  if (existing) portLevelExceptions(existing, input.mode, findings);
  const objects = unchanged ? [] : [planned(peerAuthentication, 'apply')];
  return {
    objects,
    findings,
    summary: `mTLS ${input.mode} for ${target}${
      unchanged ? ' (already in place)' : ''
    }.`,
  };
}

/**
 * The policy Istio uses at the requested level (the oldest; see
 * {@link peerAuthenticationsAtLevel}), which the plan changes instead of writing a newer one
 * Istio would ignore. A workload-level policy of another name that selects the workload is not
 * patched (its selector may cover other workloads): the plan is blocked with a finding naming
 * it. Younger policies of the level are reported as ignored.
 */
function effectivePolicyAtLevel(
  input: MtlsPlanInput,
  ours: string,
  findings: Finding[],
): IstioPeerAuthentication | undefined {
  if (!input.peerAuthentications) return undefined;
  if (input.scope === 'workload' && !input.workload) return undefined;
  const level = peerAuthenticationsAtLevel(
    input.peerAuthentications,
    input.scope === 'workload' && input.workload
      ? {
          scope: 'workload',
          namespace: input.namespace,
          workloadLabels: input.workload.labels,
          rootNamespace: input.meshConfig?.rootNamespace,
        }
      : { scope: 'namespace', namespace: input.namespace },
  );
  const effective = level.effective;
  if (level.ignored.length > 0 && effective) {
    findings.push({
      code: MeshFindingCodes.shadowedPeerAuthentication,
      severity: 'info',
      message: `Istio uses only the oldest ${
        input.scope
      }-level PeerAuthentication, ${effective.metadata?.name}; ${level.ignored
        .map(pa => pa.metadata?.name)
        .join(', ')} (younger) ${
        level.ignored.length > 1 ? 'are' : 'is'
      } ignored.`,
      resource: resource(level.ignored[0]),
      hint: 'Delete the ignored policies so what you read is what Istio does.',
      blocking: false,
    });
  }
  if (!effective || effective.metadata?.name === ours) return effective;
  if (input.scope === 'workload') {
    findings.push({
      code: MeshFindingCodes.shadowedPeerAuthentication,
      severity: 'error',
      message: `PeerAuthentication ${effective.metadata?.name} already selects ${input.workload?.name} and is older: Istio would ignore a new ${ours} policy.`,
      resource: resource(effective),
      hint: `Change ${effective.metadata?.name} (it may select other workloads too), or delete it first.`,
      blocking: true,
    });
    return undefined;
  }
  findings.push({
    code: MeshFindingCodes.shadowedPeerAuthentication,
    severity: 'info',
    message: `PeerAuthentication ${effective.metadata?.name} is the namespace's oldest namespace-wide policy, the one Istio uses: the plan changes it rather than writing "default".`,
    resource: resource(effective),
    hint: 'Nothing to do; review the change in the preview.',
    blocking: false,
  });
  return effective;
}

/**
 * The policy the plan writes when Istio uses none other at the level: `default` for the
 * namespace, {@link workloadPeerAuthentication}'s for a workload; with the one in place.
 */
function ownPolicy(input: MtlsPlanInput): {
  name: string;
  existing?: IstioPeerAuthentication;
} {
  if (input.scope === 'namespace' || !input.workload) {
    return {
      name: input.scope === 'namespace' ? 'default' : '',
      existing: input.existingPeerAuthentication,
    };
  }
  const given = input.existingPeerAuthentication;
  return workloadPeerAuthentication({
    namespace: input.namespace,
    workload: input.workload,
    peerAuthentications: [
      ...(input.peerAuthentications ?? []),
      ...(given && !input.peerAuthentications?.includes(given) ? [given] : []),
    ],
    namespaceWorkloads: input.namespaceWorkloads,
  });
}

/**
 * Port-level modes of a kept policy that differ from the requested mode stay in force (Istio
 * honours `portLevelMtls` only on policies with a selector: `ComposePeerAuthentication` reads it
 * from the workload-level policy alone).
 */
function portLevelExceptions(
  existing: IstioPeerAuthentication,
  mode: MtlsPlanInput['mode'],
  findings: Finding[],
): void {
  if (!hasWorkloadSelector(existing)) return;
  const ports = Object.entries(existing.spec?.portLevelMtls ?? {}).filter(
    ([, portMtls]) => {
      const portMode = (portMtls?.mode ?? 'UNSET').toUpperCase();
      return portMode !== 'UNSET' && portMode !== mode;
    },
  );
  if (ports.length === 0) return;
  findings.push({
    code: MeshFindingCodes.portLevelMtls,
    severity: mode === 'STRICT' ? 'warning' : 'info',
    message: `PeerAuthentication ${
      existing.metadata?.name
    } keeps port-level modes that override ${mode}: ${ports
      .map(([port, portMtls]) => `port ${port} ${portMtls?.mode}`)
      .join(', ')}.`,
    resource: resource(existing),
    hint: 'Edit portLevelMtls if these ports should follow the new mode too.',
    blocking: false,
  });
}

function resource(pa: IstioPeerAuthentication): ResourceRef {
  return {
    kind: 'PeerAuthentication',
    name: pa.metadata?.name ?? '',
    namespace: pa.metadata?.namespace,
  };
}

/**
 * DestinationRules whose `tls` turns auto-mTLS off (DISABLE: plaintext, SIMPLE: non-Istio TLS)
 * for callers of the protected Services, per caller namespace — using the rule Istio picks for
 * a proxy of that namespace ({@link DestinationRuleIndex.forCaller}: the caller's namespace,
 * then the service's, then the root namespace; istio/istio pilot/pkg/model/push_context.go
 * `PushContext.destinationRule`). Such callers send what a STRICT server rejects (503). Known
 * caller namespaces (and the service's own) are errors under STRICT; a rule of another
 * namespace that its own workloads would use is a warning: it matters if they call the service.
 */
function destinationRuleTlsFindings(input: MtlsPlanInput): Finding[] {
  const meshConfig = input.meshConfig ?? meshConfigFromConfigMap();
  const index = new DestinationRuleIndex(input.destinationRules, meshConfig);
  const services =
    input.services ??
    [
      ...new Set(
        input.destinationRules
          .map(dr =>
            serviceOfHost(
              dr.spec?.host ?? '',
              dr.metadata?.namespace ?? input.namespace,
            ),
          )
          .filter(svc => svc?.namespace === input.namespace)
          .map(svc => svc!.name),
      ),
    ].sort();
  const hosts = services.map(name => fullyQualifiedHost(name, input.namespace));
  const callersIn = new Map<string, string[]>([[input.namespace, []]]);
  for (const caller of input.callers) {
    callersIn.set(caller.namespace, [
      ...(callersIn.get(caller.namespace) ?? []),
      caller.name,
    ]);
  }
  const otherNamespaces = [
    ...new Set(input.destinationRules.map(dr => dr.metadata?.namespace ?? '')),
  ]
    .filter(ns => ns && !callersIn.has(ns))
    .sort();
  const strict = input.mode === 'STRICT';
  const grouped = new Map<
    string,
    {
      finding: Omit<Finding, 'message'>;
      intro: string;
      hosts: string[];
      tail: string;
    }
  >();
  for (const callerNamespace of [...callersIn.keys(), ...otherNamespaces]) {
    const known = callersIn.has(callerNamespace);
    const names = callersIn.get(callerNamespace) ?? [];
    for (const host of hosts) {
      for (const rule of index.forCaller(
        host,
        input.namespace,
        callerNamespace,
      )) {
        // Where no caller is known, only the namespace's own rules say anything new: the
        // service's and the root namespace's rules are judged for the known namespaces.
        if (!known && rule.via !== 'caller-namespace') continue;
        for (const tls of destinationRuleTlsSettings(rule)) {
          if (tls.mode !== 'DISABLE' && tls.mode !== 'SIMPLE') continue;
          const from = tls.from ?? rule.from[0];
          const selector = rule.workloadSelector
            ? Object.entries(rule.workloadSelector)
                .map(([k, v]) => `${k}=${v}`)
                .join(',')
            : undefined;
          const key = [
            callerNamespace,
            from.namespace,
            from.name,
            tls.where,
            selector,
          ].join('|');
          const entry = grouped.get(key);
          if (entry) {
            if (!entry.hosts.includes(host)) entry.hosts.push(host);
            continue;
          }
          const who = `${selector ? `workloads labelled ${selector} in` : ''}${
            selector ? ' ' : ''
          }namespace ${callerNamespace}${
            names.length > 0 ? ` (${names.join(', ')})` : ''
          }`;
          const found = {
            'caller-namespace': 'their own namespace',
            'service-namespace': "the service's namespace",
            'root-namespace': `the root namespace ${meshConfig.rootNamespace}`,
          }[rule.via];
          grouped.set(key, {
            intro: known
              ? `Callers in ${who} use`
              : `Workloads in ${who}, if they call it, use`,
            hosts: [host],
            tail: ` (Istio takes it from ${found}): ${tls.where}.tls.mode ${
              tls.mode
            } makes them send ${
              tls.mode === 'DISABLE' ? 'plaintext' : 'non-Istio TLS'
            }${strict ? ', which STRICT rejects (503)' : ''}.`,
            finding: {
              code: MeshFindingCodes.destinationRuleTlsOverride,
              severity: strict && known ? 'error' : 'warning',
              resource: {
                kind: 'DestinationRule',
                name: from.name,
                namespace: from.namespace,
              },
              hint: 'Remove the tls block (auto-mTLS) or set mode ISTIO_MUTUAL.',
              blocking: strict && known,
            },
          });
        }
      }
    }
  }
  return [...grouped.values()].map(
    ({ finding, intro, hosts: named, tail }) => ({
      ...finding,
      message: `${intro} DestinationRule ${finding.resource?.namespace}/${
        finding.resource?.name
      } for ${named.join(', ')}${tail}`,
    }),
  );
}
