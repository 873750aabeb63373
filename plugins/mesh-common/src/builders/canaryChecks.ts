import { MANAGED_ROUTE_NAME } from '../annotations';
import { MeshFindingCodes } from '../api/codes';
import type { Finding, ResourceRef } from '../api/findings';
import { isForwardingRoute } from '../kube/splitRoute';
import type { KubeWorkload } from '../kube/types';
import type { CanaryRoles } from '../status/canaryRoles';
import { canaryPresetWeights } from '../status/canaryRoles';
import type { CanaryPlanInput } from './canaryPlanInput';

/**
 * The findings of one canary plan and what every step needs to add one: the Service, the
 * version label, the VirtualService being merged into.
 *
 * @internal
 */
export class CanaryFindings {
  readonly findings: Finding[] = [];
  readonly serviceName: string;
  readonly namespace: string;
  readonly versionLabel: string;
  readonly serviceResource: ResourceRef;
  /** The existing VirtualService (name empty when there is none). */
  readonly vsResource: ResourceRef;

  constructor(input: CanaryPlanInput) {
    this.versionLabel = input.versionLabel ?? 'version';
    this.serviceName = input.service.metadata?.name ?? '';
    this.namespace = input.service.metadata?.namespace ?? '';
    this.serviceResource = {
      kind: 'Service',
      name: this.serviceName,
      namespace: this.namespace,
    };
    this.vsResource = {
      kind: 'VirtualService',
      name: input.existingVirtualService?.metadata?.name ?? '',
      namespace:
        input.existingVirtualService?.metadata?.namespace ?? this.namespace,
    };
  }

  /** A blocking error, on the Service unless another resource is given. */
  block(
    code: string,
    message: string,
    hint: string,
    resource: ResourceRef = this.serviceResource,
  ): void {
    this.findings.push({
      code,
      severity: 'error',
      message,
      hint,
      resource,
      blocking: true,
    });
  }

  push(finding: Finding): void {
    this.findings.push(finding);
  }
}

/** Workloads without the version label: warned, no subset can select them. */
export function reportUnversioned(
  unversioned: KubeWorkload[],
  out: CanaryFindings,
): void {
  for (const workload of unversioned) {
    out.push({
      code: MeshFindingCodes.missingAppVersionLabels,
      severity: 'warning',
      message: `${workload.kind ?? 'Deployment'} ${
        workload.metadata?.name
      } has no ${out.versionLabel} label: no subset can select it.`,
      resource: {
        kind: workload.kind ?? 'Deployment',
        name: workload.metadata?.name ?? '',
        namespace: out.namespace,
      },
      hint: `Add a ${out.versionLabel} label to its pod template.`,
      blocking: false,
    });
  }
}

/**
 * The split route Istio uses must forward (not redirect or answer), our own route must not sit
 * unreachable behind it, and the route must lead to this Service.
 */
export function checkSplitRoute(
  input: CanaryPlanInput,
  roles: CanaryRoles,
  out: CanaryFindings,
): void {
  const { splitIndex, oldDestinations, isThisService } = roles;
  const existingHttp = input.existingVirtualService?.spec?.http ?? [];
  const vsResource = out.vsResource;
  if (splitIndex >= 0 && !isForwardingRoute(existingHttp[splitIndex])) {
    out.block(
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
    out.push({
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
    out.block(
      MeshFindingCodes.invalidCanary,
      `VirtualService ${
        input.existingVirtualService?.metadata?.name
      }'s default route goes to ${oldDestinations
        .map(d => d.destination.host)
        .join(', ')}, not to ${out.serviceName}.`,
      'Pick the VirtualService that routes this service.',
    );
  }
}

/** The weights asked for: given, or the preset's for the roles (blocked without two versions). */
export function chooseWeights(
  input: CanaryPlanInput,
  roles: CanaryRoles,
  out: CanaryFindings,
): Record<string, number> {
  const { stable, canary, liveSubsets } = roles;
  if (input.weights) return { ...input.weights };
  if (input.preset === 'rollback') return stable ? { [stable]: 100 } : {};
  if (input.preset) {
    if (!stable || !canary) {
      out.block(
        MeshFindingCodes.invalidCanary,
        `Service ${out.serviceName} needs two versions for a canary; found ${
          liveSubsets.join(', ') || 'none'
        }.`,
        `Deploy the new version with a different ${out.versionLabel} label first.`,
      );
      return {};
    }
    return canaryPresetWeights({ stable, canary })[input.preset] ?? {};
  }
  out.block(
    MeshFindingCodes.invalidCanary,
    'Neither weights nor preset given.',
    'Give weights or a preset.',
  );
  return {};
}

/**
 * Weights are integers 0–100 summing to 100, each naming a subset that exists or will, and a
 * subset given traffic has running pods (else 503, IST0173).
 */
export function checkWeights(
  input: CanaryPlanInput,
  roles: CanaryRoles,
  weights: Record<string, number>,
  out: CanaryFindings,
): void {
  const values = Object.values(weights);
  if (values.length > 0) {
    const sum = values.reduce((a, b) => a + b, 0);
    if (
      values.some(w => !Number.isInteger(w) || w < 0 || w > 100) ||
      sum !== 100
    ) {
      out.block(
        MeshFindingCodes.invalidCanary,
        `weights must be integers 0–100 summing to 100 (got ${JSON.stringify(
          weights,
        )}).`,
        'Fix the weights.',
      );
    }
  }
  for (const [subsetName, weight] of Object.entries(weights)) {
    const subset = roles.subsets.find(s => s.name === subsetName);
    if (!subset) {
      out.block(
        'IST0101',
        `Subset ${subsetName} is not defined and no workload has ${out.versionLabel}=${subsetName}.`,
        `Use one of: ${roles.subsets.map(s => s.name).join(', ') || '(none)'}.`,
      );
    } else if (weight > 0 && !roles.runningPods(subset)) {
      out.block(
        'IST0173',
        `Subset ${subsetName} selects no running workload: its ${weight}% would get 503 (UH).`,
        'Scale the version up or give it weight 0.',
        {
          kind: 'DestinationRule',
          name:
            input.existingDestinationRule?.metadata?.name ?? out.serviceName,
          namespace: out.namespace,
        },
      );
    }
  }
}

/**
 * The Service port destinations name: given, else the one the route names now, else the only
 * port when the VirtualService is bound to a Gateway. Required with several ports (IST0112).
 */
export function chooseDestinationPort(
  input: CanaryPlanInput,
  roles: CanaryRoles,
  out: CanaryFindings,
): number | undefined {
  const servicePorts = input.service.spec?.ports ?? [];
  const oldPort = roles.oldDestinations.find(d =>
    roles.isThisService(d.destination.host),
  )?.destination.port?.number;
  let port = input.port ?? oldPort;
  if (port === undefined && servicePorts.length > 1) {
    out.block(
      'IST0112',
      `Service ${out.serviceName} has ${servicePorts.length} ports: destinations must name one.`,
      'Pass port.',
    );
  } else if (
    port === undefined &&
    (input.existingVirtualService?.spec?.gateways ?? []).length > 0 &&
    servicePorts.length === 1
  ) {
    port = servicePorts[0].port;
  }
  if (
    port !== undefined &&
    servicePorts.length > 0 &&
    !servicePorts.some(p => p.port === port)
  ) {
    out.block(
      MeshFindingCodes.invalidCanary,
      `Service ${out.serviceName} has no port ${port}.`,
      `Use one of ${servicePorts.map(p => p.port).join(', ')}.`,
    );
  }
  return port;
}
