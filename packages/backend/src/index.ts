import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// auth: guest sign-in in the embedded setup (see app-config.yaml)
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// scaffolder, with the mesh actions
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@mesh-portal/backstage-plugin-scaffolder-backend-module-mesh'),
);

// permissions: owners apply, admins everything, everyone else reads
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./permissionPolicy'));

// search over the catalog
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

// kubernetes and the mesh plugin
backend.add(import('@backstage/plugin-kubernetes-backend'));
backend.add(import('@mesh-portal/backstage-plugin-mesh-backend'));

// MCP: the actions of backend.actions.pluginSources (the mesh actions) as tools for assistants,
// at /api/mcp-actions/v1; callers authenticate as for any route (see the mesh-backend README)
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.add(import('@backstage/plugin-user-settings-backend'));
// signals: live updates for the app's storage and user settings
backend.add(import('@backstage/plugin-signals-backend'));

backend.start();
