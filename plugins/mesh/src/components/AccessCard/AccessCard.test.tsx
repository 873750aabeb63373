import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AccessCard } from './AccessCard';
import { renderWithMesh } from '../../__testUtils__/renderWithMesh';
import {
  accessOf,
  accessPlan,
  brokenCluster,
  FakeMeshApi,
  okCluster,
  statusOf,
} from '../../__testUtils__/fixtures';
import { MeshApiError } from '../../api';
import type {
  AccessDenials,
  ServiceAccess,
} from '@mesh-portal/backstage-plugin-mesh-common';

/** An API whose status says backend's policy is in `mode`, with `denials` counted. */
function apiWith(
  mode: ServiceAccess['mode'],
  denials: AccessDenials,
  allowed = ['cluster.local/ns/shop/sa/checkout'],
) {
  const api = new FakeMeshApi();
  api.status = statusOf(
    okCluster({
      access: [
        {
          service: 'backend',
          namespace: 'shop',
          policyName: 'backend-allow-declared-callers',
          mode,
          allowedPrincipals: allowed,
        },
      ],
    }),
  );
  const access = accessOf();
  const [cluster] = access.clusters;
  if (cluster.ok) {
    cluster.services[0] = {
      ...cluster.services[0],
      mode,
      allowedPrincipals: allowed,
      denials,
    };
  }
  api.access = access;
  return api;
}

describe('AccessCard', () => {
  it('lists the declared callers with their principals and sidecar state', async () => {
    await renderWithMesh(<AccessCard />);
    const table = await screen.findByRole('table', {
      name: 'Declared callers of backend',
    });
    const checkout = within(table).getByRole('row', {
      name: /component:default\/checkout/,
    });
    expect(
      within(checkout).getByText('cluster.local/ns/shop/sa/checkout'),
    ).toBeInTheDocument();
    expect(within(checkout).getByText('Yes')).toBeInTheDocument();
    expect(within(checkout).getByText('dependsOn')).toBeInTheDocument();
    const reports = within(table).getByRole('row', {
      name: /component:default\/reports/,
    });
    expect(within(reports).getByText('No (0/1 pods)')).toBeInTheDocument();
    expect(
      within(reports).getByText('consumes api:default/backend-api'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'component:default/batch (dependsOn): no pod matches app=batch in namespace shop',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('No policy')).toBeInTheDocument();
    expect(
      screen.getByText(/backend accepts requests from any caller/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /MESH-019: component:default\/reports .* cannot be identified/,
      ),
    ).toBeInTheDocument();
  });

  it('shows the mode and principals from the status, and the would-be denials of a dry run', async () => {
    const api = apiWith('dry-run', {
      state: 'ok',
      kind: 'would-be-denied',
      window: '1h',
      total: 12,
      byPod: [
        { pod: 'backend-v1-abc', count: 12 },
        { pod: 'backend-v2-def', count: 0 },
      ],
    });
    await renderWithMesh(<AccessCard />, { api });
    expect(
      await screen.findByText('Dry run (not enforced)'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Would allow: cluster.local/ns/shop/sa/checkout'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(
        '12 requests would have been denied in the last 1h (backend-v1-abc: 12).',
      ),
    ).toBeInTheDocument();
  });

  it('shows enforced denials, and says when Prometheus cannot count them', async () => {
    const enforced = apiWith('enforced', {
      state: 'ok',
      kind: 'denied',
      window: '1h',
      total: 0,
      byPod: [],
    });
    const { unmount } = await renderWithMesh(<AccessCard />, { api: enforced });
    expect(await screen.findByText('Enforced')).toBeInTheDocument();
    expect(
      await screen.findByText('0 requests were denied in the last 1h.'),
    ).toBeInTheDocument();
    unmount();

    await renderWithMesh(<AccessCard />, {
      api: apiWith('enforced', { state: 'not-configured' }),
    });
    expect(
      await screen.findByText(
        'Denials not counted: no Prometheus is configured for this cluster.',
      ),
    ).toBeInTheDocument();
  });

  it('previews the dry run through the plan dialog and applies it', async () => {
    const { api } = await renderWithMesh(<AccessCard />);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Dry-run' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(
        /^Dry-run AuthorizationPolicy backend-allow-declared-callers/,
      ),
    ).toBeInTheDocument();
    expect(api.requests[0]).toEqual({
      kind: 'plan',
      request: {
        action: 'access',
        mode: 'dry-run',
        service: 'backend',
        cluster: 'local',
      },
    });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );
    expect(
      await within(dialog).findByText(/audit id audit-42/),
    ).toBeInTheDocument();
    expect(api.requests.map(r => [r.kind, r.request.action])).toContainEqual([
      'apply',
      'access',
    ]);
  });

  it('keeps Apply disabled when enforcing would cut off a caller', async () => {
    const api = new FakeMeshApi();
    api.plans.access = {
      ...accessPlan,
      blocked: true,
      summary: 'Enforce AuthorizationPolicy backend-allow-declared-callers',
      findings: [
        {
          code: 'MESH-019',
          severity: 'error',
          message: 'component:default/reports cannot be identified',
          hint: 'Onboard it first.',
          blocking: true,
        },
      ],
    };
    await renderWithMesh(<AccessCard />, { api });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Enforce' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(
        /Blocked — applying this plan would break traffic/,
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Apply' }),
    ).toBeDisabled();
    expect(api.requests[0].request).toMatchObject({ mode: 'enforce' });
  });

  it('offers Remove only when there is a policy', async () => {
    const { unmount } = await renderWithMesh(<AccessCard />);
    expect(
      await screen.findByRole('button', { name: 'Remove' }),
    ).toBeDisabled();
    unmount();
    const api = apiWith('enforced', { state: 'no-policy' });
    await renderWithMesh(<AccessCard />, { api });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Remove' }),
    );
    await screen.findByRole('dialog');
    expect(api.requests[0].request).toMatchObject({
      action: 'access',
      mode: 'remove',
    });
  });

  it('disables every change without mesh.entity.apply', async () => {
    await renderWithMesh(<AccessCard />, { allowed: false });
    for (const name of ['Dry-run', 'Enforce', 'Remove']) {
      expect(await screen.findByRole('button', { name })).toBeDisabled();
    }
  });

  it('says when the access view fails, and shows failed clusters of the status', async () => {
    const api = new FakeMeshApi();
    api.status = statusOf(okCluster(), brokenCluster);
    api.getAccess = async () => {
      throw new MeshApiError(
        'catalog unavailable',
        503,
        'ServiceUnavailableError',
      );
    };
    await renderWithMesh(<AccessCard />, { api });
    expect(
      await screen.findByText(
        'Declared callers could not be read: catalog unavailable',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Cluster prod-eu-1 could not be read/),
    ).toBeInTheDocument();
  });
});
