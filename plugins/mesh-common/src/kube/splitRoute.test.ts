import { findSplitRouteIndex, isCatchAllRoute } from './splitRoute';
import type { IstioHttpRoute } from './types';

const to = (subset: string): IstioHttpRoute['route'] => [
  { destination: { host: 'backend', subset } },
];

describe('findSplitRouteIndex (Istio: first matching route wins)', () => {
  it('picks the first catch-all: later catch-alls are never reached', () => {
    const http: IstioHttpRoute[] = [
      { match: [{ uri: { prefix: '/api' } }], route: to('v2') },
      { route: to('v1') },
      { name: 'mesh-portal-split', route: to('v2') },
    ];
    expect(findSplitRouteIndex(http)).toBe(1);
  });

  it('counts an empty match condition as a catch-all', () => {
    expect(isCatchAllRoute({ match: [{}], route: to('v1') })).toBe(true);
    expect(isCatchAllRoute({ match: [{ name: 'all' }], route: to('v1') })).toBe(
      true,
    );
    expect(
      findSplitRouteIndex([
        { match: [{ name: 'all' }], route: to('v1') },
        { route: to('v2') },
      ]),
    ).toBe(0);
  });

  it('is -1 when only match routes exist', () => {
    expect(
      findSplitRouteIndex([
        {
          match: [{ headers: { 'x-canary': { exact: 'yes' } } }],
          route: to('v2'),
        },
      ]),
    ).toBe(-1);
  });
});
