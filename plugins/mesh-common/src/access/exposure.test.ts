import {
  frontendGateway,
  frontendService,
  frontendVirtualService,
} from '../__fixtures__/handbook';
import { shopPod } from '../__fixtures__/shop';
import { gatewayPrincipals, serviceExposures } from './exposure';

describe('exposure through Gateways', () => {
  it('finds the Gateway a VirtualService binds to the Service', () => {
    expect(serviceExposures(frontendService, [frontendVirtualService])).toEqual(
      [
        {
          gateway: { name: 'frontend-gateway', namespace: 'prod' },
          virtualService: 'frontend',
        },
      ],
    );
  });

  it('ignores mesh-only routes and routes to other Services', () => {
    const meshOnly = {
      ...frontendVirtualService,
      spec: { ...frontendVirtualService.spec, gateways: ['mesh'] },
    };
    const elsewhere = {
      ...frontendVirtualService,
      spec: {
        ...frontendVirtualService.spec,
        gateways: ['istio-system/public'],
        http: [{ route: [{ destination: { host: 'backend' } }] }],
      },
    };
    expect(serviceExposures(frontendService, [meshOnly, elsewhere])).toEqual(
      [],
    );
  });

  it('names the gateway proxies by their service accounts, in any namespace', () => {
    const gatewayPods = [
      {
        ...shopPod('istio-ingressgateway', {
          namespace: 'istio-system',
          serviceAccount: 'istio-ingressgateway',
        }),
      },
      shopPod('checkout'),
    ];
    gatewayPods[0].metadata!.labels = {
      istio: 'ingressgateway',
      app: 'istio-ingressgateway',
    };
    expect(
      gatewayPrincipals(frontendGateway, gatewayPods, 'cluster.local'),
    ).toEqual(['cluster.local/ns/istio-system/sa/istio-ingressgateway']);
    expect(
      gatewayPrincipals(
        { ...frontendGateway, spec: { servers: [] } },
        gatewayPods,
        'cluster.local',
      ),
    ).toEqual([]);
  });
});
