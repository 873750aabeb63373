import { screen } from '@testing-library/react';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { MeshOverviewPage } from './MeshOverviewPage';
import { meshApiRef } from '../../api';
import { FakeMeshApi } from '../../__testUtils__/fixtures';

const routes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

describe('MeshOverviewPage', () => {
  it('lists entities with links to their Mesh tab', async () => {
    const api = new FakeMeshApi();
    api.overview = {
      rows: [
        {
          entityRef: 'component:default/backend',
          cluster: 'local',
          namespace: 'shop',
          pods: 4,
          meshedPods: 3,
          mtlsMode: 'PERMISSIVE',
          canaryInProgress: true,
          findings: { error: 1, warning: 2, info: 0 },
        },
      ],
    };
    await renderInTestApp(
      <TestApiProvider apis={[[meshApiRef, api]]}>
        <MeshOverviewPage />
      </TestApiProvider>,
      { mountedRoutes: routes },
    );
    expect(
      await screen.findByRole('link', { name: 'backend' }),
    ).toHaveAttribute('href', '/catalog/default/component/backend/mesh');
    expect(screen.getByText('3/4')).toBeInTheDocument();
    expect(screen.getByText('PERMISSIVE')).toBeInTheDocument();
    expect(screen.getByText('Yes')).toBeInTheDocument();
    expect(screen.getByText('3')).toBeInTheDocument();
    expect(screen.getByPlaceholderText('Filter')).toBeInTheDocument();
  });

  it('names the annotations when no entity is in a cluster', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[meshApiRef, new FakeMeshApi()]]}>
        <MeshOverviewPage />
      </TestApiProvider>,
      { mountedRoutes: routes },
    );
    expect(
      await screen.findByText('No entity is in a cluster yet'),
    ).toBeInTheDocument();
  });
});
