import type {
  AccessActionMode,
  AccessCaller,
  UnresolvedCaller,
} from '../api/access';
import { MeshFindingCodes } from '../api/codes';
import type { Finding, ResourceRef } from '../api/findings';
import type { JsonObject } from '../api/plan';
import type { MtlsMode } from '../api/status';
import type { MeshIdentityConfig } from '../access/identity';
import { serviceAccountOf, sortedPrincipals } from '../access/identity';
import type { ServiceExposure } from '../access/exposure';
import {
  ANNOTATION_ISTIO_DRY_RUN,
  accessPolicyMode,
  accessPolicyName,
  authorizationAction,
  isDryRunPolicy,
  policiesApplyingTo,
} from '../access/policies';
import type {
  IstioAuthorizationPolicy,
  KubePod,
  KubeService,
} from '../kube/types';
import { podMeshStatus } from '../status/podMeshStatus';
import {
  SECURITY_V1,
  isManagedByMeshPortal,
  jsonEqual,
  ownedMetadata,
  planned,
} from './objects';
import type { BuiltPlan } from './planOnboard';

/**
 * Input of {@link planAccess}: everything is read by the caller (catalog and cluster).
 *
 * @public
 */
export interface AccessPlanInput {
  mode: AccessActionMode;
  /** The Service to lock down; its `spec.selector` becomes the policy's selector. */
  service: KubeService;
  /** The Service's pods (they enforce the policy only with a sidecar). */
  servicePods: KubePod[];
  /** Declared callers resolved to identities in this cluster. */
  callers: AccessCaller[];
  unresolvedCallers: UnresolvedCaller[];
  /** The callers' pods, and every pod of their namespaces (shared service accounts). */
  callerPods: KubePod[];
  namespacePods: KubePod[];
  /** Gateways routing to the Service, each with the principals of its proxies. */
  ingress: Array<ServiceExposure & { principals: string[] }>;
  /** AuthorizationPolicies of the Service's namespace and of the root namespace. */
  authorizationPolicies: IstioAuthorizationPolicy[];
  /** Effective mTLS mode of the Service's workloads. */
  mtlsMode: MtlsMode;
  identity: MeshIdentityConfig;
  entityRef?: string;
}

/**
 * A plan of the `access` action, with the principals the policy allows.
 *
 * @public
 */
export interface AccessPlan extends BuiltPlan {
  mode: AccessActionMode;
  policyName: string;
  /** Sorted, de-duplicated: the declared callers' and, when exposed, the ingress gateways'. */
  principals: string[];
  /** The declared callers with their identities and sidecar state (as given). */
  callers: AccessCaller[];
  unresolvedCallers: UnresolvedCaller[];
}

/**
 * Plans the ALLOW AuthorizationPolicy `<service>-allow-declared-callers` that lets only the
 * Service's declared callers (and, when the Service is exposed through a Gateway, the ingress
 * gateway) reach its workloads, in `dry-run` (annotation `istio.io/dry-run: "true"`: Envoy
 * evaluates it as shadow rules and only counts would-be denials) or `enforce`; or its removal.
 *
 * Istio evaluates CUSTOM, then DENY, then ALLOW policies: a request matching a DENY policy is
 * denied; with no ALLOW policy on the workload it is allowed; with ALLOW policies it is allowed
 * only when one of them matches (istio/api security/v1beta1/authorization.proto). So this
 * policy makes the workload deny-by-default, other ALLOW policies widen it, and DENY / CUSTOM
 * policies still apply to the callers it lists. Objects we did not write are never changed:
 * they are listed as findings and kept. Enforcing is blocked where it would cut off a declared
 * caller (no sidecar, no gateway identity) or deny everything.
 *
 * @public
 */
