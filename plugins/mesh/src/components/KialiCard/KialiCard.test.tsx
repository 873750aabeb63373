import { screen } from '@testing-library/react';
import { KialiCard } from './KialiCard';
import { renderWithMesh } from '../../__testUtils__/renderWithMesh';
import {
  brokenCluster,
  FakeMeshApi,
  okCluster,
  statusOf,
} from '../../__testUtils__/fixtures';

describe('KialiCard', () => {
  it('links into Kiali', async () => {
    await renderWithMesh(<KialiCard />);
    expect(
      await screen.findByRole('link', { name: /Traffic graph/ }),
    ).toHaveAttribute(
      'href',
      'https://kiali.example.com/kiali/console/graph/namespaces?namespaces=shop&graphType=versionedApp',
    );
    expect(
      screen.getByRole('link', { name: /Workload backend-v1/ }),
    ).toBeInTheDocument();
  });

  it('says how to configure Kiali when the cluster has no URL', async () => {
    const api = new FakeMeshApi();
    api.status = statusOf(okCluster({ kiali: undefined }), brokenCluster);
    await renderWithMesh(<KialiCard />, { api });
    expect(
      await screen.findByText(/Kiali is not configured for cluster local/),
    ).toBeInTheDocument();
    expect(screen.getByText(/kialiUrl/)).toBeInTheDocument();
    expect(
      screen.getByText(/Cluster prod-eu-1 could not be read/),
    ).toBeInTheDocument();
  });
});
