import { ANNOTATION_STABLE_SUBSET, MANAGED_ROUTE_NAME } from '../annotations';
import type { CanaryPreset } from '../api/actions';
import { MeshFindingCodes } from '../api/codes';
import type { Finding } from '../api/findings';
import type { PlannedObject } from '../api/plan';
import { isForwardingRoute } from '../kube/splitRoute';
import type {
  IstioDestinationRule,
  IstioHttpRoute,
  IstioHttpRouteDestination,
  IstioVirtualService,
  KubeService,
  KubeWorkload,
} from '../kube/types';
import { canaryPresetWeights, canaryRoles } from '../status/canaryRoles';
import {
  NETWORKING_V1,
  desiredFromLive,
  isManagedByMeshPortal,
  jsonEqual,
  ownedMetadata,
  planned,
} from './objects';
import type { BuiltPlan } from './planOnboard';

/**
 * Input of {@link planCanary}.
 *
 * @public
 */
export interface CanaryPlanInput {
  service: KubeService;
  /** The service's workloads; their pod-template `version` labels become subsets. */
  workloads: KubeWorkload[];
  /** The VirtualService now routing the service (the user's, or ours from an earlier edit). */
  existingVirtualService?: IstioVirtualService;
  /** The DestinationRule now defining the service's subsets. */
  existingDestinationRule?: IstioDestinationRule;
  /** Percentages per subset, integers summing to 100. */
  weights?: Record<string, number>;
  preset?: CanaryPreset;
  stable?: string;
  canary?: string;
  /** Service port for destinations (needed when the service has several ports). */
  port?: number;
  /** Pod label naming the version (default `version`). */
  versionLabel?: string;
  entityRef?: string;
}

/**
 * Which object goes first: `destinationRuleFirst` when subsets appear (the VS must not name a
 * subset Envoy does not know yet), `virtualServiceFirst` when subsets go away.
 *
 * @public
 */
export type CanaryApplyOrder = 'destinationRuleFirst' | 'virtualServiceFirst';

/**
 * Result of {@link planCanary}.
 *
 * @public
 */
export interface CanaryPlan extends BuiltPlan {
  order: CanaryApplyOrder;
  /** The split after apply (percent per subset, zero weights left out). */
  weights: Record<string, number>;
  stable?: string;
  canary?: string;
}

/**
 * Plans a traffic split between versions of a service: a DestinationRule with one subset per
 * `version` label (named after the label value, as Kiali does) and a VirtualService whose
 * default route carries the weights (percentages summing to 100).
 *
 * Merge rule for an existing VirtualService (the user's, possibly bound to an ingress Gateway):
 * everything is kept — `hosts`, `gateways`, every other http route (matches, retries, timeouts,
 * headers, mirrors) and every other field of the split route — and only the `route` list of the
 * split route is replaced. The split route is the first catch-all route — the one Istio uses
 * for the default traffic — else a new catch-all route appended at the end (see
 * {@link findSplitRouteIndex}); a first catch-all that redirects or answers directly blocks the
 * plan. An unnamed split route is named `mesh-portal-split` (unless another route has that
 * name), and a `mesh-portal-split` route shadowed by an earlier catch-all is reported. Existing DestinationRule subsets are kept; subsets
 * are only removed from DestinationRules we created, when no workload and no route uses them.
 *
 * Presets: `90/10`, `50/50` (stable/canary), `promote` (100 to canary), `rollback` (100 to
 * stable). Stable defaults to the subset carrying most traffic now (ties: the older version),
 * canary to the newest other version.
 *
 * @public
 */