export function planAccess(input: AccessPlanInput): AccessPlan {
  const serviceName = input.service.metadata?.name ?? '';
  const namespace = input.service.metadata?.namespace ?? '';
  const name = accessPolicyName(serviceName);
  const resource: ResourceRef = {
    kind: 'AuthorizationPolicy',
    name,
    namespace,
  };
  const enforce = input.mode === 'enforce';
  const findings: Finding[] = [];
  const live = input.authorizationPolicies.find(
    p => p.metadata?.name === name && p.metadata?.namespace === namespace,
  );
  const ours = live !== undefined && isManagedByMeshPortal(live);
  const base = {
    mode: input.mode,
    policyName: name,
    callers: input.callers,
    unresolvedCallers: input.unresolvedCallers,
  };

  if (live && !ours) {
    findings.push({
      code: MeshFindingCodes.accessPolicyNotOwned,
      severity: 'error',
      message: `AuthorizationPolicy ${namespace}/${name} exists and was not written by the portal: it is left as it is.`,
      resource,
      hint: 'Delete or rename it, or label it app.kubernetes.io/managed-by=mesh-portal to let the portal manage it.',
      blocking: true,
    });
  }

  if (input.mode === 'remove') {
    const others = otherPolicyFindings(input, name);
    if (!live || !ours) {
      return {
        ...base,
        principals: [],
        objects: [],
        findings: [...findings, ...others],
        summary: live
          ? `AuthorizationPolicy ${name} is not the portal's: nothing is removed.`
          : `No access policy for ${serviceName}: nothing to remove.`,
      };
    }
    return {
      ...base,
      principals: [],
      objects: [
        planned(
          {
            apiVersion: SECURITY_V1,
            kind: 'AuthorizationPolicy',
            metadata: {
              name,
              namespace,
              // Preconditions of the delete: the object read for this plan, nothing newer.
              ...(live.metadata?.uid ? { uid: live.metadata.uid } : {}),
              ...(live.metadata?.resourceVersion
                ? { resourceVersion: live.metadata.resourceVersion }
                : {}),
            },
          },
          'delete',
        ),
      ],
      findings: [...findings, ...others],
      summary: `Remove AuthorizationPolicy ${name} (${accessPolicyMode(
        live,
      )}): ${serviceName} accepts requests from any caller again, unless another ALLOW policy selects it.`,
    };
  }

  const selector = input.service.spec?.selector ?? {};
  if (Object.keys(selector).length === 0) {
    // A policy without a selector would apply to every workload of the namespace.
    findings.push({
      code: MeshFindingCodes.unknownWorkload,
      severity: 'error',
      message: `Service ${serviceName} has no selector: there is no workload to lock down (a policy without a selector would apply to the whole namespace).`,
      resource: { kind: 'Service', name: serviceName, namespace },
      hint: 'Give the Service a selector, or lock down a Service that has one.',
      blocking: true,
    });
  }

  const gatewayPrincipals = input.ingress.flatMap(i => i.principals);
  const principals = sortedPrincipals([
    ...input.callers.map(c => c.principal),
    ...gatewayPrincipals,
  ]);

  findings.push(
    ...serverSidecarFindings(input, serviceName),
    ...callerFindings(input, serviceName, enforce),
    ...sharedIdentityFindings(input, serviceName),
    ...ingressFindings(input, serviceName, enforce),
    denyByDefaultFinding(input, serviceName, principals, enforce),
    ...mtlsFindings(input, serviceName, enforce),
    ...otherPolicyFindings(input, name),
  );
  if (principals.length === 0) {
    findings.push({
      code: MeshFindingCodes.accessCallerNotFound,
      severity: enforce ? 'error' : 'warning',
      message: `No declared caller of ${serviceName} has an identity in this cluster${
        input.ingress.length > 0 ? ' and no gateway identity was found' : ''
      }: the policy allows nothing${
        enforce
          ? ', so enforcing would deny every request.'
          : '; the dry run counts every request as a would-be denial.'
      }`,
      resource,
      hint: 'Declare the callers in the catalog (dependsOn / consumesApis) and check their Kubernetes annotations.',
      blocking: enforce,
    });
  }

  const metadata = ownedMetadata(name, namespace, input.entityRef);
  if (input.mode === 'dry-run') {
    metadata.annotations = {
      ...metadata.annotations,
      [ANNOTATION_ISTIO_DRY_RUN]: 'true',
    };
  }
  const spec: JsonObject = {
    selector: { matchLabels: { ...selector } },
    action: 'ALLOW',
  };
  // No rules = matches nothing (an "allow nothing" policy). An empty `principals` list would
  // instead mean "any principal" (istio/api authorization.proto, Source.principals: "If not
  // set, any principal is allowed"), so it is never written.
  if (principals.length > 0) {
    spec.rules = [{ from: [{ source: { principals } }] }];
  }
  const policy = {
    apiVersion: SECURITY_V1,
    kind: 'AuthorizationPolicy',
    metadata,
    spec,
  };
  const wantedMode = input.mode === 'dry-run' ? 'dry-run' : 'enforced';
  const unchanged =
    ours &&
    live.apiVersion === SECURITY_V1 &&
    accessPolicyMode(live) === wantedMode &&
    jsonEqual(live.spec, spec);
  const objects =
    (live && !ours) || unchanged ? [] : [planned(policy, 'apply')];
  const who = `${principals.length} principal${
    principals.length === 1 ? '' : 's'
  }`;
  return {
    ...base,
    principals,
    objects,
    findings,
    summary: `${
      input.mode === 'dry-run'
        ? `Dry-run AuthorizationPolicy ${name}: ${who} would be allowed to call ${serviceName}; nothing is denied, the sidecars count would-be denials.`
        : `Enforce AuthorizationPolicy ${name}: only ${who} may call ${serviceName}; every other request is denied.`
    }${unchanged ? ' (already in place)' : ''}`,
  };
}

