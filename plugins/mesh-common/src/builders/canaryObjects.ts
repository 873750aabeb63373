import { ANNOTATION_STABLE_SUBSET, MANAGED_ROUTE_NAME } from '../annotations';
import { MeshFindingCodes } from '../api/codes';
import type {
  IstioDestinationRule,
  IstioHttpRoute,
  IstioHttpRouteDestination,
  IstioVirtualService,
} from '../kube/types';
import type { CanaryRoles } from '../status/canaryRoles';
import type { CanaryFindings } from './canaryChecks';
import {
  NETWORKING_V1,
  desiredFromLive,
  isManagedByMeshPortal,
  ownedMetadata,
} from './objects';
import type { CanaryPlanInput } from './canaryPlanInput';

/**
 * The split route's new destinations: one per subset with weight, to the host the route names
 * now (else the Service's name) and the chosen port, keeping each subset's header operations.
 */
export function splitDestinations(
  roles: CanaryRoles,
  weights: Record<string, number>,
  port: number | undefined,
  serviceName: string,
): IstioHttpRouteDestination[] {
  const { oldDestinations, isThisService } = roles;
  const host =
    oldDestinations.find(d => isThisService(d.destination.host))?.destination
      .host ?? serviceName;
  return Object.entries(weights)
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
}

/**
 * The VirtualService after the split: the existing one with only the split route's `route`
 * replaced (a new last route when it has no catch-all; see `planCanary`), else ours; annotated
 * with the stable subset.
 */
export function buildVirtualService(
  input: CanaryPlanInput,
  roles: CanaryRoles,
  destinations: IstioHttpRouteDestination[],
  nextStable: string | undefined,
  out: CanaryFindings,
): IstioVirtualService & Record<string, unknown> {
  const existingVs = input.existingVirtualService;
  let virtualService: IstioVirtualService & Record<string, unknown>;
  if (existingVs) {
    virtualService = desiredFromLive(
      existingVs,
      NETWORKING_V1,
      'VirtualService',
    );
    const http: IstioHttpRoute[] = virtualService.spec?.http ?? [];
    const { splitIndex } = roles;
    if (splitIndex >= 0) {
      const nameTaken = http.some(route => route.name === MANAGED_ROUTE_NAME);
      http[splitIndex] = {
        ...http[splitIndex],
        name:
          http[splitIndex].name ?? (nameTaken ? undefined : MANAGED_ROUTE_NAME),
        route: destinations,
      };
      if (http[splitIndex].name === undefined) delete http[splitIndex].name;
    } else {
      http.push({ name: MANAGED_ROUTE_NAME, route: destinations });
      if ((existingVs.spec?.http ?? []).length > 0) {
        out.push({
          code: MeshFindingCodes.invalidCanary,
          severity: 'info',
          message: `VirtualService ${existingVs.metadata?.name} has no default route; the split goes in a new last route. Requests matched by earlier routes keep their destinations.`,
          resource: out.vsResource,
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
      metadata: ownedMetadata(out.serviceName, out.namespace, input.entityRef),
      spec: {
        hosts: [out.serviceName],
        http: [{ name: MANAGED_ROUTE_NAME, route: destinations }],
      },
    };
  }
  if (nextStable) {
    virtualService.metadata = {
      ...virtualService.metadata,
      annotations: {
        ...(virtualService.metadata?.annotations ?? {}),
        [ANNOTATION_STABLE_SUBSET]: nextStable,
      },
    };
  }
  return virtualService;
}

/**
 * The DestinationRule after the split, with the subsets that go away. Subsets nothing uses any
 * more go away — only from a DestinationRule we own, and not in the same step as additions
 * (one make-before-break direction per plan).
 */
export function buildDestinationRule(
  input: CanaryPlanInput,
  roles: CanaryRoles,
  virtualService: IstioVirtualService,
  out: CanaryFindings,
): {
  destinationRule: IstioDestinationRule & Record<string, unknown>;
  removedSubsets: string[];
} {
  const referenced = new Set(
    (virtualService.spec?.http ?? []).flatMap(r =>
      (r.route ?? []).map(d => d.destination.subset),
    ),
  );
  const existingDr = input.existingDestinationRule;
  let removedSubsets: string[] = [];
  if (
    roles.addedSubsets.length === 0 &&
    (!existingDr || isManagedByMeshPortal(existingDr))
  ) {
    removedSubsets = roles.subsets
      .filter(s => !referenced.has(s.name) && !roles.runningPods(s))
      .map(s => s.name);
  }
  const finalSubsets = roles.subsets.filter(
    s => !removedSubsets.includes(s.name),
  );

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
      metadata: ownedMetadata(out.serviceName, out.namespace, input.entityRef),
      spec: { host: out.serviceName, subsets: finalSubsets },
    };
  }
  return { destinationRule, removedSubsets };
}
