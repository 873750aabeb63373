import type { IstioHttpRoute } from './types';

/**
 * True when an http route matches every request: no `match`, or a match condition that
 * constrains nothing (`{}`, only a `name`) or only `uri.prefix: "/"` (as in the handbook's
 * gateway VirtualService).
 *
 * Istio builds routes in order and stops at the first such route: "Routes are matched in order,
 * so we will never go beyond this match" (istio/istio pilot/pkg/networking/core/route/route.go,
 * `BuildHTTPRoutesForVirtualService` with `IsCatchAllRoute`). An empty condition becomes the
 * prefix `/` match there, so it is a catch-all too.
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
    if (keys.length === 0) {
      return true;
    }
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
 * True when a route forwards to destinations (`route`), rather than redirecting, answering
 * directly or delegating: only such a route can carry a traffic split.
 *
 * @public
 */
export function isForwardingRoute(route: IstioHttpRoute): boolean {
  return !route.redirect && !route.directResponse && !route.delegate;
}

/**
 * Index of the http route that carries the default traffic (and so the traffic split), or -1
 * when there is none.
 *
 * It is the FIRST catch-all route (see {@link isCatchAllRoute}): Istio takes the first route
 * that matches, and every route after a catch-all is never reached — whatever its name,
 * including an earlier `mesh-portal-split`. With -1, a split goes in a new catch-all route
 * appended at the end, where nothing shadows it. The route found may not forward
 * ({@link isForwardingRoute}); callers decide what to do then.
 *
 * Shared by the status view and {@link planCanary}, so both show and change the same route.
 *
 * @public
 */
export function findSplitRouteIndex(
  http: IstioHttpRoute[] | undefined,
): number {
  return (http ?? []).findIndex(isCatchAllRoute);
}