/**
 * The weakest of several workloads' effective mTLS modes (DISABLE, then PERMISSIVE / UNSET,
 * then STRICT): the one that decides whether every request to a Service carries a principal.
 * `UNSET` with no modes at all.
 *
 * @public
 */
export function weakestMtlsMode(modes: MtlsMode[]): MtlsMode {
  const order: MtlsMode[] = ['DISABLE', 'UNSET', 'PERMISSIVE', 'STRICT'];
  if (modes.length === 0) return 'UNSET';
  return order.find(mode => modes.includes(mode)) ?? 'UNSET';
}

/** The policy is enforced by the Service's sidecars: without one nothing enforces it. */
function serverSidecarFindings(
  input: AccessPlanInput,
  serviceName: string,
): Finding[] {
  const pods = input.servicePods;
  const meshed = pods.filter(pod => {
    const status = podMeshStatus(pod);
    return status.injected || status.ambient;
  });
  if (pods.length === 0 || meshed.length === pods.length) return [];
  return [
    {
      code: 'IST0103',
      severity: 'warning',
      message: `${pods.length - meshed.length} of ${
        pods.length
      } pods of ${serviceName} have no sidecar: the policy is enforced (or dry-run counted) only by sidecars, so their requests are not checked.`,
      resource: {
        kind: 'Service',
        name: serviceName,
        namespace: input.service.metadata?.namespace,
      },
      hint: `Onboard ${serviceName} into the mesh first.`,
      blocking: false,
    },
  ];
}

function declarations(caller: {
  declaredBy: AccessCaller['declaredBy'];
}): string {
  return caller.declaredBy
    .map(d => (d.relation === 'dependsOn' ? 'dependsOn' : `consumes ${d.api}`))
    .join(', ');
}

function callerFindings(
  input: AccessPlanInput,
  serviceName: string,
  enforce: boolean,
): Finding[] {
  const findings: Finding[] = [];
  for (const caller of input.callers.filter(c => !c.hasSidecar)) {
    findings.push({
      code: MeshFindingCodes.accessCallerWithoutSidecar,
      severity: enforce ? 'error' : 'warning',
      message: `${caller.entityRef} (${caller.namespace}, ${
        caller.meshedPods
      } of ${
        caller.pods
      } pods with a sidecar) cannot be identified: without a sidecar its requests carry no mTLS identity, so ${
        caller.principal
      } never matches them and ${
        enforce
          ? `enforcing would deny its calls to ${serviceName}.`
          : 'the dry run counts them as would-be denials.'
      }`,
      resource: {
        kind: 'Service',
        name: serviceName,
        namespace: input.service.metadata?.namespace,
      },
      hint: `Onboard ${caller.entityRef} into the mesh first. Principals are only checked over mutual TLS: STRICT mTLS on ${serviceName} makes every caller present one.`,
      blocking: enforce,
    });
  }
  for (const caller of input.unresolvedCallers) {
    findings.push({
      code: MeshFindingCodes.accessCallerNotFound,
      severity: 'warning',
      message: `Declared caller ${caller.entityRef} (${declarations(
        caller,
      )}) has no identity in this cluster: ${
        caller.reason
      }. No principal is allowed for it${
        enforce ? `; its calls to ${serviceName} would be denied.` : '.'
      }`,
      resource: {
        kind: 'Service',
        name: serviceName,
        namespace: input.service.metadata?.namespace,
      },
      hint: `Check ${caller.entityRef}'s backstage.io/kubernetes-* annotations, or drop the relation if it no longer calls ${serviceName}.`,
      blocking: false,
    });
  }
  return findings;
}

