import { screen } from '@testing-library/react';
import { EntityMeshContent } from './EntityMeshContent';
import { renderWithMesh } from '../../__testUtils__/renderWithMesh';
import { FakeMeshApi, plainEntity } from '../../__testUtils__/fixtures';

describe('EntityMeshContent', () => {
  it('renders every card from one status request', async () => {
    const api = new FakeMeshApi();
    const getStatus = jest.spyOn(api, 'getStatus');
    await renderWithMesh(<EntityMeshContent />, { api });
    expect(await screen.findByText('backend-v1-abc')).toBeInTheDocument();
    for (const title of [
      'Sidecars',
      'Traffic split',
      'mTLS',
      'Access',
      'Findings',
      'Kiali',
      'Change history',
    ]) {
      expect(screen.getByText(title)).toBeInTheDocument();
    }
    expect(getStatus).toHaveBeenCalledTimes(1);
  });

  it('names the annotation to add when the entity has none', async () => {
    await renderWithMesh(<EntityMeshContent />, { entity: plainEntity });
    expect(
      screen.getAllByText(/backstage.io\/kubernetes-id/).length,
    ).toBeGreaterThan(0);
  });
});
