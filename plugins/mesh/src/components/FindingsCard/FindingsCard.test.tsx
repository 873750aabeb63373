import { screen } from '@testing-library/react';
import { FindingsCard } from './FindingsCard';
import { renderWithMesh } from '../../__testUtils__/renderWithMesh';
import {
  brokenCluster,
  FakeMeshApi,
  okCluster,
  statusOf,
} from '../../__testUtils__/fixtures';

describe('FindingsCard', () => {
  it('lists findings with severity, message and fix hint', async () => {
    await renderWithMesh(<FindingsCard />);
    expect(
      await screen.findByText('Pod backend-v2-def has no sidecar'),
    ).toBeInTheDocument();
    expect(screen.getByText('Warning')).toBeInTheDocument();
    expect(screen.getByText('IST0103')).toBeInTheDocument();
    expect(
      screen.getByText(
        'Restart the Deployment backend-v2 after labelling the namespace',
      ),
    ).toBeInTheDocument();
  });

  it('says when there is nothing to fix, beside a failed cluster', async () => {
    const api = new FakeMeshApi();
    api.status = statusOf(okCluster({ findings: [] }), brokenCluster);
    await renderWithMesh(<FindingsCard />, { api });
    expect(await screen.findByText(/No findings/)).toBeInTheDocument();
    expect(
      screen.getByText(/Cluster prod-eu-1 could not be read/),
    ).toBeInTheDocument();
  });

  it('shows the error when the status cannot be loaded', async () => {
    const api = new FakeMeshApi();
    api.getStatus = async () => {
      throw new Error('mesh backend down');
    };
    await renderWithMesh(<FindingsCard />, { api });
    expect(
      (await screen.findAllByText(/mesh backend down/)).length,
    ).toBeGreaterThan(0);
  });
});