/** Identities the callers share with workloads that are not callers: those get in too. */
function sharedIdentityFindings(
  input: AccessPlanInput,
  serviceName: string,
): Finding[] {
  const callerPods = new Set(
    input.callerPods.map(p => `${p.metadata?.namespace}/${p.metadata?.name}`),
  );
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const caller of input.callers) {
    const key = `${caller.namespace}/${caller.serviceAccount}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const others = input.namespacePods.filter(
      pod =>
        pod.metadata?.namespace === caller.namespace &&
        serviceAccountOf(pod) === caller.serviceAccount &&
        !callerPods.has(`${pod.metadata?.namespace}/${pod.metadata?.name}`),
    );
    if (others.length === 0) continue;
    const workloads = [
      ...new Set(
        others.map(p => p.metadata?.labels?.app ?? p.metadata?.name ?? ''),
      ),
    ].sort();
    findings.push({
      code: MeshFindingCodes.accessSharedServiceAccount,
      severity: 'warning',
      message: `${caller.principal} is also the identity of ${workloads.join(
        ', ',
      )} (${others.length} pod${
        others.length === 1 ? '' : 's'
      } that no declared caller owns): allowing ${
        caller.entityRef
      } lets them call ${serviceName} too.`,
      resource: {
        kind: 'ServiceAccount',
        name: caller.serviceAccount,
        namespace: caller.namespace,
      },
      hint: `Give ${caller.entityRef} its own ServiceAccount (spec.serviceAccountName), then plan again.`,
      blocking: false,
    });
  }
  return findings;
}

function ingressFindings(
  input: AccessPlanInput,
  serviceName: string,
  enforce: boolean,
): Finding[] {
  return input.ingress.map(exposure => {
    const gateway = `${exposure.gateway.namespace}/${exposure.gateway.name}`;
    const resource = {
      kind: 'Gateway',
      name: exposure.gateway.name,
      namespace: exposure.gateway.namespace,
    };
    if (exposure.principals.length === 0) {
      return {
        code: MeshFindingCodes.accessIngressGateway,
        severity: enforce ? 'error' : 'warning',
        message: `${serviceName} is exposed through Gateway ${gateway} (VirtualService ${
          exposure.virtualService
        }), but no gateway proxy matching its selector was found: its identity cannot be allowed, so ${
          enforce
            ? 'enforcing would deny ingress traffic.'
            : 'ingress traffic counts as would-be denials.'
        }`,
        resource,
        hint: 'Check the Gateway selector and that the ingress gateway pods run.',
        blocking: enforce,
      } satisfies Finding;
    }
    return {
      code: MeshFindingCodes.accessIngressGateway,
      severity: 'info',
      message: `${serviceName} is exposed through Gateway ${gateway} (VirtualService ${
        exposure.virtualService
      }): the ingress gateway's identity ${exposure.principals.join(
        ', ',
      )} is allowed, so whatever the gateway admits (external clients, its health checks) still reaches ${serviceName}.`,
      resource,
      hint: 'Restrict external access at the Gateway or with a policy on the gateway if only some clients should get in.',
      blocking: false,
    } satisfies Finding;
  });
}

function denyByDefaultFinding(
  input: AccessPlanInput,
  serviceName: string,
  principals: string[],
  enforce: boolean,
): Finding {
  const exposed = input.ingress.length > 0;
  return {
    code: MeshFindingCodes.accessDeniesUnlisted,
    severity: enforce ? 'warning' : 'info',
    message: `An ALLOW policy makes ${serviceName} deny by default (Istio evaluates CUSTOM, then DENY, then ALLOW: with an ALLOW policy on a workload, a request no ALLOW policy matches is denied). ${
      enforce ? 'Once enforced' : 'Enforced'
    }, every request not from the ${principals.length} listed principal${
      principals.length === 1 ? '' : 's'
    } gets 403 (HTTP) or a closed connection (TCP): other in-mesh clients, plaintext clients${
      exposed
        ? ''
        : `, and the ingress gateway and its health checks (${serviceName} is not exposed through a Gateway, so no gateway identity is allowed)`
    }. Kubelet HTTP probes are not affected: the injector rewrites them to the sidecar's agent.`,
    resource: {
      kind: 'AuthorizationPolicy',
      name: accessPolicyName(serviceName),
      namespace: input.service.metadata?.namespace,
    },
    hint: enforce
      ? 'Run the policy in dry-run first and enforce once the would-be denials are the ones you expect.'
      : 'Watch the would-be denials on the Access card before enforcing.',
    blocking: false,
  };
}

