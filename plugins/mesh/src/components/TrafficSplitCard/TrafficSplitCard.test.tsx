import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { TrafficSplitCard } from './TrafficSplitCard';
import { renderWithMesh } from '../../__testUtils__/renderWithMesh';
import {
  brokenCluster,
  FakeMeshApi,
  okCluster,
  presetsFor,
  statusOf,
} from '../../__testUtils__/fixtures';
import { MeshApiError } from '../../api';
import { PERMISSION_DENIED_REASON } from '../../hooks';

async function setWeight(subset: string, value: string) {
  const input = screen.getByLabelText(`Weight for ${subset}`);
  await userEvent.clear(input);
  await userEvent.type(input, value);
}

/** The card offers to start a split for backend, from v1 at 100%. */
async function expectSplitOfferedForBackend() {
  expect(
    await screen.findByText(/No VirtualService splits traffic for backend yet/),
  ).toBeInTheDocument();
  expect(screen.getByLabelText('Weight for v1')).toHaveValue(100);
}

/**
 * A cluster whose Service no VirtualService routes (the backend reports 100% to itself), with
 * these versions (`name:version`, or `v1` when both are the same).
 */
const unsplitCluster = (...versions: string[]) => {
  const subsets = versions.map(v => {
    const [name, version = name] = v.split(':');
    return { name, version };
  });
  // The backend's roles: the oldest version is stable, the newest the canary.
  const names = subsets.map(s => s.name);
  const stable = names[0];
  const canary = names.length > 1 ? names[names.length - 1] : undefined;
  return okCluster({
    trafficSplits: [
      {
        host: 'backend',
        service: 'backend',
        namespace: 'shop',
        gateways: [],
        routes: [{ host: 'backend', weight: 100, podCount: versions.length }],
        subsets,
        ...(stable ? { stable } : {}),
        ...(canary ? { canary } : {}),
        presets: stable ? presetsFor(stable, canary) : {},
        canaryInProgress: false,
      },
    ],
  });
};

