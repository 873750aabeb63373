/*
 * Builder output checked against the Istio CRD schemas with @kubernetes-models/istio's
 * `.validate()`. That package is ESM-only (exports only the `import` condition), so it cannot be
 * loaded into this CommonJS test runtime — nor into mesh-common's src, which CJS backends
 * require(). The check runs in a child Node process instead.
 */
import { execFileSync } from 'child_process';
import path from 'path';
import {
  backendCanaryVirtualService,
  backendDestinationRule,
  backendService,
  backendV1,
  backendV2,
  frontendService,
} from '../__fixtures__/handbook';
import type { PlannedObject } from '../api/plan';
import { paymentsService, shopPod } from '../__fixtures__/shop';
import { planAccess } from './planAccess';
import { planCanary } from './planCanary';
import { planExpose } from './planExpose';
import { planMtls } from './planMtls';
import { planOnboard } from './planOnboard';
import { planResilience } from './planResilience';

const VALIDATOR = `
import { VirtualService, DestinationRule, Gateway } from '@kubernetes-models/istio/networking.istio.io/v1';
import { AuthorizationPolicy, PeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1';
const models = { VirtualService, DestinationRule, Gateway, PeerAuthentication, AuthorizationPolicy };
let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = JSON.parse(input).map(object => {
  const Model = models[object.kind];
  if (!Model) return 'no model for ' + object.kind;
  if (object.apiVersion !== Model.apiVersion) return 'apiVersion ' + object.apiVersion;
  try { new Model(object).validate(); return 'ok'; } catch (e) { return String(e.message); }
});
process.stdout.write(JSON.stringify(results));
`;

function validate(objects: unknown[]): string[] {
  const output = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', VALIDATOR],
    {
      cwd: path.resolve(__dirname, '..', '..'),
      input: JSON.stringify(objects),
      encoding: 'utf8',
    },
  );
  return JSON.parse(output);
}

function accessInput(mode: 'dry-run' | 'enforce', principals: string[]) {
  return {
    mode,
    service: paymentsService,
    servicePods: [shopPod('payments')],
    callers: principals.map(principal => ({
      entityRef: 'component:default/checkout',
      declaredBy: [{ relation: 'dependsOn' as const }],
      namespace: 'shop',
      serviceAccount: 'checkout',
      principal,
      hasSidecar: true,
      pods: 1,
      meshedPods: 1,
    })),
    unresolvedCallers: [],
    callerPods: [],
    namespacePods: [],
    ingress: [],
    authorizationPolicies: [],
    mtlsMode: 'STRICT' as const,
    identity: { trustDomain: 'cluster.local', rootNamespace: 'istio-system' },
  };
}

const istioObjects = (objects: PlannedObject[]) =>
  objects.filter(o => o.operation === 'apply').map(o => o.object);

describe('builder output against the Istio schemas', () => {
  it('validates what every builder emits', () => {
    const objects = [
      ...istioObjects(
        planCanary({
          service: backendService,
          workloads: [backendV1, backendV2],
          preset: '90/10',
        }).objects,
      ),
      ...istioObjects(
        planCanary({
          service: backendService,
          workloads: [backendV1, backendV2],
          existingVirtualService: backendCanaryVirtualService,
          existingDestinationRule: backendDestinationRule,
          preset: 'promote',
        }).objects,
      ),
      ...istioObjects(
        planMtls({
          mode: 'STRICT',
          scope: 'workload',
          namespace: 'prod',
          workload: { name: 'backend', labels: { app: 'backend' } },
          callers: [],
          destinationRules: [],
        }).objects,
      ),
      ...istioObjects(
        planOnboard({
          namespace: 'prod',
          scope: 'namespace',
          workloads: [backendV1],
          services: [],
        }).objects,
      ),
      ...istioObjects(
        planExpose({ service: frontendService, hosts: ['shop.example.com'] })
          .objects,
      ),
      ...istioObjects(
        planResilience({
          service: backendService,
          existingVirtualService: backendCanaryVirtualService,
          existingDestinationRule: backendDestinationRule,
          timeout: '2s',
          retries: { attempts: 3, perTryTimeout: '500ms', retryOn: '5xx,503' },
          outlierDetection: {
            consecutive5xxErrors: 5,
            interval: '10s',
            baseEjectionTime: '30s',
            maxEjectionPercent: 50,
          },
          connectionPool: {
            tcp: { maxConnections: 10, connectTimeout: '30ms' },
            http: { http1MaxPendingRequests: 5 },
          },
        }).objects,
      ),
      ...(['dry-run', 'enforce'] as const).flatMap(mode =>
        istioObjects(
          planAccess(accessInput(mode, ['cluster.local/ns/shop/sa/checkout']))
            .objects,
        ),
      ),
      // No caller: the "allow nothing" policy (no rules).
      ...istioObjects(planAccess(accessInput('enforce', [])).objects),
    ];
    expect(objects.map(o => o.kind)).toEqual([
      'DestinationRule',
      'VirtualService',
      'DestinationRule',
      'VirtualService',
      'PeerAuthentication',
      'PeerAuthentication',
      'Gateway',
      'VirtualService',
      'DestinationRule',
      'VirtualService',
      'AuthorizationPolicy',
      'AuthorizationPolicy',
      'AuthorizationPolicy',
    ]);
    expect(validate(objects)).toEqual(objects.map(() => 'ok'));
  });

  it('would catch an AuthorizationPolicy schema violation', () => {
    const broken = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'x', namespace: 'shop' },
      spec: {
        action: 'PERMIT',
        rules: [
          { from: [{ source: { principals: 'cluster.local/ns/shop/sa/a' } }] },
        ],
      },
    };
    expect(validate([broken])[0]).toMatch(/action|principals/);
  });

  it('would catch a schema violation (the check itself works)', () => {
    const broken = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'x', namespace: 'prod' },
      spec: {
        hosts: ['x'],
        http: [{ route: [{ destination: { host: 'x' }, weight: 'ninety' }] }],
      },
    };
    expect(validate([broken])[0]).toMatch(/weight/);
  });
});