function mtlsFindings(
  input: AccessPlanInput,
  serviceName: string,
  enforce: boolean,
): Finding[] {
  const resource = {
    kind: 'Service',
    name: serviceName,
    namespace: input.service.metadata?.namespace,
  };
  if (input.mtlsMode === 'STRICT') return [];
  if (input.mtlsMode === 'DISABLE') {
    return [
      {
        code: MeshFindingCodes.accessPlaintextDenied,
        severity: enforce ? 'error' : 'warning',
        message: `mTLS is DISABLE on ${serviceName}: no request carries a principal, so ${
          enforce
            ? 'enforcing would deny every request.'
            : 'the dry run counts every request as a would-be denial.'
        }`,
        resource,
        hint: `Set ${serviceName}'s mTLS to PERMISSIVE or STRICT first.`,
        blocking: enforce,
      },
    ];
  }
  return [
    {
      code: MeshFindingCodes.accessPlaintextDenied,
      severity: enforce ? 'warning' : 'info',
      message: `mTLS on ${serviceName} is ${
        input.mtlsMode === 'UNSET' ? 'PERMISSIVE (unset)' : input.mtlsMode
      }: plaintext requests are still accepted but carry no principal, so the ALLOW policy denies them.`,
      resource,
      hint: `Switch ${serviceName} to STRICT once every caller has a sidecar: then a denial always means "not a listed identity".`,
      blocking: false,
    },
  ];
}

/** Policies we did not write that apply to the Service's workloads: kept, and explained. */
function otherPolicyFindings(input: AccessPlanInput, ours: string): Finding[] {
  const namespace = input.service.metadata?.namespace ?? '';
  const labelSets = input.servicePods.map(p => p.metadata?.labels ?? {});
  if (labelSets.length === 0)
    labelSets.push(input.service.spec?.selector ?? {});
  const applying = new Set<IstioAuthorizationPolicy>();
  for (const labels of labelSets) {
    for (const policy of policiesApplyingTo(input.authorizationPolicies, {
      namespace,
      labels,
      rootNamespace: input.identity.rootNamespace,
    })) {
      applying.add(policy);
    }
  }
  const findings: Finding[] = [];
  for (const policy of applying) {
    if (
      policy.metadata?.name === ours &&
      policy.metadata?.namespace === namespace
    )
      continue;
    const action = authorizationAction(policy);
    if (action === 'AUDIT') continue;
    let scope = 'workload';
    if (policy.metadata?.namespace === input.identity.rootNamespace) {
      scope = 'mesh-wide';
    } else if (
      Object.keys(policy.spec?.selector?.matchLabels ?? {}).length === 0
    ) {
      scope = 'namespace-wide';
    }
    const label = `${action} policy ${policy.metadata?.namespace}/${
      policy.metadata?.name
    } (${scope}${isDryRunPolicy(policy) ? ', dry-run: not enforced' : ''})`;
    let effect: string;
    let severity: Finding['severity'] = 'info';
    switch (action) {
      case 'CUSTOM':
        effect = `is evaluated first, by provider ${
          policy.spec?.provider?.name ?? '(unnamed)'
        }: it can deny a caller this policy allows.`;
        break;
      case 'DENY':
        effect =
          'is evaluated before ALLOW policies: a listed caller it matches is still denied.';
        break;
      default: {
        const anySource = (policy.spec?.rules ?? []).some(
          rule => (rule.from ?? []).length === 0,
        );
        if (anySource && !isDryRunPolicy(policy)) severity = 'warning';
        effect = `also applies: Istio allows a request that any ALLOW policy matches, so what it allows stays allowed${
          anySource
            ? ' — it has a rule for any source, so the lock-down has no effect where that rule matches'
            : ''
        }.`;
      }
    }
    findings.push({
      code: MeshFindingCodes.accessOtherPolicy,
      severity,
      message: `${label} ${effect} It is kept as it is.`,
      resource: {
        kind: 'AuthorizationPolicy',
        name: policy.metadata?.name ?? '',
        namespace: policy.metadata?.namespace,
      },
      hint: 'Review it with its owner; the portal never changes policies it did not write.',
      blocking: false,
    });
  }
  return findings;
}
