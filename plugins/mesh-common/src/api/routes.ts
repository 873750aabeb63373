import type { CanaryRunAction } from './canaryRuns';

/**
 * Paths of the mesh backend (relative to `discoveryApi.getBaseUrl('mesh')`, i.e. `/api/mesh`).
 * Each path part is URI-encoded.
 *
 * @public
 */
export const meshRoutes = {
  status: (entity: EntityRouteRef) => `${entityPath(entity)}/status`,
  plans: (entity: EntityRouteRef) => `${entityPath(entity)}/plans`,
  /** `takeOver`: the user confirmed taking over fields a person applied with kubectl. */
  apply: (entity: EntityRouteRef, options: { takeOver?: boolean } = {}) =>
    `${entityPath(entity)}/apply${options.takeOver ? '?takeOver=true' : ''}`,
  history: (entity: EntityRouteRef) => `${entityPath(entity)}/history`,
  health: (entity: EntityRouteRef) => `${entityPath(entity)}/health`,
  /** Per-version series over `range` (a PromQL duration such as `15m`), for a chart. */
  healthSeries: (entity: EntityRouteRef, range: string) =>
    `${entityPath(entity)}/health?range=${encodeURIComponent(range)}`,
  canaryRuns: (entity: EntityRouteRef) => `${entityPath(entity)}/canary-runs`,
  canaryRunAction: (
    entity: EntityRouteRef,
    runId: string,
    action: CanaryRunAction,
  ) =>
    `${entityPath(entity)}/canary-runs/${encodeURIComponent(runId)}/${action}`,
  access: (entity: EntityRouteRef) => `${entityPath(entity)}/access`,
  overview: () => '/overview',
} as const;

/**
 * The parts of an entity ref the routes use.
 *
 * @public
 */
export interface EntityRouteRef {
  namespace: string;
  kind: string;
  name: string;
}

function entityPath({ namespace, kind, name }: EntityRouteRef): string {
  return `/entities/${encodeURIComponent(namespace)}/${encodeURIComponent(
    kind,
  )}/${encodeURIComponent(name)}`;
}
