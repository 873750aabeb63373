import { MANAGED_ROUTE_NAME } from '../annotations';
import type { IstioHttpRoute } from './types';

/**
 * True when an http route matches every request: no `match`, an empty `match`, or a single
 * match that is only `uri.prefix: "/"` (as in the handbook's gateway VirtualService).
 *
 * @public
 */
export function isCatchAllRoute(route: IstioHttpRoute): boolean {
  const match = route.match;
  if (!match || match.length === 0) {
    return true;
  }
  return match.some(condition => {
    const keys = Object.keys(condition).filter(key => key !== 'name');
    const uri = condition.uri as Record<string, unknown> | undefined;
    return (
      keys.length === 1 &&
      keys[0] === 'uri' &&
      uri?.prefix === '/' &&
      Object.keys(uri).length === 1
    );
  });
}

/**
 * Index of the http route whose destinations carry the traffic split, or -1 when there is none.
 *
 * The rule (shared by the status view and {@link planCanary}):
 * 1. the route named `mesh-portal-split` (ours, from an earlier edit);
 * 2. else the LAST catch-all route (see {@link isCatchAllRoute}) that forwards (`route`, not
 *    `redirect` / `directResponse` / `delegate`) — in Istio's first-match order it is the
 *    default that everything else falls through to;
 * 3. else -1: the split goes in a new catch-all route appended at the end.
 *
 * @public
 */
export function findSplitRouteIndex(
  http: IstioHttpRoute[] | undefined,
): number {
  const routes = http ?? [];
  const ours = routes.findIndex(route => route.name === MANAGED_ROUTE_NAME);
  if (ours >= 0) {
    return ours;
  }
  for (let index = routes.length - 1; index >= 0; index--) {
    const route = routes[index];
    const forwards =
      !route.redirect && !route.directResponse && !route.delegate;
    if (forwards && isCatchAllRoute(route)) {
      return index;
    }
  }
  return -1;
}