export function planCanary(input: CanaryPlanInput): CanaryPlan {
  const findings: Finding[] = [];
  const versionLabel = input.versionLabel ?? 'version';
  const serviceName = input.service.metadata?.name ?? '';
  const namespace = input.service.metadata?.namespace ?? '';
  const serviceResource = { kind: 'Service', name: serviceName, namespace };
  const block = (
    code: string,
    message: string,
    hint: string,
    resource = serviceResource,
  ) =>
    findings.push({
      code,
      severity: 'error',
      message,
      hint,
      resource,
      blocking: true,
    });

  // Versions, subsets, the split route and who is stable / canary: shared with the status.
  const roles = canaryRoles({
    service: input.service,
    workloads: input.workloads,
    existingVirtualService: input.existingVirtualService,
    existingDestinationRule: input.existingDestinationRule,
    versionLabel,
    stable: input.stable,
    canary: input.canary,
  });
  const {
    subsets,
    addedSubsets,
    liveSubsets,
    splitIndex,
    oldDestinations,
    isThisService,
    runningPods,
    stable,
    canary,
  } = roles;
  for (const workload of roles.unversioned) {
    findings.push({
      code: MeshFindingCodes.missingAppVersionLabels,
      severity: 'warning',
      message: `${workload.kind ?? 'Deployment'} ${
        workload.metadata?.name
      } has no ${versionLabel} label: no subset can select it.`,
      resource: {
        kind: workload.kind ?? 'Deployment',
        name: workload.metadata?.name ?? '',
        namespace,
      },
      hint: `Add a ${versionLabel} label to its pod template.`,
      blocking: false,
    });
  }

  const existingVs = input.existingVirtualService;
  const vsNamespace = existingVs?.metadata?.namespace ?? namespace;
  const existingHttp = existingVs?.spec?.http ?? [];
  const vsResource = {
    kind: 'VirtualService',
    name: existingVs?.metadata?.name ?? '',
    namespace: vsNamespace,
  };
  if (splitIndex >= 0 && !isForwardingRoute(existingHttp[splitIndex])) {
    block(
      MeshFindingCodes.invalidCanary,
      `VirtualService ${vsResource.name}'s first catch-all route (#${
        splitIndex + 1
      }) redirects or answers directly: Istio never forwards default traffic, so a split would change nothing.`,
      'Change that route to forward to the service, or route by a match instead.',
      vsResource,
    );
  }
  const shadowedOurs = existingHttp.findIndex(
    (route, index) => route.name === MANAGED_ROUTE_NAME && index > splitIndex,
  );
  if (splitIndex >= 0 && shadowedOurs >= 0) {
    findings.push({
      code: MeshFindingCodes.shadowedRoute,
      severity: 'warning',
      message: `Route ${MANAGED_ROUTE_NAME} (#${
        shadowedOurs + 1
      }) comes after the catch-all route #${
        splitIndex + 1
      }: Istio never reaches it. The split goes into route #${splitIndex + 1}.`,
      resource: vsResource,
      hint: `Delete the unreachable ${MANAGED_ROUTE_NAME} route.`,
      blocking: false,
    });
  }
  if (
    oldDestinations.length > 0 &&
    !oldDestinations.some(d => isThisService(d.destination.host))
  ) {
    block(
      MeshFindingCodes.invalidCanary,
      `VirtualService ${
        existingVs?.metadata?.name
      }'s default route goes to ${oldDestinations
        .map(d => d.destination.host)
        .join(', ')}, not to ${serviceName}.`,
      'Pick the VirtualService that routes this service.',
    );
  }

  // Target weights.
  let weights: Record<string, number> = {};
  if (input.weights) {
    weights = { ...input.weights };
  } else if (input.preset === 'rollback') {
    if (stable) weights = { [stable]: 100 };
  } else if (input.preset) {
    if (!stable || !canary) {
      block(
        MeshFindingCodes.invalidCanary,
        `Service ${serviceName} needs two versions for a canary; found ${
          liveSubsets.join(', ') || 'none'
        }.`,
        `Deploy the new version with a different ${versionLabel} label first.`,
      );
    } else {
      weights = canaryPresetWeights({ stable, canary })[input.preset] ?? {};
    }
  } else {
    block(
      MeshFindingCodes.invalidCanary,
      'Neither weights nor preset given.',
      'Give weights or a preset.',
    );
  }
  const values = Object.values(weights);
  if (values.length > 0) {
    const sum = values.reduce((a, b) => a + b, 0);
    if (
      values.some(w => !Number.isInteger(w) || w < 0 || w > 100) ||
      sum !== 100
    ) {
      block(
        MeshFindingCodes.invalidCanary,
        `weights must be integers 0–100 summing to 100 (got ${JSON.stringify(
          weights,
        )}).`,
        'Fix the weights.',
      );
    }
  }
  for (const [subsetName, weight] of Object.entries(weights)) {
    const subset = subsets.find(s => s.name === subsetName);
    if (!subset) {
      block(
        'IST0101',
        `Subset ${subsetName} is not defined and no workload has ${versionLabel}=${subsetName}.`,
        `Use one of: ${subsets.map(s => s.name).join(', ') || '(none)'}.`,
      );
    } else if (weight > 0 && !runningPods(subset)) {
      block(
        'IST0173',
        `Subset ${subsetName} selects no running workload: its ${weight}% would get 503 (UH).`,
        'Scale the version up or give it weight 0.',
        {
          kind: 'DestinationRule',
          name: input.existingDestinationRule?.metadata?.name ?? serviceName,
          namespace,
        },
      );
    }
  }

  // Destination port: required with several service ports (IST0112).
  const servicePorts = input.service.spec?.ports ?? [];
  const oldPort = oldDestinations.find(d => isThisService(d.destination.host))
    ?.destination.port?.number;
  let port = input.port ?? oldPort;
  if (port === undefined && servicePorts.length > 1) {
    block(
      'IST0112',
      `Service ${serviceName} has ${servicePorts.length} ports: destinations must name one.`,
      'Pass port.',
    );
  } else if (
    port === undefined &&
    (existingVs?.spec?.gateways ?? []).length > 0 &&
    servicePorts.length === 1
  ) {
    port = servicePorts[0].port;
  }
  if (
    port !== undefined &&
    servicePorts.length > 0 &&
    !servicePorts.some(p => p.port === port)
  ) {
    block(
      MeshFindingCodes.invalidCanary,
      `Service ${serviceName} has no port ${port}.`,
      `Use one of ${servicePorts.map(p => p.port).join(', ')}.`,
    );
  }

  const host =
    oldDestinations.find(d => isThisService(d.destination.host))?.destination
      .host ?? serviceName;
  const newDestinations: IstioHttpRouteDestination[] = Object.entries(weights)
    .filter(([, weight]) => weight > 0)
    .map(([subset, weight]) => {
      const previous = oldDestinations.find(
        d =>
          d.destination.subset === subset && isThisService(d.destination.host),
      );
      const destination: IstioHttpRouteDestination = {
        destination: {
          host,
          subset,
          ...(port !== undefined ? { port: { number: port } } : {}),
        },
        weight,
      };
      if (previous?.headers) destination.headers = previous.headers;
      return destination;
    });

  // VirtualService: merge into the existing one, or create ours.
  let virtualService: IstioVirtualService & Record<string, unknown>;
  if (existingVs) {
    virtualService = desiredFromLive(
      existingVs,
      NETWORKING_V1,
      'VirtualService',
    );
    const http: IstioHttpRoute[] = virtualService.spec?.http ?? [];
    if (splitIndex >= 0) {
      const nameTaken = http.some(route => route.name === MANAGED_ROUTE_NAME);
      http[splitIndex] = {
        ...http[splitIndex],
        name:
          http[splitIndex].name ?? (nameTaken ? undefined : MANAGED_ROUTE_NAME),
        route: newDestinations,
      };
      if (http[splitIndex].name === undefined) delete http[splitIndex].name;
    } else {
      http.push({ name: MANAGED_ROUTE_NAME, route: newDestinations });
      if (existingHttp.length > 0) {
        findings.push({
          code: MeshFindingCodes.invalidCanary,
          severity: 'info',
          message: `VirtualService ${existingVs.metadata?.name} has no default route; the split goes in a new last route. Requests matched by earlier routes keep their destinations.`,
          resource: {
            kind: 'VirtualService',
            name: existingVs.metadata?.name ?? '',
            namespace: vsNamespace,
          },
          hint: 'Check the earlier routes if they should be split too.',
          blocking: false,
        });
      }
    }
    virtualService.spec = { ...virtualService.spec, http };
  } else {
    virtualService = {
      apiVersion: NETWORKING_V1,
      kind: 'VirtualService',
      metadata: ownedMetadata(serviceName, namespace, input.entityRef),
      spec: {
        hosts: [serviceName],
        http: [{ name: MANAGED_ROUTE_NAME, route: newDestinations }],
      },
    };
  }

  // Remember which subset is stable: after promote, the promoted version is.
  const nextStable = input.preset === 'promote' ? canary : stable;
  if (nextStable) {
    virtualService.metadata = {
      ...virtualService.metadata,
      annotations: {
        ...(virtualService.metadata?.annotations ?? {}),
        [ANNOTATION_STABLE_SUBSET]: nextStable,
      },
    };
  }

  // Subsets nothing uses any more go away — only from a DestinationRule we own, and not in the
  // same step as additions (one make-before-break direction per plan).
  const referenced = new Set(
    (virtualService.spec?.http ?? []).flatMap(r =>
      (r.route ?? []).map(d => d.destination.subset),
    ),
  );
  const existingDr = input.existingDestinationRule;
  let removedSubsets: string[] = [];
  if (
    addedSubsets.length === 0 &&
    (!existingDr || isManagedByMeshPortal(existingDr))
  ) {
    removedSubsets = subsets
      .filter(s => !referenced.has(s.name) && !runningPods(s))
      .map(s => s.name);
  }
  const finalSubsets = subsets.filter(s => !removedSubsets.includes(s.name));

  let destinationRule: IstioDestinationRule & Record<string, unknown>;
  if (existingDr) {
    destinationRule = desiredFromLive(
      existingDr,
      NETWORKING_V1,
      'DestinationRule',
    );
    destinationRule.spec = { ...destinationRule.spec, subsets: finalSubsets };
  } else {
    destinationRule = {
      apiVersion: NETWORKING_V1,
      kind: 'DestinationRule',
      metadata: ownedMetadata(serviceName, namespace, input.entityRef),
      spec: { host: serviceName, subsets: finalSubsets },
    };
  }

  const drChanged =
    !existingDr ||
    !jsonEqual(existingDr.spec, destinationRule.spec) ||
    existingDr.apiVersion !== NETWORKING_V1;
  const vsChanged =
    !existingVs ||
    !jsonEqual(existingVs.spec, virtualService.spec) ||
    existingVs.metadata?.annotations?.[ANNOTATION_STABLE_SUBSET] !==
      virtualService.metadata?.annotations?.[ANNOTATION_STABLE_SUBSET] ||
    existingVs.apiVersion !== NETWORKING_V1;
  const order: CanaryApplyOrder =
    removedSubsets.length > 0 ? 'virtualServiceFirst' : 'destinationRuleFirst';
  const drObject = drChanged ? [planned(destinationRule, 'apply')] : [];
  const vsObject = vsChanged ? [planned(virtualService, 'apply')] : [];
  const objects: PlannedObject[] =
    order === 'destinationRuleFirst'
      ? [...drObject, ...vsObject]
      : [...vsObject, ...drObject];

  const finalWeights = Object.fromEntries(
    Object.entries(weights).filter(([, w]) => w > 0),
  );
  const split = Object.entries(finalWeights)
    .map(([s, w]) => `${s} ${w}%`)
    .join(', ');
  const summary = `${serviceName}: ${split || 'no change'}${
    objects.length === 0 ? ' (already in place)' : ''
  }.`;
  const plan: CanaryPlan = {
    objects,
    findings,
    summary,
    order,
    weights: finalWeights,
  };
  if (stable) plan.stable = stable;
  if (canary) plan.canary = canary;
  return plan;
}
