import { screen } from '@testing-library/react';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { entityContentRouteRef, rootRouteRef } from './routes';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { getComponentData } from '@backstage/core-plugin-api';
import {
  EntityMeshContent,
  EntityMeshSummaryCard,
  EntityTrafficSplitCard,
  isMeshAvailable,
  meshApiRef,
  meshPlugin,
  MeshOverviewPage,
} from './index';
import {
  allowAllPermissions,
  backendEntity,
  FakeMeshApi,
  plainEntity,
} from './__testUtils__/fixtures';

const render = (element: JSX.Element) =>
  renderInTestApp(
    <TestApiProvider
      apis={[
        [meshApiRef, new FakeMeshApi()],
        [permissionApiRef, allowAllPermissions],
      ]}
    >
      <EntityProvider entity={backendEntity}>{element}</EntityProvider>
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );

describe('legacy exports', () => {
  it('exports the plugin with the api factory', () => {
    expect(meshPlugin.getId()).toBe('mesh');
    expect([...meshPlugin.getApis()].map(f => f.api.id)).toEqual([
      'plugin.mesh.service',
    ]);
  });

  it('re-exports isMeshAvailable', () => {
    expect(isMeshAvailable(backendEntity)).toBe(true);
    expect(isMeshAvailable(plainEntity)).toBe(false);
  });

  it('exports routable extensions mounted on the plugin routes', () => {
    // Rendering them needs an app's route tree (<FlatRoutes>); the components
    // themselves are rendered in their own tests.
    expect(getComponentData(<EntityMeshContent />, 'core.mountPoint')).toBe(
      entityContentRouteRef,
    );
    expect(getComponentData(<MeshOverviewPage />, 'core.mountPoint')).toBe(
      rootRouteRef,
    );
  });

  it('renders the cards on their own', async () => {
    await render(
      <>
        <EntityMeshSummaryCard />
        <EntityTrafficSplitCard />
      </>,
    );
    expect(await screen.findByText('1/2 pods meshed')).toBeInTheDocument();
    expect(await screen.findByLabelText('Weight for v2')).toBeInTheDocument();
  });
});
