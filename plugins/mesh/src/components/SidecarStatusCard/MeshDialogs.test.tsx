import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DECLARED_PORT_PROTOCOLS } from '@mesh-portal/backstage-plugin-mesh-common';
import { SidecarStatusCard } from './SidecarStatusCard';
import { renderWithMesh } from '../../__testUtils__/renderWithMesh';
import { FakeMeshApi, okCluster, statusOf } from '../../__testUtils__/fixtures';
import { PERMISSION_DENIED_REASON } from '../../hooks';
import { REVISION_INVALID_MESSAGE } from './OnboardingDialog';
import { HOST_INVALID_MESSAGE } from './ExposeDialog';

/** Clicks Preview and returns the request the n-th call (1-based) sent. */
async function previewRequest(
  dialog: HTMLElement,
  api: FakeMeshApi,
  n: number,
) {
  await userEvent.click(
    within(dialog).getByRole('button', { name: 'Preview' }),
  );
  await waitFor(() => expect(api.requests).toHaveLength(n));
  return api.requests[n - 1].request;
}

async function openDialog(buttonName: string) {
  await userEvent.click(
    await screen.findByRole('button', { name: buttonName }),
  );
  return screen.findByRole('dialog');
}

describe('OnboardingDialog data plane and revision', () => {
  it('defaults to sidecar and sends the revision', async () => {
    const { api } = await renderWithMesh(<SidecarStatusCard />);
    const dialog = await openDialog('Onboard');
    expect(
      within(dialog).getByRole('radio', {
        name: 'Sidecar (Envoy in each pod)',
      }),
    ).toBeChecked();
    expect(
      within(dialog).getByText(
        'Leave empty for the default revision; sets istio.io/rev',
      ),
    ).toBeInTheDocument();
    const revision = within(dialog).getByRole('textbox', {
      name: 'Istio revision',
    });
    expect(revision).toHaveAttribute('placeholder', 'default');
    await userEvent.type(revision, 'canary');
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
        scope: 'namespace',
        cluster: 'local',
        revision: 'canary',
      },
    });
  });

  it('sends mode ambient without a revision', async () => {
    const { api } = await renderWithMesh(<SidecarStatusCard />);
    const dialog = await openDialog('Onboard');
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: 'Istio revision' }),
      'canary',
    );
    await userEvent.click(
      within(dialog).getByRole('radio', {
        name: 'Ambient (no sidecar, no restart)',
      }),
    );
    expect(
      within(dialog).queryByRole('textbox', { name: 'Istio revision' }),
    ).not.toBeInTheDocument();
    const request = await previewRequest(dialog, api, 1);
    expect(request).toEqual({
      action: 'onboard',
      scope: 'namespace',
      cluster: 'local',
      mode: 'ambient',
    });
    expect(request).not.toHaveProperty('revision');
  });

  it('rejects a revision that is not a DNS-1123 label', async () => {
    const { api } = await renderWithMesh(<SidecarStatusCard />);
    const dialog = await openDialog('Onboard');
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: 'Istio revision' }),
      'Canary_1',
    );
    expect(
      within(dialog).getByText(REVISION_INVALID_MESSAGE),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Preview' }),
    ).toBeDisabled();
    expect(
      within(dialog).getByRole('button', { name: 'Apply' }),
    ).toBeDisabled();
    expect(api.requests).toHaveLength(0);
  });
});

describe('OnboardingDialog port protocols', () => {
  it('asks only for the ports Istio cannot classify and sends the answers as portProtocols', async () => {
    const api = new FakeMeshApi();
    api.status = statusOf(
      okCluster({
        services: [
          {
            name: 'backend',
            namespace: 'shop',
            ports: [
              { name: 'http', port: 8080, protocol: 'http', protocolOk: true },
              {
                name: 'db',
                port: 5432,
                protocol: 'unknown',
                protocolOk: false,
              },
              { port: 9000, protocol: 'unknown', protocolOk: false },
            ],
            selector: { app: 'backend' },
          },
        ],
      }),
    );
    await renderWithMesh(<SidecarStatusCard />, { api });
    const dialog = await openDialog('Onboard');
    const group = within(dialog).getByRole('group', { name: 'Port protocols' });
    expect(within(group).getAllByRole('combobox')).toHaveLength(2);
    const db = within(group).getByRole('combobox', {
      name: 'backend port 5432',
    });
    // Unknown stays a question: nothing is declared until the user answers.
    expect(db).toHaveValue('');
    expect(
      within(db)
        .getAllByRole('option')
        .map(o => o.textContent),
    ).toEqual(['Leave to Istio (sniffing)', ...DECLARED_PORT_PROTOCOLS]);
    await userEvent.selectOptions(db, 'tcp');
    expect(await previewRequest(dialog, api, 1)).toEqual({
      action: 'onboard',
      scope: 'namespace',
      cluster: 'local',
      portProtocols: [{ service: 'backend', port: 5432, protocol: 'tcp' }],
    });

    // Back to sniffing: the answer is gone from the request.
    await userEvent.selectOptions(db, '');
    expect(await previewRequest(dialog, api, 2)).not.toHaveProperty(
      'portProtocols',
    );
  });

  it('shows no protocol question when every port is classified', async () => {
    await renderWithMesh(<SidecarStatusCard />);
    const dialog = await openDialog('Onboard');
    expect(
      within(dialog).queryByRole('group', { name: 'Port protocols' }),
    ).not.toBeInTheDocument();
  });
});

