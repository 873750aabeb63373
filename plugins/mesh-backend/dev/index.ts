import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';

// Standalone development backend for the mesh plugin: `yarn start` in this package, with the
// local mesh up and its cluster config passed in (see the repository README), e.g.
//   yarn start --config ../../app-config.yaml --config ../../.local-mesh/app-config.cluster.yaml
// then:
//   curl http://localhost:7007/api/mesh/entities/default/component/backend/status
//   curl http://localhost:7007/api/mesh/entities/default/component/backend/plans \
//     -H 'Content-Type: application/json' -d '{"action":"canary","preset":"90/10"}'
// Auth is mocked (every request acts as a user) and permissions allow everything.

const backend = createBackend();

backend.add(mockServices.auth.factory());
backend.add(mockServices.httpAuth.factory());
backend.add(mockServices.permissions.factory());

// The handbook's backend, as the catalog in catalog/hello.yaml describes it.
backend.add(
  catalogServiceMock.factory({
    entities: [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'backend',
          namespace: 'default',
          annotations: {
            'backstage.io/kubernetes-id': 'backend',
            'backstage.io/kubernetes-namespace': 'prod',
            'backstage.io/kubernetes-label-selector': 'app=backend',
          },
        },
        spec: { type: 'service', lifecycle: 'production', owner: 'group:default/platform-team' },
      },
    ],
  }),
);

backend.add(import('../src'));

backend.start();
