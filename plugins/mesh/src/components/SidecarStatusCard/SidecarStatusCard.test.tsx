import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SidecarStatusCard } from './SidecarStatusCard';
import { renderWithMesh } from '../../__testUtils__/renderWithMesh';
import {
  brokenCluster,
  FakeMeshApi,
  okCluster,
  statusOf,
} from '../../__testUtils__/fixtures';
import { PERMISSION_DENIED_REASON } from '../../hooks';

describe('SidecarStatusCard', () => {
  it('shows progress while loading', async () => {
    const api = new FakeMeshApi();
    api.getStatus = () => new Promise(() => {});
    await renderWithMesh(<SidecarStatusCard />, { api });
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('shows pods with their sidecar state and the namespace injection mode', async () => {
    await renderWithMesh(<SidecarStatusCard />);
    expect(await screen.findByText('backend-v1-abc')).toBeInTheDocument();
    expect(screen.getByText('1 of 2 pods in the mesh')).toBeInTheDocument();
    expect(screen.getByText('1.28.0')).toBeInTheDocument();
    expect(screen.getByText('Injected')).toBeInTheDocument();
    // Status chips stay on one line ("Injecte d" at 1280 px was the bug).
    expect(screen.getByText('Injected').closest('td')).toHaveStyle({
      whiteSpace: 'nowrap',
    });
    expect(screen.getByText('No sidecar')).toBeInTheDocument();
    expect(
      screen.getByText('Sidecar injection enabled (istio-injection=enabled)'),
    ).toBeInTheDocument();
  });

  it('counts every pod of a large workload and says how many the table lists', async () => {
    const api = new FakeMeshApi();
    const [v1, v2] = okCluster().workloads;
    api.status = statusOf(
      okCluster({
        workloads: [
          {
            ...v1,
            replicas: 2500,
            podCounts: { total: 2500, ready: 2490, meshed: 2497, optedOut: 0 },
          },
          v2,
        ],
      }),
    );
    await renderWithMesh(<SidecarStatusCard />, { api });
    expect(
      await screen.findByText('2497 of 2501 pods in the mesh'),
    ).toBeInTheDocument();
    const table = screen.getByRole('table', { name: 'Pods and sidecars' });
    expect(
      within(table).getByText(
        '1 of 2,500 pods listed (those needing attention first): 2,497 meshed, 2,490 ready, 0 opted out in all.',
      ),
    ).toBeInTheDocument();
    // A workload whose every pod is listed gets no such line.
    expect(within(table).getAllByText(/pods listed/)).toHaveLength(1);
  });

  it('shows a failed cluster beside a good one', async () => {
    const api = new FakeMeshApi();
    api.status = statusOf(okCluster(), brokenCluster);
    await renderWithMesh(<SidecarStatusCard />, { api });
    expect(await screen.findByText('backend-v1-abc')).toBeInTheDocument();
    expect(
      screen.getByText(/Cluster prod-eu-1 could not be read/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('connect ECONNREFUSED 10.0.0.1:6443 (HTTP 503)'),
    ).toBeInTheDocument();
  });

  it('says what to check when no cluster runs the entity', async () => {
    const api = new FakeMeshApi();
    api.status = statusOf();
    await renderWithMesh(<SidecarStatusCard />, { api });
    expect(
      await screen.findByText('No cluster runs this entity'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/backstage\.io\/kubernetes-label-selector/),
    ).toBeInTheDocument();
  });

  it('onboards: preview shows the plan, apply shows the result and watches pods', async () => {
    const { api } = await renderWithMesh(<SidecarStatusCard />);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Onboard' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('radio', { name: /Workloads only/ }),
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Preview' }),
    );
    expect(
      await within(dialog).findByText(
        'Label namespace shop for injection and restart 2 Deployments',
      ),
    ).toBeInTheDocument();
    expect(api.requests[0]).toEqual({
      kind: 'plan',
      request: {
        action: 'onboard',
        scope: 'workload',
        cluster: 'local',
        workloads: ['backend-v1', 'backend-v2'],
      },
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );
    expect(
      await within(dialog).findByText(
        /Applied \(1 object, audit id audit-42\)/,
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(/Watching pods restart with sidecars/),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('table', { name: 'Pods and sidecars' }),
    ).toBeInTheDocument();
  });

  it('lists StatefulSets and DaemonSets and names a shared name by Kind/name when onboarding', async () => {
    const api = new FakeMeshApi();
    const base = okCluster().workloads[1];
    api.status = statusOf(
      okCluster({
        workloads: [
          { ...base, kind: 'Deployment', name: 'cache', pods: [] },
          {
            ...base,
            kind: 'StatefulSet',
            name: 'cache',
            pods: [{ ...base.pods[0], name: 'cache-0' }],
          },
          {
            ...base,
            kind: 'DaemonSet',
            name: 'agent',
            pods: [{ ...base.pods[0], name: 'agent-x7k2p' }],
          },
        ],
      }),
    );
    await renderWithMesh(<SidecarStatusCard />, { api });
    const pods = await screen.findByRole('table', {
      name: 'Pods and sidecars',
    });
    expect(
      within(pods).getByText('StatefulSet cache (v2)'),
    ).toBeInTheDocument();
    expect(within(pods).getByText('DaemonSet agent (v2)')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Onboard' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('radio', {
        name: 'Workloads only (Deployment cache, StatefulSet cache, DaemonSet agent)',
      }),
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Preview' }),
    );
    await waitFor(() =>
      expect(api.requests[0]?.request).toEqual({
        action: 'onboard',
        scope: 'workload',
        cluster: 'local',
        workloads: ['Deployment/cache', 'StatefulSet/cache', 'agent'],
      }),
    );
  });

  it('disables Apply with the reason when the permission is denied', async () => {
    await renderWithMesh(<SidecarStatusCard />, { allowed: false });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Onboard' }),
    );
    const dialog = await screen.findByRole('dialog');
    await waitFor(() =>
      expect(
        within(dialog).getByRole('button', { name: 'Apply' }),
      ).toBeDisabled(),
    );
    expect(
      within(dialog).getByText(PERMISSION_DENIED_REASON),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Preview' }),
    ).toBeEnabled();
  });
});
