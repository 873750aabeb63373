import { ANNOTATION_STABLE_SUBSET } from '../annotations';
import type { PlannedObject } from '../api/plan';
import type { IstioDestinationRule, IstioVirtualService } from '../kube/types';
import { type CanaryRoles, canaryRoles } from '../status/canaryRoles';
import {
  CanaryFindings,
  checkSplitRoute,
  checkWeights,
  chooseDestinationPort,
  chooseWeights,
  reportUnversioned,
} from './canaryChecks';
import {
  buildDestinationRule,
  buildVirtualService,
  splitDestinations,
} from './canaryObjects';
import { NETWORKING_V1, jsonEqual, planned } from './objects';
import type { CanaryPlanInput } from './canaryPlanInput';
import type { BuiltPlan } from './planOnboard';

export type { CanaryPlanInput } from './canaryPlanInput';

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
  const out = new CanaryFindings(input);
  // Versions, subsets, the split route and who is stable / canary: shared with the status.
  const roles = canaryRoles({
    service: input.service,
    workloads: input.workloads,
    existingVirtualService: input.existingVirtualService,
    existingDestinationRule: input.existingDestinationRule,
    versionLabel: out.versionLabel,
    stable: input.stable,
    canary: input.canary,
  });
  reportUnversioned(roles.unversioned, out);
  checkSplitRoute(input, roles, out);
  const weights = chooseWeights(input, roles, out);
  checkWeights(input, roles, weights, out);
  const port = chooseDestinationPort(input, roles, out);

  const destinations = splitDestinations(roles, weights, port, out.serviceName);
  // Remember which subset is stable: after promote, the promoted version is.
  const nextStable = input.preset === 'promote' ? roles.canary : roles.stable;
  const virtualService = buildVirtualService(
    input,
    roles,
    destinations,
    nextStable,
    out,
  );
  const { destinationRule, removedSubsets } = buildDestinationRule(
    input,
    roles,
    virtualService,
    out,
  );
  return assemblePlan(
    input,
    roles,
    { virtualService, destinationRule, removedSubsets, weights },
    out,
  );
}

/**
 * The plan: the objects that change, DestinationRule first when subsets appear and last when
 * they go away, with the split after apply as the summary.
 */
function assemblePlan(
  input: CanaryPlanInput,
  roles: CanaryRoles,
  built: {
    virtualService: IstioVirtualService & Record<string, unknown>;
    destinationRule: IstioDestinationRule & Record<string, unknown>;
    removedSubsets: string[];
    weights: Record<string, number>;
  },
  out: CanaryFindings,
): CanaryPlan {
  const { virtualService, destinationRule, removedSubsets, weights } = built;
  const existingVs = input.existingVirtualService;
  const existingDr = input.existingDestinationRule;
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
  const summary = `${out.serviceName}: ${split || 'no change'}${
    objects.length === 0 ? ' (already in place)' : ''
  }.`;
  const plan: CanaryPlan = {
    objects,
    findings: out.findings,
    summary,
    order,
    weights: finalWeights,
  };
  if (roles.stable) plan.stable = roles.stable;
  if (roles.canary) plan.canary = roles.canary;
  return plan;
}
