import { screen, within } from '@testing-library/react';
import type {
  ClusterHealthOk,
  VersionHealth,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { TrafficSplitCard } from './TrafficSplitCard';
import { sparklinePoints } from './HealthSparklines';
import { renderWithMesh } from '../../__testUtils__/renderWithMesh';
import { FakeMeshApi } from '../../__testUtils__/fixtures';

const version = (overrides: Partial<VersionHealth>): VersionHealth => ({
  version: 'v1',
  weight: 90,
  requestRate: 9,
  successRate: 100,
  p50Ms: 5,
  p99Ms: 20,
  samples: 540,
  verdict: 'healthy',
  reasons: [],
  ...overrides,
});

const okHealth = (
  versions: VersionHealth[],
  advice: ClusterHealthOk['splits'][0]['advice'],
): FakeMeshApi['health'] => ({
  entityRef: 'component:default/backend',
  clusters: [
    {
      cluster: 'local',
      state: 'ok',
      window: '1m',
      thresholds: { minSuccessRate: 99, maxP99Ms: 500, minRequests: 50 },
      splits: [
        {
          host: 'backend',
          namespace: 'shop',
          virtualService: 'backend',
          versions,
          advice,
        },
      ],
    },
  ],
});

/** Renders the card with a healthy stable v1 at 90 % and the given canary v2 at 10 %. */
async function renderWithCanary(
  v2: Partial<VersionHealth>,
  advice: ClusterHealthOk['splits'][0]['advice'],
) {
  const api = new FakeMeshApi();
  api.health = okHealth(
    [version({}), version({ version: 'v2', weight: 10, ...v2 })],
    advice,
  );
  return renderWithMesh(<TrafficSplitCard />, { api });
}

const row = (name: string) =>
  screen.getByRole('row', { name: new RegExp(`^${name} `) });

describe('TrafficSplitCard: canary health', () => {
  it("shows a split's health only beside that split, not beside another VirtualService of the host", async () => {
    const api = new FakeMeshApi();
    const health = okHealth([version({})], {
      action: 'none',
      message: 'No canary in progress.',
    });
    const [cluster] = health.clusters as ClusterHealthOk[];
    cluster.splits[0].virtualService = 'backend-ingress';
    api.health = health;
    await renderWithMesh(<TrafficSplitCard />, { api });
    expect(
      await screen.findByText(/No request metrics for backend/),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('table', { name: 'Health of backend per version' }),
    ).not.toBeInTheDocument();
  });

  it('shows weight, rate, success and p99 per version with the advice', async () => {
    await renderWithCanary(
      {
        requestRate: 1,
        samples: 60,
        p99Ms: 48.4,
      },
      {
        action: 'advance',
        canary: 'v2',
        nextWeight: 25,
        message: 'v2 healthy over the last 1m at 10 %: next step 25 %',
      },
    );
    expect(
      await screen.findByRole('table', {
        name: 'Health of backend per version',
      }),
    ).toBeInTheDocument();
    expect(row('v2')).toHaveTextContent('v210 %1.00 req/s100 %48 ms');
    expect(within(row('v2')).getAllByLabelText('Status ok')).toHaveLength(2);
    expect(
      screen.getByText('v2 healthy over the last 1m at 10 %: next step 25 %'),
    ).toBeInTheDocument();
    expect(screen.getByText('Success (≥ 99 %)')).toBeInTheDocument();
    expect(screen.getByText('p99 (≤ 500 ms)')).toBeInTheDocument();
  });

  it('marks the failing metric and advises a rollback', async () => {
    await renderWithCanary(
      {
        successRate: 96.5,
        p99Ms: 40,
        verdict: 'failing',
        reasons: ['success 96.5 % < 99 %'],
      },
      {
        action: 'rollback',
        canary: 'v2',
        message: 'v2 failing (success 96.5 % < 99 %): roll back',
      },
    );
    await screen.findByText('v2 failing (success 96.5 % < 99 %): roll back');
    const v2 = row('v2');
    expect(within(v2).getByLabelText('Status error')).toHaveTextContent(
      '96.5 %',
    );
    expect(within(v2).getByLabelText('Status ok')).toHaveTextContent('40 ms');
  });

  it('does not judge a version with too little traffic', async () => {
    await renderWithCanary(
      {
        requestRate: 0,
        samples: 0,
        successRate: undefined,
        p99Ms: undefined,
        verdict: 'insufficient-traffic',
      },
      {
        action: 'wait',
        canary: 'v2',
        message:
          'Not enough traffic to judge v2 (0 requests in 1m, need 50): wait or send traffic',
      },
    );
    await screen.findByText(/Not enough traffic to judge v2/);
    expect(within(row('v2')).getAllByLabelText('Status pending')).toHaveLength(
      2,
    );
    expect(row('v2')).toHaveTextContent('v210 %0.00 req/s—');
  });

  it('says when Prometheus is not configured', async () => {
    await renderWithMesh(<TrafficSplitCard />);
    expect(
      await screen.findByText(/Prometheus not configured for cluster local/),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Weight for v2')).toHaveValue(10);
  });

  it('says why health is unavailable, from the cluster or the request', async () => {
    const api = new FakeMeshApi();
    api.health = {
      entityRef: 'component:default/backend',
      clusters: [
        {
          cluster: 'local',
          state: 'unavailable',
          reason: 'Prometheus did not answer within 3000 ms',
        },
      ],
    };
    const first = await renderWithMesh(<TrafficSplitCard />, { api });
    expect(
      await screen.findByText(
        'Health unavailable: Prometheus did not answer within 3000 ms',
      ),
    ).toBeInTheDocument();
    first.unmount();

    const failing = new FakeMeshApi();
    failing.getHealth = async () => {
      throw new Error('Request failed with 502 Bad Gateway');
    };
    await renderWithMesh(<TrafficSplitCard />, { api: failing });
    expect(
      await screen.findByText(
        'Health unavailable: Request failed with 502 Bad Gateway',
      ),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Weight for v2')).toHaveValue(10);
  });
});

describe('TrafficSplitCard: health charts', () => {
  it('draws success rate and p99 per version over the last 15m, with the thresholds', async () => {
    const api = new FakeMeshApi();
    api.health = okHealth(
      [version({}), version({ version: 'v2', weight: 10 })],
      {
        action: 'none',
        message: 'No canary in progress.',
      },
    );
    const series = (v1: number[], v2: number[]) => [
      {
        version: 'v1',
        points: v1.map((v, i): [number, number] => [1000 + 15 * i, v]),
      },
      {
        version: 'v2',
        points: v2.map((v, i): [number, number] => [1000 + 15 * i, v]),
      },
    ];
    api.healthSeries = {
      entityRef: 'component:default/backend',
      range: '15m',
      clusters: [
        {
          cluster: 'local',
          state: 'ok',
          stepSeconds: 15,
          services: [
            {
              host: 'backend',
              namespace: 'shop',
              successRate: series([100, 100, 100], [100, 98, 96.5]),
              p99Ms: series([20, 22, 21], [40, 45, 48.4]),
              requestRate: series([9, 9, 9], [1, 1, 1]),
            },
          ],
        },
      ],
    };
    await renderWithMesh(<TrafficSplitCard />, { api });
    const success = await screen.findByRole('img', {
      name: 'Success rate per version over the last 15m: v1 100 %, v2 96.5 % (latest)',
    });
    // One line per version and the dashed threshold.
    expect(success.querySelectorAll('polyline')).toHaveLength(3);
    expect(
      screen.getByRole('img', {
        name: 'p99 per version over the last 15m: v1 21 ms, v2 48 ms (latest)',
      }),
    ).toBeInTheDocument();
  });

  it('draws nothing when Prometheus is not configured', async () => {
    await renderWithMesh(<TrafficSplitCard />);
    await screen.findByText(/Prometheus not configured for cluster local/);
    expect(
      screen.queryByRole('img', { name: /Success rate per version/ }),
    ).not.toBeInTheDocument();
  });
});

describe('sparklinePoints', () => {
  it('maps time left to right and values bottom to top inside a 2 px margin', () => {
    const box = { start: 0, end: 100, min: 0, max: 10, width: 104, height: 14 };
    expect(
      sparklinePoints(
        [
          [0, 0],
          [50, 5],
          [100, 10],
        ],
        box,
      ),
    ).toBe('2.0,12.0 52.0,7.0 102.0,2.0');
  });

  it('copes with a single point and a flat series', () => {
    const box = { start: 5, end: 5, min: 1, max: 1, width: 104, height: 14 };
    expect(sparklinePoints([[5, 1]], box)).toBe('2.0,12.0');
  });
});
