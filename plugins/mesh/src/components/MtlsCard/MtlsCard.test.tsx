import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MtlsCard } from './MtlsCard';
import { renderWithMesh } from '../../__testUtils__/renderWithMesh';
import {
  brokenCluster,
  canaryPlan,
  FakeMeshApi,
  okCluster,
  statusOf,
} from '../../__testUtils__/fixtures';

/** The namespace's row when the mesh-wide policy is STRICT. */
const meshStrict = {
  namespace: 'shop',
  mode: 'STRICT' as const,
  source: {
    scope: 'mesh' as const,
    name: 'default',
    namespace: 'istio-system',
  },
};

describe('MtlsCard', () => {
  it('shows the effective mode and which object sets it', async () => {
    await renderWithMesh(<MtlsCard />);
    expect(await screen.findByText('PERMISSIVE')).toBeInTheDocument();
    expect(
      screen.getByText('PeerAuthentication shop/default (namespace-wide)'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Namespace shop still accepts plaintext.'),
    ).toBeInTheDocument();
  });

  it('keeps the mode on one line in narrow cards ("PERMI SSIVE" was the bug)', async () => {
    await renderWithMesh(<MtlsCard />);
    const mode = await screen.findByText('PERMISSIVE');
    expect(mode.closest('td')).toHaveStyle({ whiteSpace: 'nowrap' });
  });

  it('shows the callers without a sidecar when STRICT is blocked', async () => {
    const { api } = await renderWithMesh(<MtlsCard />);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Switch to STRICT' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(
        /checkout \(shop\/checkout-v1\) calls backend without a sidecar/,
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(
        /Blocked — applying this plan would break traffic/,
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Apply' }),
    ).toBeDisabled();
    expect(api.requests[0].request).toEqual({
      action: 'mtls',
      mode: 'STRICT',
      scope: 'namespace',
      cluster: 'local',
    });
  });

  it('applies STRICT when nothing blocks it', async () => {
    const api = new FakeMeshApi();
    api.plans.mtls = { ...canaryPlan, action: 'mtls', summary: 'Set STRICT' };
    await renderWithMesh(<MtlsCard />, { api });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Switch to STRICT' }),
    );
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByText('Set STRICT');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );
    expect(
      await within(dialog).findByText(/audit id audit-42/),
    ).toBeInTheDocument();
  });

  it('shows the ports portLevelMtls sets apart, with their mode and policy', async () => {
    const api = new FakeMeshApi();
    const source = {
      scope: 'workload' as const,
      name: 'backend',
      namespace: 'shop',
    };
    api.status = statusOf(
      okCluster({
        mtls: [
          meshStrict,
          {
            namespace: 'shop',
            workload: 'backend-v1',
            mode: 'STRICT',
            source,
            ports: [
              { port: 8080, mode: 'PERMISSIVE', source },
              { port: 9090, mode: 'STRICT', source },
            ],
          },
        ],
      }),
    );
    await renderWithMesh(<MtlsCard />, { api });
    const port = await screen.findByRole('cell', {
      name: 'shop/backend-v1 port 8080',
    });
    const row = port.closest('tr') as HTMLElement;
    expect(within(row).getByText('PERMISSIVE')).toBeInTheDocument();
    expect(
      within(row).getByText('PeerAuthentication shop/backend (portLevelMtls)'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('cell', { name: 'shop/backend-v1 port 9090' }),
    ).toBeInTheDocument();
    // Everything is STRICT but port 8080: the card does not claim otherwise.
    expect(
      screen.queryByText('Every workload only accepts mutual TLS.'),
    ).not.toBeInTheDocument();
    expect(
      screen.getByText(
        "backend-v1 port 8080 is kept off STRICT by portLevelMtls: edit the workload's PeerAuthentication to change it.",
      ),
    ).toBeInTheDocument();
  });

  it('has no action when everything is STRICT, and shows failed clusters', async () => {
    const api = new FakeMeshApi();
    api.status = statusOf(
      okCluster({
        mtls: [meshStrict],
      }),
      brokenCluster,
    );
    await renderWithMesh(<MtlsCard />, { api });
    expect(
      await screen.findByText('Every workload only accepts mutual TLS.'),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Switch to STRICT' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByText(/Cluster prod-eu-1 could not be read/),
    ).toBeInTheDocument();
  });
});
