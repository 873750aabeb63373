import { kialiLinks, splitApiVersion } from './kiali';

describe('kialiLinks', () => {
  const input = {
    namespace: 'prod',
    app: 'backend',
    workloads: ['backend-v1'],
    services: ['backend'],
    config: [
      {
        kind: 'VirtualService',
        name: 'backend',
        ...splitApiVersion('networking.istio.io/v1'),
      },
    ],
  };

  it('builds console links under the web root', () => {
    expect(
      kialiLinks({ ...input, baseUrl: 'https://mesh.example.com/kiali/' }),
    ).toEqual({
      graph:
        'https://mesh.example.com/kiali/console/graph/namespaces?namespaces=prod&graphType=versionedApp',
      app: 'https://mesh.example.com/kiali/console/namespaces/prod/applications/backend',
      workloads: [
        {
          name: 'backend-v1',
          url: 'https://mesh.example.com/kiali/console/namespaces/prod/workloads/backend-v1',
        },
      ],
      services: [
        {
          name: 'backend',
          url: 'https://mesh.example.com/kiali/console/namespaces/prod/services/backend',
        },
      ],
      config: [
        {
          kind: 'VirtualService',
          name: 'backend',
          url: 'https://mesh.example.com/kiali/console/namespaces/prod/istio/networking.istio.io/v1/VirtualService/backend',
        },
      ],
    });
  });

  it('treats a base URL with or without trailing slash or /console alike', () => {
    const a = kialiLinks({ ...input, baseUrl: 'http://localhost:20001' });
    const b = kialiLinks({ ...input, baseUrl: 'http://localhost:20001/' });
    const c = kialiLinks({
      ...input,
      baseUrl: 'http://localhost:20001/console/',
    });
    expect(a.app).toBe(
      'http://localhost:20001/console/namespaces/prod/applications/backend',
    );
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('adds clusterName and graph options when given', () => {
    const links = kialiLinks({
      ...input,
      baseUrl: 'https://k.example.com',
      clusterName: 'east 1',
      graphType: 'workload',
      durationSeconds: 600,
    });
    expect(links.graph).toBe(
      'https://k.example.com/console/graph/namespaces?namespaces=prod&graphType=workload&duration=600&clusterName=east%201',
    );
    expect(links.services[0].url).toBe(
      'https://k.example.com/console/namespaces/prod/services/backend?clusterName=east%201',
    );
  });
});
