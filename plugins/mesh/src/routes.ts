import { createRouteRef } from '@backstage/core-plugin-api';

/** Route of the legacy overview page. */
export const rootRouteRef = createRouteRef({ id: 'mesh' });

/** Route of the legacy entity Mesh tab. */
export const entityContentRouteRef = createRouteRef({
  id: 'mesh:entity-content',
});
