import {
  backendService,
  frontendGateway,
  frontendService,
} from '../__fixtures__/handbook';
import type { KubeService } from '../kube/types';
import { planExpose } from './planExpose';

describe('planExpose', () => {
  it('creates a Gateway and a VirtualService bound to it', () => {
    const plan = planExpose({
      service: frontendService,
      hosts: ['shop.example.com'],
      entityRef: 'component:default/frontend',
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
      planExpose({ service: multi, hosts: ['a.example.com'], port: 9090 })
        .findings,
    ).toEqual([]);
  });
});
