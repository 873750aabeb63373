import { gatewayPod } from '../__fixtures__/handbook';
import type { KubePod, KubeWorkload } from '../kube/types';
import {
  chooseIngressGatewaySelector,
  hasRouterProxy,
  ingressGatewayCandidates,
} from './ingressGateway';

const helmGateway = gatewayPod(
  { app: 'istio-ingress', istio: 'ingress' },
  'istio-ingress',
  'istio-ingress-7c9b8-abcde',
);

describe('ingress gateways in the cluster', () => {
  it('knows a gateway by its router proxy, not by its labels alone', () => {
    expect(hasRouterProxy(gatewayPod().spec!)).toBe(true);
    const sidecar: KubePod = {
      ...gatewayPod(),
      spec: {
        containers: [
          { name: 'app', image: 'app:1' },
          { name: 'istio-proxy', args: ['proxy', 'sidecar', '--domain', 'x'] },
        ],
      },
    };
    expect(hasRouterProxy(sidecar.spec!)).toBe(false);
    // A pod labelled istio=ingress that runs an app with a sidecar is no gateway.
    expect(ingressGatewayCandidates([sidecar])).toEqual([]);
  });

  it('takes the selector from the labels: istio (Helm: ingress) or istio.io/gateway-name', () => {
    const managed = gatewayPod(
      {
        'istio.io/gateway-name': 'public',
        'gateway.networking.k8s.io/gateway-name': 'public',
      },
      'web',
      'public-istio-6b9c-xyz',
    );
    expect(
      ingressGatewayCandidates([helmGateway, managed, gatewayPod()]),
    ).toEqual([
      {
        namespace: 'istio-ingress',
        selector: { istio: 'ingress' },
        names: ['istio-ingress-7c9b8-abcde'],
      },
      {
        namespace: 'web',
        selector: { 'istio.io/gateway-name': 'public' },
        names: ['public-istio-6b9c-xyz'],
      },
      {
        namespace: 'istio-system',
        selector: { istio: 'ingressgateway' },
        names: ['istio-ingressgateway-5d9f7-x2x7q'],
      },
    ]);
  });

  it('counts a gateway Deployment without running pods by its gateway injection template', () => {
    const scaledDown: KubeWorkload = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'istio-ingress', namespace: 'istio-ingress' },
      spec: {
        replicas: 0,
        template: {
          metadata: {
            labels: { app: 'istio-ingress', istio: 'ingress' },
            annotations: { 'inject.istio.io/templates': 'gateway' },
          },
          spec: { containers: [{ name: 'istio-proxy', image: 'auto' }] },
        },
      },
    };
    expect(ingressGatewayCandidates([], [scaledDown])).toEqual([
      {
        namespace: 'istio-ingress',
        selector: { istio: 'ingress' },
        names: ['istio-ingress'],
      },
    ]);
    // With its pods running, the pods speak for it.
    expect(ingressGatewayCandidates([helmGateway], [scaledDown])).toEqual([
      {
        namespace: 'istio-ingress',
        selector: { istio: 'ingress' },
        names: ['istio-ingress-7c9b8-abcde'],
      },
    ]);
  });
});

describe('chooseIngressGatewaySelector', () => {
  const helm = ingressGatewayCandidates([helmGateway]);
  const both = ingressGatewayCandidates([helmGateway, gatewayPod()]);

  it('uses the one gateway found: a Helm install is istio=ingress, not the istioctl default', () => {
    expect(
      chooseIngressGatewaySelector({ cluster: 'prod-eu', candidates: helm }),
    ).toEqual({
      selector: { istio: 'ingress' },
      findings: [],
    });
  });

  it('asks the user when no gateway runs, naming the config key; never a default', () => {
    const choice = chooseIngressGatewaySelector({
      cluster: 'prod-eu',
      candidates: [],
    });
    expect(choice.selector).toBeUndefined();
    expect(choice.findings).toEqual([
      expect.objectContaining({
        code: 'MESH-032',
        severity: 'error',
        blocking: true,
        hint: expect.stringContaining(
          'mesh.clusters.prod-eu.ingressGatewaySelector',
        ),
      }),
    ]);
  });

  it('prefers the gateway of the preferred namespace among several and says which', () => {
    const inSystem = chooseIngressGatewaySelector({
      cluster: 'c',
      candidates: both,
    });
    expect(inSystem.selector).toEqual({ istio: 'ingressgateway' });
    expect(inSystem.findings).toEqual([
      expect.objectContaining({
        code: 'MESH-032',
        severity: 'info',
        blocking: false,
        message: expect.stringContaining(
          'the Gateway selects istio=ingressgateway (istio-system: istio-ingressgateway-5d9f7-x2x7q), the one in istio-system. Others: istio=ingress (istio-ingress',
        ),
      }),
    ]);
    expect(
      chooseIngressGatewaySelector({
        cluster: 'c',
        candidates: both,
        preferredNamespace: 'istio-ingress',
      }).selector,
    ).toEqual({ istio: 'ingress' });
    const elsewhere = chooseIngressGatewaySelector({
      cluster: 'c',
      candidates: both,
      preferredNamespace: 'gateways',
    });
    expect(elsewhere.selector).toBeUndefined();
    expect(elsewhere.findings).toEqual([
      expect.objectContaining({ code: 'MESH-032', blocking: true }),
    ]);
  });

  it('takes the configured selector as given', () => {
    expect(
      chooseIngressGatewaySelector({
        cluster: 'c',
        candidates: both,
        configured: { istio: 'edge' },
      }),
    ).toEqual({ selector: { istio: 'edge' }, findings: [] });
  });
});
