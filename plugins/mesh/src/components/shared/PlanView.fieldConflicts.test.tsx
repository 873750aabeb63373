import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { MeshPlan } from '@mesh-portal/backstage-plugin-mesh-common';
import { SidecarStatusCard } from '../SidecarStatusCard';
import { renderWithMesh } from '../../__testUtils__/renderWithMesh';
import { FakeMeshApi, onboardPlan } from '../../__testUtils__/fixtures';

const resource = { kind: 'Service', name: 'backend', namespace: 'shop' };

async function previewOnboarding(plan: MeshPlan) {
  const api = new FakeMeshApi();
  api.plans.onboard = plan;
  await renderWithMesh(<SidecarStatusCard />, { api });
  await userEvent.click(await screen.findByRole('button', { name: 'Onboard' }));
  const dialog = await screen.findByRole('dialog');
  await userEvent.click(
    within(dialog).getByRole('button', { name: 'Preview' }),
  );
  await within(dialog).findByText(plan.summary);
  return { api, dialog };
}

describe('PlanView: fields other field managers own', () => {
  it('shows a take-over of kubectl fields and applies only once confirmed, with takeOver', async () => {
    const { api, dialog } = await previewOnboarding({
      ...onboardPlan,
      fieldConflicts: [
        {
          resource,
          manager: 'kubectl-edit',
          owner: { kind: 'person', tool: 'kubectl' },
          fields: ['.spec.ports'],
          resolution: 'take-over',
        },
      ],
    });
    const panel = within(dialog).getByRole('region', { name: 'Take-over' });
    expect(
      within(panel).getByText('Service shop/backend: .spec.ports'),
    ).toBeInTheDocument();
    expect(
      within(panel).getByText(
        'applied by a person with kubectl (field manager "kubectl-edit")',
      ),
    ).toBeInTheDocument();
    const apply = within(dialog).getByRole('button', { name: 'Apply' });
    expect(apply).toBeDisabled();
    // The disabled Apply says why (its tooltip).
    expect(
      within(dialog).getByTitle(
        'Confirm the take-over of the fields applied with kubectl (above) to apply.',
      ),
    ).toContainElement(apply);

    await userEvent.click(
      within(panel).getByRole('checkbox', { name: /Take these fields over/ }),
    );
    // Re-read: without its reason Apply is no longer wrapped in a tooltip.
    const enabled = within(dialog).getByRole('button', { name: 'Apply' });
    expect(enabled).toBeEnabled();
    await userEvent.click(enabled);
    await waitFor(() => expect(api.applyOptions).toEqual([{ takeOver: true }]));
  });

  it('applies without takeOver when the plan takes nothing over', async () => {
    const { api, dialog } = await previewOnboarding(onboardPlan);
    expect(
      within(dialog).queryByRole('region', { name: 'Take-over' }),
    ).not.toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Apply' }),
    );
    await waitFor(() =>
      expect(api.applyOptions).toEqual([{ takeOver: false }]),
    );
  });

  it('names the controller and shows the YAML to commit instead; no React nesting warning', async () => {
    const errors = jest.spyOn(console, 'error');
    const { dialog } = await previewOnboarding({
      ...onboardPlan,
      blocked: true,
      findings: [
        {
          code: 'MESH-028',
          severity: 'error',
          message:
            'Service backend: .spec.ports are owned by Argo CD (field manager "argocd-controller").',
          hint: 'Commit the YAML of Service backend shown in the plan to the source Argo CD applies from.',
          blocking: true,
          resource,
        },
      ],
      fieldConflicts: [
        {
          resource,
          manager: 'argocd-controller',
          owner: { kind: 'controller', tool: 'Argo CD' },
          fields: ['.spec.ports'],
          resolution: 'commit',
          yaml: 'kind: Service\nmetadata:\n  name: backend\n',
        },
      ],
    });
    const commit = within(dialog).getByRole('region', {
      name: 'Commit instead',
    });
    expect(
      within(commit).getByText(
        'Service shop/backend: .spec.ports belong to Argo CD (field manager "argocd-controller"), which applies them again. Commit this YAML to its source:',
      ),
    ).toBeInTheDocument();
    expect(commit.textContent).toContain('metadata:\n  name: backend');
    expect(
      within(dialog).queryByRole('checkbox', {
        name: /Take these fields over/,
      }),
    ).not.toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Apply' }),
    ).toBeDisabled();
    expect(
      errors.mock.calls.filter(call =>
        String(call[0]).includes('validateDOMNesting'),
      ),
    ).toEqual([]);
    errors.mockRestore();
  });
});
