import type { KubeObject } from './types';

/**
 * A progressive-delivery controller that steps a VirtualService's weights itself.
 *
 * @public
 */
export type CanaryControllerName = 'Flagger' | 'Argo Rollouts';

/**
 * Who owns an object's canary, and the sign that says so.
 *
 * @public
 */
export interface CanaryControllerOwnership {
  name: CanaryControllerName;
  /** e.g. `managedFields manager "flagger"` or `owner Canary/backend (flagger.app)`. */
  evidence: string;
}

interface ControllerSigns {
  name: CanaryControllerName;
  /** Field managers the controller writes as (client-go names them after the binary). */
  managers: string[];
  /** API group and kind of the controller's own resource, when it owns the object. */
  owner: { group: string; kind: string };
  /** Annotations the controller leaves on objects it changes. */
  annotations: string[];
}

const CONTROLLERS: ControllerSigns[] = [
  {
    name: 'Flagger',
    managers: ['flagger'],
    owner: { group: 'flagger.app', kind: 'Canary' },
    // Flagger keeps the VirtualService's spec from before it took over here.
    annotations: ['flagger.kubernetes.io/original-configuration'],
  },
  {
    name: 'Argo Rollouts',
    managers: ['argo-rollouts', 'rollouts-controller'],
    owner: { group: 'argoproj.io', kind: 'Rollout' },
    // The Rollout's name, on objects it changes without owning them.
    annotations: ['argo-rollouts.argoproj.io/managed-by-rollouts'],
  },
];

const groupOf = (apiVersion: string) =>
  apiVersion.includes('/') ? apiVersion.split('/')[0] : '';

/**
 * The progressive-delivery controller (Flagger, Argo Rollouts) that drives this object's
 * weights, if any: an owner reference to its resource (`Canary` of flagger.app, `Rollout` of
 * argoproj.io), a field manager it writes as, or an annotation it leaves. Stepping weights
 * from the portal as well would fight it; callers refuse and name it.
 *
 * @public
 */
export function detectCanaryController(
  object: KubeObject | null | undefined,
): CanaryControllerOwnership | undefined {
  const metadata = object?.metadata;
  if (!metadata) return undefined;
  for (const signs of CONTROLLERS) {
    const owner = (metadata.ownerReferences ?? []).find(
      ref =>
        ref.kind === signs.owner.kind &&
        // Without an apiVersion the kind alone has to do (it is required on real objects).
        (ref.apiVersion === undefined ||
          groupOf(ref.apiVersion) === signs.owner.group),
    );
    if (owner) {
      return {
        name: signs.name,
        evidence: `owner ${owner.kind}/${owner.name} (${signs.owner.group})`,
      };
    }
    const manager = (metadata.managedFields ?? [])
      .map(entry => entry.manager ?? '')
      .find(name => signs.managers.includes(name.toLowerCase()));
    if (manager) {
      return {
        name: signs.name,
        evidence: `managedFields manager "${manager}"`,
      };
    }
    const annotation = signs.annotations.find(
      key => metadata.annotations?.[key] !== undefined,
    );
    if (annotation) {
      return { name: signs.name, evidence: `annotation ${annotation}` };
    }
  }
  return undefined;
}
