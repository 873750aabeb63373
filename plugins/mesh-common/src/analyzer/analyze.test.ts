import {
  backendCanaryVirtualService,
  backendDestinationRule,
  backendService,
  backendV1,
  backendV2,
  frontendDeployment,
  frontendGateway,
  frontendService,
  frontendVirtualService,
  gatewayPod,
  podOf,
  prodNamespace,
} from '../__fixtures__/handbook';
import type { Finding } from '../api/findings';
import type {
  IstioAuthorizationPolicy,
  IstioVirtualService,
  KubeService,
} from '../kube/types';
import { analyze } from './analyze';
import type { MeshBundle } from './bundle';

/** The handbook after section 3.1, fully injected, ports named: a clean mesh. */
function handbook(): MeshBundle {
  const named = (svc: KubeService): KubeService => ({
    ...svc,
    spec: {
      ...svc.spec,
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    },
  });
  return {
    namespaces: [structuredClone(prodNamespace)],
    services: [named(backendService), named(frontendService)],
    pods: [podOf(backendV1), podOf(backendV2), podOf(frontendDeployment)],
    virtualServices: [
      structuredClone(frontendVirtualService),
      structuredClone(backendCanaryVirtualService),
    ],
    destinationRules: [structuredClone(backendDestinationRule)],
    gateways: [structuredClone(frontendGateway)],
  };
}

const codes = (findings: Finding[]) => findings.map(f => f.code);
const only = (findings: Finding[], code: string) =>
  findings.filter(f => f.code === code);

