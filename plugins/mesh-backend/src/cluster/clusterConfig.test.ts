import { ConfigReader } from '@backstage/config';
import { readClusterConfigs } from './clusterConfig';

describe('readClusterConfigs', () => {
  it('joins the ingress gateway settings of mesh.clusters.<name>', () => {
    const config = new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          { type: 'config', clusters: [{ name: 'prod-eu', url: 'https://k8s.example.com' }, { name: 'dev', url: 'https://dev.example.com' }] },
        ],
      },
      mesh: {
        clusters: {
          'prod-eu': { ingressGatewaySelector: { istio: 'ingress' }, ingressGatewayNamespace: 'istio-ingress' },
        },
      },
    });
    const [prod, dev] = readClusterConfigs(config);
    expect(prod).toMatchObject({
      name: 'prod-eu',
      ingressGatewaySelector: { istio: 'ingress' },
      ingressGatewayNamespace: 'istio-ingress',
    });
    expect(dev.ingressGatewaySelector).toBeUndefined();
  });

  it('refuses a selector value that is not a string', () => {
    const config = new ConfigReader({
      kubernetes: { clusterLocatorMethods: [{ type: 'config', clusters: [{ name: 'c', url: 'https://c' }] }] },
      mesh: { clusters: { c: { ingressGatewaySelector: { istio: 3 } } } },
    });
    expect(() => readClusterConfigs(config)).toThrow(/ingressGatewaySelector/);
  });
});
