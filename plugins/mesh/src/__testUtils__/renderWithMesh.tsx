import { ReactElement } from 'react';
import type { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { meshApiRef } from '../api';
import {
  allowAllPermissions,
  backendEntity,
  denyAllPermissions,
  deniedEntity,
  FakeMeshApi,
} from './fixtures';

/** Renders an entity-scoped mesh component in a test app with a fake API. */
export async function renderWithMesh(
  element: ReactElement,
  options: { api?: FakeMeshApi; entity?: Entity; allowed?: boolean } = {},
) {
  const api = options.api ?? new FakeMeshApi();
  const result = await renderInTestApp(
    <TestApiProvider
      apis={[
        [meshApiRef, api],
        [
          permissionApiRef,
          options.allowed === false ? denyAllPermissions : allowAllPermissions,
        ],
      ]}
    >
      <EntityProvider
        entity={
          options.entity ??
          // usePermission caches answers (SWR) per entity ref across tests:
          // a denied render needs its own ref.
          (options.allowed === false ? deniedEntity : backendEntity)
        }
      >
        {element}
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
  return { api, ...result };
}