describe('analyze', () => {
  it('finds nothing in the clean handbook mesh', () => {
    expect(analyze(handbook())).toEqual([]);
  });

  it('IST0101: subset missing from the DestinationRule (blocking)', () => {
    const bundle = handbook();
    bundle.destinationRules[0].spec!.subsets = [
      { name: 'v1', labels: { version: 'v1' } },
    ];
    expect(only(analyze(bundle), 'IST0101')).toEqual([
      expect.objectContaining({
        severity: 'error',
        blocking: true,
        resource: {
          kind: 'VirtualService',
          name: 'backend',
          namespace: 'prod',
        },
        message: expect.stringContaining('subset v2'),
      }),
    ]);
  });

  it('IST0101: destination host and gateway not found; unknown namespaces are not judged', () => {
    const bundle = handbook();
    bundle.virtualServices[0].spec!.gateways = ['frontend-gw'];
    bundle.virtualServices[0].spec!.http![0].route![0].destination.host =
      'frontnd';
    const external: IstioVirtualService = {
      metadata: { name: 'ext', namespace: 'prod' },
      spec: {
        hosts: ['ext'],
        gateways: ['istio-system/public'],
        http: [
          {
            route: [
              { destination: { host: 'api.github.com' } },
              { destination: { host: 'x.other-ns.svc.cluster.local' } },
            ],
          },
        ],
      },
    };
    bundle.virtualServices.push(external);
    const found = only(analyze(bundle), 'IST0101');
    expect(found.map(f => f.message)).toEqual([
      'VirtualService frontend routes to host frontnd, which matches no service.',
      'VirtualService frontend is bound to gateway frontend-gw, which does not exist.',
    ]);
  });

  it('IST0101: a Gateway whose selector matches no pod in the cluster (gateway analyzer)', () => {
    const bundle = handbook();
    // The handbook's Gateway selects istio=ingressgateway; a Helm install labels istio=ingress.
    bundle.gatewayPods = [
      gatewayPod({ istio: 'ingress' }, 'istio-ingress', 'istio-ingress-1'),
    ];
    expect(only(analyze(bundle), 'IST0101')).toEqual([
      {
        code: 'IST0101',
        severity: 'error',
        blocking: true,
        resource: {
          kind: 'Gateway',
          name: 'frontend-gateway',
          namespace: 'prod',
        },
        message: expect.stringContaining(
          'Referenced selector not found: "istio=ingressgateway"',
        ),
        hint: expect.stringContaining('istio: ingress'),
      },
    ]);
    bundle.gatewayPods = [gatewayPod()];
    expect(analyze(bundle)).toEqual([]);
    // Pods not read: nothing is judged.
    delete bundle.gatewayPods;
    expect(analyze(bundle)).toEqual([]);
  });

  it('IST0112: multi-port destination without port', () => {
    const bundle = handbook();
    bundle.services[0].spec!.ports = [
      { name: 'http', port: 80 },
      { name: 'grpc', port: 9090 },
    ];
    expect(only(analyze(bundle), 'IST0112').map(f => f.resource?.name)).toEqual(
      ['backend', 'backend'],
    );
    bundle.virtualServices[1].spec!.http![0].route!.forEach(
      d => (d.destination.port = { number: 80 }),
    );
    expect(only(analyze(bundle), 'IST0112')).toEqual([]);
  });

  it('IST0118: port without protocol (handbook ports as written)', () => {
    const bundle = handbook();
    bundle.services[0] = backendService;
    expect(only(analyze(bundle), 'IST0118')).toEqual([
      expect.objectContaining({
        severity: 'info',
        blocking: false,
        resource: { kind: 'Service', name: 'backend', namespace: 'prod' },
      }),
    ]);
  });

  it('IST0123: several injection labels', () => {
    const bundle = handbook();
    bundle.namespaces[0].metadata!.labels = {
      'istio-injection': 'enabled',
      'istio.io/dataplane-mode': 'ambient',
    };
    expect(codes(analyze(bundle))).toEqual(['IST0123']);
  });

  it('IST0132: only when NONE of the VS hosts is served by its gateway (as istioctl)', () => {
    const bundle = handbook();
    bundle.gateways[0].spec!.servers![0].hosts = ['shop.example.com'];
    bundle.virtualServices[0].spec!.hosts = [
      'shop.example.com',
      'admin.example.com',
    ];
    expect(only(analyze(bundle), 'IST0132')).toEqual([]);
    bundle.virtualServices[0].spec!.hosts = ['admin.example.com'];
    expect(only(analyze(bundle), 'IST0132').map(f => f.message)).toEqual([
      'VirtualService frontend hosts admin.example.com are not served by gateway frontend-gateway for namespace prod (shop.example.com).',
    ]);
  });

  it('IST0132: honours the namespace prefix of Gateway hosts', () => {
    const bundle = handbook();
    bundle.virtualServices[0].spec!.hosts = ['shop.example.com'];
    bundle.gateways[0].spec!.servers![0].hosts = ['other/shop.example.com'];
    expect(only(analyze(bundle), 'IST0132')).toHaveLength(1);
    bundle.gateways[0].spec!.servers![0].hosts = ['./shop.example.com'];
    expect(only(analyze(bundle), 'IST0132')).toEqual([]);
    bundle.gateways[0].spec!.servers![0].hosts = ['*/shop.example.com'];
    expect(only(analyze(bundle), 'IST0132')).toEqual([]);
  });

  it('flags a name.namespace host, which Istio does not expand to the Service', () => {
    const bundle = handbook();
    bundle.virtualServices.push({
      metadata: { name: 'backend', namespace: 'prod' },
      spec: {
        hosts: ['backend'],
        http: [{ route: [{ destination: { host: 'backend.prod' } }] }],
      },
    });
    expect(only(analyze(bundle), 'MESH-018')).toEqual([
      expect.objectContaining({
        blocking: true,
        resource: {
          kind: 'VirtualService',
          name: 'backend',
          namespace: 'prod',
        },
        hint: 'Use backend.prod.svc.cluster.local or backend.',
      }),
    ]);
  });

  it('IST0173: subset selects no pods; blocking only when traffic goes there', () => {
    const bundle = handbook();
    bundle.pods = bundle.pods.filter(p => p.metadata?.labels?.version !== 'v2');
    expect(only(analyze(bundle), 'IST0173')).toEqual([
      expect.objectContaining({ severity: 'error', blocking: true }),
    ]);
    bundle.virtualServices[1].spec!.http![0].route = [
      { destination: { host: 'backend', subset: 'v1' }, weight: 100 },
    ];
    expect(only(analyze(bundle), 'IST0173')).toEqual([
      expect.objectContaining({ severity: 'warning', blocking: false }),
    ]);
  });

  it('IST0174: DR host matches no service', () => {
    const bundle = handbook();
    bundle.destinationRules.push({
      metadata: { name: 'old', namespace: 'prod' },
      spec: { host: 'payments' },
    });
    expect(only(analyze(bundle), 'IST0174').map(f => f.resource?.name)).toEqual(
      ['old'],
    );
  });

  it('MESH-002: VS for a host a Gateway serves but not bound to it (handbook classic mistake)', () => {
    const bundle = handbook();
    bundle.gateways[0].spec!.servers![0].hosts = ['shop.example.com'];
    bundle.virtualServices[0].spec!.hosts = ['shop.example.com'];
    delete bundle.virtualServices[0].spec!.gateways;
    expect(only(analyze(bundle), 'MESH-002')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        hint: 'Add "gateways: [frontend-gateway]" to the VirtualService.',
      }),
    ]);
    bundle.virtualServices[0].spec!.gateways = ['frontend-gateway'];
    expect(only(analyze(bundle), 'MESH-002')).toEqual([]);
  });

  it('MESH-003: DR and VS with a short host in another namespace than the service (namespace hell)', () => {
    const bundle = handbook();
    bundle.namespaces.push({
      metadata: { name: 'dev', labels: { 'istio-injection': 'enabled' } },
    });
    bundle.destinationRules[0].metadata!.namespace = 'dev';
    bundle.virtualServices[1].metadata!.namespace = 'dev';
    const found = analyze(bundle);
    expect(
      only(found, 'MESH-003').map(f => `${f.resource?.kind} ${f.blocking}`),
    ).toEqual([
      'VirtualService true',
      'VirtualService true',
      'DestinationRule true',
    ]);
    expect(only(found, 'MESH-003')[2].hint).toBe(
      'Move it to prod or use host backend.prod.svc.cluster.local.',
    );
    expect(only(found, 'IST0174')).toEqual([]);
  });

  it('IST0103: pod without proxy in an injected namespace; opted-out pods are fine', () => {
    const bundle = handbook();
    bundle.pods.push(podOf(backendV1, { suffix: 'old', injected: false }));
    const optedOut = podOf(backendV1, { suffix: 'out', injected: false });
    optedOut.metadata!.labels!['sidecar.istio.io/inject'] = 'false';
    bundle.pods.push(optedOut);
    expect(only(analyze(bundle), 'IST0103').map(f => f.resource?.name)).toEqual(
      ['backend-v1-old'],
    );
  });

  it('IST0102: namespace not injected (info), but not when explicitly disabled', () => {
    const bundle = handbook();
    bundle.namespaces[0].metadata!.labels = {};
    expect(analyze(bundle).map(f => `${f.code} ${f.severity}`)).toEqual([
      'IST0102 info',
    ]);
    bundle.namespaces[0].metadata!.labels = { 'istio-injection': 'disabled' };
    expect(analyze(bundle)).toEqual([]);
  });

  it('sorts errors first', () => {
    const bundle = handbook();
    bundle.services[0] = backendService;
    bundle.destinationRules[0].spec!.subsets = [];
    expect(analyze(bundle).map(f => f.severity)).toEqual([
      'error',
      'error',
      'info',
    ]);
  });

  describe('AuthorizationPolicies', () => {
    const policy = (
      name: string,
      spec: IstioAuthorizationPolicy['spec'],
      namespace = 'prod',
    ): IstioAuthorizationPolicy => ({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name, namespace },
      spec,
    });
    const serviceAccount = (name: string, namespace = 'prod') => ({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name, namespace },
    });

    it('IST0127: a policy whose selector matches no pod and no Deployment template of its namespace', () => {
      const bundle = handbook();
      bundle.workloads = [backendV1, backendV2, frontendDeployment];
      bundle.authorizationPolicies = [
        policy('backend-allow', {
          selector: { matchLabels: { app: 'backend' } },
        }),
        policy('renamed-app', {
          selector: { matchLabels: { app: 'payments' } },
        }),
        policy('v3-only', {
          selector: { matchLabels: { app: 'backend', version: 'v3' } },
        }),
        policy('ns-wide', {}),
        policy(
          'mesh-payments',
          { selector: { matchLabels: { app: 'payments' } } },
          'istio-system',
        ),
      ];
      expect(
        only(analyze(bundle), 'IST0127').map(f => [
          f.resource?.name,
          f.severity,
          f.message,
        ]),
      ).toEqual([
        [
          'renamed-app',
          'warning',
          'AuthorizationPolicy prod/renamed-app selects no workload: no pod or Deployment in prod has labels app=payments.',
        ],
        [
          'v3-only',
          'warning',
          expect.stringContaining('app=backend,version=v3'),
        ],
      ]);
      // A Deployment template counts even when no pod runs (scaled to zero).
      bundle.pods = [];
      expect(
        only(analyze(bundle), 'IST0127').map(f => f.resource?.name),
      ).toEqual(['renamed-app', 'v3-only']);
    });

    it('MESH-027: principals naming a service account missing from a namespace that was read', () => {
      const bundle = handbook();
      bundle.serviceAccounts = [
        serviceAccount('default'),
        serviceAccount('frontend'),
      ];
      bundle.authorizationPolicies = [
        policy('backend-allow', {
          selector: { matchLabels: { app: 'backend' } },
          rules: [
            {
              from: [
                {
                  source: {
                    principals: [
                      'cluster.local/ns/prod/sa/frontend',
                      'cluster.local/ns/prod/sa/fronted',
                      'cluster.local/ns/prod/sa/*',
                      'cluster.local/ns/unread/sa/anything',
                    ],
                  },
                },
              ],
            },
          ],
        }),
      ];
      expect(only(analyze(bundle), 'MESH-027').map(f => f.message)).toEqual([
        'AuthorizationPolicy prod/backend-allow names principal cluster.local/ns/prod/sa/fronted, but namespace prod has no ServiceAccount fronted: that source matches no workload.',
      ]);
    });
  });
});
