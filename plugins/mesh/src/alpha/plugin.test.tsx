import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { screen } from '@testing-library/react';
import meshPlugin from './index';
import { entityMeshContent } from './entityContent';
import { entityMeshSummaryCard } from './entityCards';
import { meshOverviewPage } from './page';
import { meshApiRef } from '../api';
import { FakeMeshApi } from '../__testUtils__/fixtures';

const annotated = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'checkout' },
  },
  spec: {},
};

describe('mesh alpha plugin', () => {
  it('is the default export with id mesh', () => {
    expect(meshPlugin.pluginId).toBe('mesh');
  });

  it('mounts a Mesh tab at /mesh', () => {
    const tester = createExtensionTester(entityMeshContent);
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Mesh');
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    expect(filter?.(annotated)).toBe(true);
    expect(
      filter?.({
        ...annotated,
        metadata: {
          name: 'x',
          annotations: { 'backstage.io/kubernetes-label-selector': 'app=x' },
        },
      }),
    ).toBe(true);
    expect(filter?.({ ...annotated, metadata: { name: 'plain' } })).toBe(false);
  });

  it('renders the tab content', async () => {
    const tester = createExtensionTester(entityMeshContent);
    await renderInTestApp(
      <EntityProvider entity={annotated}>
        {tester.reactElement()}
      </EntityProvider>,
      { apis: [[meshApiRef, new FakeMeshApi()]] },
    );
    expect(await screen.findByText('backend-v1-abc')).toBeInTheDocument();
  });
});

describe('mesh alpha extensions', () => {
  it('renders the summary card as an info card', async () => {
    const tester = createExtensionTester(entityMeshSummaryCard);
    expect(tester.get(EntityCardBlueprint.dataRefs.type)).toBe('info');
    await renderInTestApp(
      <EntityProvider entity={annotated}>
        {tester.reactElement()}
      </EntityProvider>,
      {
        apis: [[meshApiRef, new FakeMeshApi()]],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      },
    );
    expect(await screen.findByText('1/2 pods meshed')).toBeInTheDocument();
  });

  it('renders the overview page', async () => {
    const api = new FakeMeshApi();
    const tester = createExtensionTester(meshOverviewPage);
    await renderInTestApp(tester.reactElement(), {
      apis: [[meshApiRef, api]],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
    });
    expect(
      await screen.findByText('No entity is in a cluster yet'),
    ).toBeInTheDocument();
  });
});