describe('ExposeDialog', () => {
  it('sends the expose request and shows the plan, then applies', async () => {
    const { api } = await renderWithMesh(<SidecarStatusCard />);
    const dialog = await openDialog('Expose through ingress');
    expect(
      within(dialog).getByRole('button', { name: 'Preview' }),
    ).toBeDisabled();
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /^Host/ }),
      'backend.example.com',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Preview' }),
    );
    expect(
      await within(dialog).findByText(
        'Expose backend on backend.example.com through backend-gateway',
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('region', { name: 'Plan' }),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText('Gateway shop/backend-gateway'),
    ).toBeInTheDocument();
    expect(api.requests[0]).toEqual({
      kind: 'plan',
      request: {
        action: 'expose',
        hosts: ['backend.example.com'],
        service: 'backend',
        cluster: 'local',
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
    expect(within(dialog).getByRole('button', { name: 'Close' })).toBeEnabled();
  });

  it('offers Service and Port choices when there are several', async () => {
    const api = new FakeMeshApi();
    const base = okCluster();
    api.status = statusOf(
      okCluster({
        services: [
          ...base.services,
          {
            name: 'backend-admin',
            namespace: 'shop',
            selector: { app: 'backend' },
            ports: [
              { name: 'http', port: 8080, protocol: 'http', protocolOk: true },
              { name: 'grpc', port: 9090, protocol: 'grpc', protocolOk: true },
            ],
          },
        ],
      }),
    );
    await renderWithMesh(<SidecarStatusCard />, { api });
    const dialog = await openDialog('Expose through ingress');
    expect(
      within(dialog).queryByRole('combobox', { name: 'Port' }),
    ).not.toBeInTheDocument();
    await userEvent.selectOptions(
      within(dialog).getByRole('combobox', { name: 'Service' }),
      'backend-admin',
    );
    await userEvent.selectOptions(
      within(dialog).getByRole('combobox', { name: 'Port' }),
      '9090',
    );
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /^Host/ }),
      'admin.example.com',
    );
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: 'Gateway name' }),
      'public-gateway',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Preview' }),
    );
    await waitFor(() => expect(api.requests).toHaveLength(1));
    expect(api.requests[0].request).toEqual({
      action: 'expose',
      hosts: ['admin.example.com'],
      service: 'backend-admin',
      port: 9090,
      gateway: 'public-gateway',
      cluster: 'local',
    });
  });

  it('disables Preview with a message for an invalid host', async () => {
    const { api } = await renderWithMesh(<SidecarStatusCard />);
    const dialog = await openDialog('Expose through ingress');
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /^Host/ }),
      'Backend_example..com',
    );
    expect(within(dialog).getByText(HOST_INVALID_MESSAGE)).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Preview' }),
    ).toBeDisabled();
    expect(
      within(dialog).getByRole('button', { name: 'Apply' }),
    ).toBeDisabled();
    expect(api.requests).toHaveLength(0);
  });

  it('disables Apply with the reason when the permission is denied', async () => {
    await renderWithMesh(<SidecarStatusCard />, { allowed: false });
    const dialog = await openDialog('Expose through ingress');
    await userEvent.type(
      within(dialog).getByRole('textbox', { name: /^Host/ }),
      'backend.example.com',
    );
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

  it('shows the gateways the entity is already exposed through', async () => {
    const api = new FakeMeshApi();
    const base = okCluster();
    api.status = statusOf(
      okCluster({
        trafficSplits: [
          {
            ...base.trafficSplits[0],
            gateways: ['mesh', 'istio-system/public-gateway'],
          },
        ],
      }),
    );
    await renderWithMesh(<SidecarStatusCard />, { api });
    expect(
      await screen.findByText(
        'Exposed through gateway istio-system/public-gateway',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByText('Exposed through gateway mesh'),
    ).not.toBeInTheDocument();
  });
});