describe('TrafficSplitCard', () => {
  it('shows progress while loading', async () => {
    const api = new FakeMeshApi();
    api.getStatus = () => new Promise(() => {});
    await renderWithMesh(<TrafficSplitCard />, { api });
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('shows the current weights as a bar and in the editor', async () => {
    await renderWithMesh(<TrafficSplitCard />);
    expect(
      await screen.findByRole('img', { name: 'Traffic split: v1 90%, v2 10%' }),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Weight for v1')).toHaveValue(90);
    expect(screen.getByLabelText('Weight for v2')).toHaveValue(10);
    expect(screen.getByText('Canary in progress')).toBeInTheDocument();
  });

  it('disables Apply while the weights do not add up to 100', async () => {
    await renderWithMesh(<TrafficSplitCard />);
    await screen.findByLabelText('Weight for v2');
    await setWeight('v2', '20');
    expect(
      screen.getByText('Weights must add up to 100 (now 110).'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Apply' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Preview' })).toBeDisabled();
    await setWeight('v1', '80');
    expect(
      screen.queryByText(/Weights must add up to 100/),
    ).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Apply' })).toBeEnabled();
  });

  it('applies presets, previews the plan and applies it', async () => {
    const { api } = await renderWithMesh(<TrafficSplitCard />);
    await userEvent.click(await screen.findByRole('button', { name: '50/50' }));
    expect(screen.getByLabelText('Weight for v1')).toHaveValue(50);
    expect(screen.getByLabelText('Weight for v2')).toHaveValue(50);
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(
      await screen.findByText('Route 50% to v1 and 50% to v2'),
    ).toBeInTheDocument();
    expect(api.requests.at(-1)?.request).toEqual({
      action: 'canary',
      service: 'backend',
      virtualService: 'backend',
      cluster: 'local',
      weights: { v1: 50, v2: 50 },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(
      await screen.findByText(/Applied \(1 object, audit id audit-42\)/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('VirtualService shop/backend: configured'),
    ).toBeInTheDocument();
  });

  it('sets 100% on the canary with Promote and on stable with Rollback', async () => {
    await renderWithMesh(<TrafficSplitCard />);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Promote' }),
    );
    expect(screen.getByLabelText('Weight for v2')).toHaveValue(100);
    expect(screen.getByLabelText('Weight for v1')).toHaveValue(0);
    await userEvent.click(screen.getByRole('button', { name: 'Rollback' }));
    expect(screen.getByLabelText('Weight for v1')).toHaveValue(100);
    await userEvent.click(screen.getByRole('button', { name: '90/10' }));
    expect(screen.getByLabelText('Weight for v2')).toHaveValue(10);
  });

  it("shows the backend's message when apply is refused", async () => {
    const api = new FakeMeshApi();
    api.applyError = new MeshApiError(
      'weights.v3: subset v3 is not defined in DestinationRule backend',
      400,
      'InputError',
    );
    await renderWithMesh(<TrafficSplitCard />, { api });
    await userEvent.click(await screen.findByRole('button', { name: 'Apply' }));
    expect(
      await screen.findByText(
        'weights.v3: subset v3 is not defined in DestinationRule backend',
      ),
    ).toBeInTheDocument();
  });

  it('disables Apply with the reason when the permission is denied', async () => {
    await renderWithMesh(<TrafficSplitCard />, { allowed: false });
    await screen.findByLabelText('Weight for v2');
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Apply' })).toBeDisabled(),
    );
    expect(screen.getByText(PERMISSION_DENIED_REASON)).toBeInTheDocument();
  });

  it('offers a split when two versions run without a VirtualService', async () => {
    const api = new FakeMeshApi();
    api.status = statusOf(unsplitCluster('v1', 'v2'), brokenCluster);
    await renderWithMesh(<TrafficSplitCard />, { api });
    await expectSplitOfferedForBackend();
    expect(
      screen.getByText(/Cluster prod-eu-1 could not be read/),
    ).toBeInTheDocument();
  });

  it('keeps the result of the apply that created the first split in view once the split shows', async () => {
    const api = new FakeMeshApi();
    api.status = statusOf(unsplitCluster('v1', 'v2'));
    const split = statusOf(okCluster());
    const apply = api.apply.bind(api);
    api.apply = async (...args: Parameters<FakeMeshApi['apply']>) => {
      const result = await apply(...args);
      api.status = split; // the refresh after the apply reads the new split
      return result;
    };
    await renderWithMesh(<TrafficSplitCard />, { api });
    await expectSplitOfferedForBackend();
    await userEvent.click(screen.getByRole('button', { name: '90/10' }));
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(
      await screen.findByRole('img', { name: 'Traffic split: v1 90%, v2 10%' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByText(/No VirtualService splits traffic/),
    ).not.toBeInTheDocument();
    expect(
      screen.getByText(/Applied \(1 object, audit id audit-42\)/),
    ).toBeInTheDocument();
  });

  it('says what is missing when only one version runs', async () => {
    const api = new FakeMeshApi();
    const cluster = unsplitCluster('v1');
    api.status = statusOf({
      ...cluster,
      workloads: cluster.workloads.slice(0, 1),
    });
    await renderWithMesh(<TrafficSplitCard />, { api });
    expect(
      await screen.findByText(/only version v1 runs for backend/),
    ).toBeInTheDocument();
  });

  it('shows versions that are not DNS labels and sends the subset names the status gives', async () => {
    const api = new FakeMeshApi();
    api.status = statusOf(unsplitCluster('1-2-0:1.2.0', '1-3-0:1.3.0'));
    await renderWithMesh(<TrafficSplitCard />, { api });
    await screen.findByLabelText('Weight for 1.2.0');
    // The subset goes below the field, not into its label (which ran onto the border).
    expect(screen.getByText('subset 1-2-0')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: '50/50' }));
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    await waitFor(() => expect(api.requests).toHaveLength(1));
    expect(api.requests[0].request).toMatchObject({
      action: 'canary',
      weights: { '1-2-0': 50, '1-3-0': 50 },
    });
  });

  describe("uses the status's service and presets, never its own", () => {
    const split = okCluster().trafficSplits[0];

    it('fills the weights the status gives for a preset, whatever the route order', async () => {
      const api = new FakeMeshApi();
      // The VirtualService lists the canary first; the plan's stable (most traffic) is v1.
      api.status = statusOf(
        okCluster({
          trafficSplits: [
            {
              ...split,
              routes: [...split.routes].reverse(),
              stable: 'v1',
              canary: 'v2',
              presets: presetsFor('v1', 'v2'),
            },
          ],
        }),
      );
      await renderWithMesh(<TrafficSplitCard />, { api });
      await userEvent.click(
        await screen.findByRole('button', { name: '90/10' }),
      );
      expect(screen.getByLabelText('Weight for v1')).toHaveValue(90);
      expect(screen.getByLabelText('Weight for v2')).toHaveValue(10);
      expect(
        screen.getByText(/Presets: v1 is the stable version, v2 the canary/),
      ).toBeInTheDocument();
    });

    it('sends the Service the status names, not a piece of the host', async () => {
      const api = new FakeMeshApi();
      api.status = statusOf(
        okCluster({
          trafficSplits: [
            { ...split, host: 'shop.example.com', service: 'storefront' },
          ],
        }),
      );
      await renderWithMesh(<TrafficSplitCard />, { api });
      await userEvent.click(
        await screen.findByRole('button', { name: 'Preview' }),
      );
      await waitFor(() => expect(api.requests).toHaveLength(1));
      expect(api.requests[0].request).toMatchObject({
        action: 'canary',
        service: 'storefront',
      });
    });

    it('sends the VirtualService of the split edited when several route the Service', async () => {
      const api = new FakeMeshApi();
      api.status = statusOf(
        okCluster({
          trafficSplits: [
            split,
            {
              ...split,
              virtualService: 'backend-ingress',
              gateways: ['shop-gateway'],
              routes: [
                { subset: 'v1', weight: 100, host: 'backend', podCount: 1 },
              ],
              canaryInProgress: false,
            },
          ],
        }),
      );
      await renderWithMesh(<TrafficSplitCard />, { api });
      const previews = await screen.findAllByRole('button', {
        name: 'Preview',
      });
      expect(previews).toHaveLength(2);
      await userEvent.click(previews[1]);
      await waitFor(() => expect(api.requests).toHaveLength(1));
      expect(api.requests[0].request).toEqual({
        action: 'canary',
        service: 'backend',
        virtualService: 'backend-ingress',
        cluster: 'local',
        weights: { v1: 100, v2: 0 },
      });

      await userEvent.click(
        screen.getAllByRole('button', { name: 'Edit timeouts and retries' })[1],
      );
      await userEvent.type(
        document.getElementById(
          'mesh-resilience-local-backend-backend-ingress-timeout',
        )!,
        '2s',
      );
      const resiliencePreview = screen.getAllByRole('button', {
        name: 'Preview',
      });
      await userEvent.click(resiliencePreview[resiliencePreview.length - 1]);
      await waitFor(() => expect(api.requests).toHaveLength(2));
      expect(api.requests[1].request).toEqual({
        action: 'resilience',
        service: 'backend',
        virtualService: 'backend-ingress',
        cluster: 'local',
        timeout: '2s',
      });
    });

    it("offers a split for the status's unsplit Service, not the first Service listed", async () => {
      const api = new FakeMeshApi();
      const cluster = unsplitCluster('v1', 'v2');
      api.status = statusOf({
        ...cluster,
        services: [
          { ...cluster.services[0], name: 'backend-metrics' },
          ...cluster.services,
        ],
      });
      await renderWithMesh(<TrafficSplitCard />, { api });
      await expectSplitOfferedForBackend();
      expect(screen.queryByText(/backend-metrics/)).not.toBeInTheDocument();
    });
  });
});
