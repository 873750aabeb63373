import {
  backendService,
  frontendGateway,
  frontendService,
  gatewayPod,
} from '../__fixtures__/handbook';
import type { KubePod, KubeService } from '../kube/types';
import { ingressGatewayCandidates } from '../status/ingressGateway';
import { planExpose } from './planExpose';

describe('planExpose', () => {
  it('creates a Gateway selecting the gateway found in the cluster and a VirtualService bound to it', () => {
    const plan = planExpose({
      service: frontendService,
      hosts: ['shop.example.com'],
      entityRef: 'component:default/frontend',
      ingressGateways: {
        cluster: 'local',
        candidates: ingressGatewayCandidates([gatewayPod()]),
      },
    });
    expect(plan.findings).toEqual([]);
    expect(plan.objects.map(o => o.object)).toEqual([
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'Gateway',
        metadata: {
          name: 'frontend-gateway',
          namespace: 'prod',
          labels: { 'app.kubernetes.io/managed-by': 'mesh-portal' },
          annotations: {
            'mesh-portal.io/entity-ref': 'component:default/frontend',
          },
        },
        spec: {
          selector: { istio: 'ingressgateway' },
          servers: [
            {
              port: { number: 80, name: 'http', protocol: 'HTTP' },
              hosts: ['shop.example.com'],
            },
          ],
        },
      },
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: {
          name: 'frontend-ingress',
          namespace: 'prod',
          labels: { 'app.kubernetes.io/managed-by': 'mesh-portal' },
          annotations: {
            'mesh-portal.io/entity-ref': 'component:default/frontend',
          },
        },
        spec: {
          hosts: ['shop.example.com'],
          gateways: ['frontend-gateway'],
          http: [
            {
              route: [
                { destination: { host: 'frontend', port: { number: 80 } } },
              ],
            },
          ],
        },
      },
    ]);
  });

  it('binds to an existing Gateway (cross-namespace reference) and checks it serves the hosts', () => {
    const shared = {
      ...frontendGateway,
      metadata: { name: 'public', namespace: 'istio-system' },
      spec: {
        ...frontendGateway.spec,
        servers: [{ hosts: ['*.example.com'] }],
      },
    };
    const ok = planExpose({
      service: backendService,
      hosts: ['api.example.com'],
      existingGateway: shared,
    });
    expect(ok.objects.map(o => o.kind)).toEqual(['VirtualService']);
    expect(ok.objects[0].object).toMatchObject({
      spec: { gateways: ['istio-system/public'] },
    });
    const bad = planExpose({
      service: backendService,
      hosts: ['api.example.org'],
      existingGateway: shared,
    });
    expect(bad.findings).toEqual([
      expect.objectContaining({ code: 'IST0132', blocking: true }),
    ]);
  });

  it('needs a port on a multi-port service and rejects a port the service lacks', () => {
    const multi: KubeService = {
      ...backendService,
      spec: { ...backendService.spec, ports: [{ port: 80 }, { port: 9090 }] },
    };
    expect(
      planExpose({ service: multi, hosts: ['a.example.com'] }).findings[0],
    ).toMatchObject({ code: 'IST0112', blocking: true });
    expect(
      planExpose({ service: multi, hosts: ['a.example.com'], port: 8080 })
        .findings[0],
    ).toMatchObject({ code: 'MESH-011', blocking: true });
    expect(
      planExpose({
        service: multi,
        hosts: ['a.example.com'],
        port: 9090,
        ingressSelector: { istio: 'ingress' },
      }).findings,
    ).toEqual([]);
  });

  describe('the ingress gateway a new Gateway selects', () => {
    const helmGateway = gatewayPod(
      { app: 'istio-ingress', istio: 'ingress' },
      'istio-ingress',
      'istio-ingress-7c9b8-abcde',
    );

    it('selects a Helm-installed gateway (istio: ingress), not istio: ingressgateway', () => {
      const plan = planExpose({
        service: frontendService,
        hosts: ['shop.example.com'],
        ingressGateways: {
          cluster: 'local',
          candidates: ingressGatewayCandidates([helmGateway]),
        },
      });
      expect(plan.findings).toEqual([]);
      expect(plan.objects[0].object).toMatchObject({
        kind: 'Gateway',
        spec: { selector: { istio: 'ingress' } },
      });
    });

    it('blocks and asks when the cluster runs no ingress gateway', () => {
      const plan = planExpose({
        service: frontendService,
        hosts: ['shop.example.com'],
        ingressGateways: { cluster: 'local', candidates: [] },
      });
      expect(plan.findings).toEqual([
        expect.objectContaining({ code: 'MESH-032', blocking: true }),
      ]);
      expect(
        (plan.objects[0].object.spec as Record<string, unknown>).selector,
      ).toBeUndefined();
      expect(
        planExpose({ service: frontendService, hosts: ['shop.example.com'] })
          .findings,
      ).toEqual([
        expect.objectContaining({ code: 'MESH-032', blocking: true }),
      ]);
    });

    it('refuses to bind to an existing Gateway whose selector matches no pod (IST0101)', () => {
      const bind = (gatewayPods: KubePod[]) =>
        planExpose({
          service: frontendService,
          hosts: ['shop.example.com'],
          existingGateway: frontendGateway,
          gatewayPods,
        }).findings;
      expect(bind([])).toEqual([
        expect.objectContaining({
          code: 'IST0101',
          blocking: true,
          resource: {
            kind: 'Gateway',
            name: 'frontend-gateway',
            namespace: 'prod',
          },
          message: expect.stringContaining(
            'Referenced selector not found: "istio=ingressgateway"',
          ),
        }),
      ]);
      expect(bind([gatewayPod()])).toEqual([]);
    });
  });
});
