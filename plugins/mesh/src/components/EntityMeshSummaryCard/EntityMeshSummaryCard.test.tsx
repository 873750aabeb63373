import { screen } from '@testing-library/react';
import { EntityMeshSummaryCard } from './EntityMeshSummaryCard';
import { renderWithMesh } from '../../__testUtils__/renderWithMesh';
import {
  brokenCluster,
  FakeMeshApi,
  okCluster,
  statusOf,
} from '../../__testUtils__/fixtures';

describe('EntityMeshSummaryCard', () => {
  it('summarises sidecars, mTLS, traffic and findings', async () => {
    const api = new FakeMeshApi();
    api.status = statusOf(okCluster(), brokenCluster);
    await renderWithMesh(<EntityMeshSummaryCard />, { api });
    expect(await screen.findByText('1/2 pods meshed')).toBeInTheDocument();
    expect(screen.getByText('PERMISSIVE')).toBeInTheDocument();
    expect(
      screen.getByText('backend: v1 90% / v2 10% (canary)'),
    ).toBeInTheDocument();
    expect(screen.getByText('0 errors, 1 warning')).toBeInTheDocument();
    expect(
      screen.getByText(/Cluster prod-eu-1 could not be read/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /Open the Mesh tab/ }),
    ).toHaveAttribute('href', '/catalog/default/component/backend/mesh');
  });
});
