import { Entity } from '@backstage/catalog-model';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuditStore } from '../audit/AuditStore';
import { component } from '../__testUtils__/entities';
import { FakeClusterGateway } from '../__testUtils__/fakeClusterGateway';
import { MeshService } from './MeshService';

const credentials = mockCredentials.user('user:default/guest');

// The sample scenario's shop, as the catalog returns it: checkout dependsOn payments.
const payments = component('payments', 'shop', {
  relations: [
    { type: 'dependencyOf', targetRef: 'component:default/checkout' },
    { type: 'providesApi', targetRef: 'api:default/payments-api' },
  ],
});
const checkout = component('checkout', 'shop', {
  relations: [{ type: 'dependsOn', targetRef: 'component:default/payments' }],
});
const refunds = component('refunds', 'billing', {
  relations: [{ type: 'consumesApi', targetRef: 'api:default/payments-api' }],
});
const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'API',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'openapi', lifecycle: 'production', owner: 'group:default/shop-team', definition: '{}' },
  relations: [
    { type: 'apiProvidedBy', targetRef: 'component:default/payments' },
    { type: 'apiConsumedBy', targetRef: 'component:default/refunds' },
  ],
};

function pod(app: string, options: { namespace?: string; sa?: string; sidecar?: boolean; labels?: Record<string, string> } = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${app}-v1-abcde`,
      namespace: options.namespace ?? 'shop',
      labels: options.labels ?? { app, version: 'v1' },
    },
    spec: {
      ...(options.sa ? { serviceAccountName: options.sa } : {}),
      containers: [
        { name: app, image: 'echo' },
        ...(options.sidecar === false ? [] : [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.28.0' }]),
      ],
    },
  };
}

function cluster(extra: object[] = [], options: { checkoutSidecar?: boolean } = {}) {
  return new FakeClusterGateway([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'payments', namespace: 'shop' },
      spec: { selector: { app: 'payments' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'payments', namespace: 'shop' },
      spec: { selector: { matchLabels: { app: 'payments' } }, template: { metadata: { labels: { app: 'payments', version: 'v1' } } } },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'shop' },
      spec: { mtls: { mode: 'STRICT' } },
    },
    pod('payments'),
    pod('checkout', { sa: 'checkout', sidecar: options.checkoutSidecar ?? true }),
    pod('refunds', { namespace: 'billing', sa: 'refunds' }),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'shop' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'checkout', namespace: 'shop' } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'istio', namespace: 'istio-system' },
      data: { mesh: 'trustDomain: corp.example\n' },
    },
    ...extra,
  ]);
}

function service(gateway: FakeClusterGateway, entities: Entity[] = [payments, checkout, refunds, paymentsApi]) {
  const audit = { record: jest.fn(async () => 'audit-1'), list: jest.fn() };
  const mesh = new MeshService({
    catalog: catalogServiceMock({ entities }),
    gateway: gateway.asGateway(),
    audit: audit as unknown as AuditStore,
    logger: mockServices.logger.mock(),
  });
  return { mesh, audit };
}

const ref = 'component:default/payments';

describe('MeshService: access action', () => {
  it('plans a dry-run policy naming the declared callers (dependsOn and API consumers) in the mesh trust domain', async () => {
    const gateway = cluster();
    const { mesh } = service(gateway);
    const plan = await mesh.plan(ref, { action: 'access', mode: 'dry-run' }, credentials);
    expect(plan.action).toBe('access');
    expect(plan.blocked).toBe(false);
    expect(plan.objects).toHaveLength(1);
    const policy = plan.objects[0];
    expect(policy).toMatchObject({ kind: 'AuthorizationPolicy', name: 'payments-allow-declared-callers', namespace: 'shop', live: null });
    expect(policy.object.spec).toEqual({
      selector: { matchLabels: { app: 'payments' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['corp.example/ns/billing/sa/refunds', 'corp.example/ns/shop/sa/checkout'] } }] }],
    });
    expect((policy.object.metadata as any).annotations['istio.io/dry-run']).toBe('true');
    expect(policy.diff).toContain('+    istio.io/dry-run: "true"');
    // Server-side dry run under our field manager, nothing written.
    expect(gateway.calls.filter(c => c.op === 'apply')).toEqual([expect.objectContaining({ dryRun: true })]);
    expect(gateway.object('AuthorizationPolicy', 'shop', 'payments-allow-declared-callers')).toBeUndefined();
    // Pods read per namespace of the callers, never cluster-wide.
    expect(gateway.calls.filter(c => c.op === 'list' && c.kind === 'Pod' && !c.namespace)).toEqual([]);
  });

  it('blocks enforce while a declared caller has no sidecar', async () => {
    const { mesh } = service(cluster([], { checkoutSidecar: false }));
    const plan = await mesh.plan(ref, { action: 'access', mode: 'enforce' }, credentials);
    expect(plan.blocked).toBe(true);
    expect(plan.findings.filter(f => f.blocking).map(f => f.code)).toEqual(['MESH-019']);
    await expect(mesh.apply(ref, { action: 'access', mode: 'enforce' }, credentials, { force: false, actor: 'user:default/guest' })).rejects.toThrow(
      /plan is blocked: component:default\/checkout/,
    );
  });

  it('applies dry-run, then enforce removes the annotation, then remove deletes only our policy', async () => {
    const gateway = cluster();
    const { mesh, audit } = service(gateway);
    const options = { force: false, actor: 'user:default/guest' };
    const dry = await mesh.apply(ref, { action: 'access', mode: 'dry-run' }, credentials, options);
    expect(dry.applied).toEqual([{ kind: 'AuthorizationPolicy', name: 'payments-allow-declared-callers', namespace: 'shop', result: 'created' }]);
    expect(gateway.object('AuthorizationPolicy', 'shop', 'payments-allow-declared-callers')?.metadata?.annotations).toMatchObject({
      'istio.io/dry-run': 'true',
    });

    await mesh.apply(ref, { action: 'access', mode: 'enforce' }, credentials, options);
    const enforced = gateway.object('AuthorizationPolicy', 'shop', 'payments-allow-declared-callers');
    expect(enforced?.metadata?.annotations).not.toHaveProperty(['istio.io/dry-run']);

    const status = await mesh.status(ref, credentials);
    expect(status.clusters[0].ok && status.clusters[0].access).toEqual([
      {
        service: 'payments',
        namespace: 'shop',
        policyName: 'payments-allow-declared-callers',
        mode: 'enforced',
        allowedPrincipals: ['corp.example/ns/billing/sa/refunds', 'corp.example/ns/shop/sa/checkout'],
      },
    ]);

    const removed = await mesh.apply(ref, { action: 'access', mode: 'remove' }, credentials, options);
    expect(removed.applied).toEqual([{ kind: 'AuthorizationPolicy', name: 'payments-allow-declared-callers', namespace: 'shop', result: 'deleted' }]);
    expect(removed.plan.objects[0].diff).toContain('-  name: payments-allow-declared-callers');
    const deletes = gateway.calls.filter(c => c.op === 'delete');
    expect(deletes.map(d => Boolean(d.dryRun))).toEqual([true, false]);
    expect(deletes[1].options).toMatchObject({ preconditions: { uid: enforced?.metadata?.uid, resourceVersion: enforced?.metadata?.resourceVersion } });
    expect(gateway.object('AuthorizationPolicy', 'shop', 'payments-allow-declared-callers')).toBeUndefined();
    expect(audit.record).toHaveBeenLastCalledWith(
      expect.objectContaining({ params: { action: 'access', mode: 'remove' }, result: 'success', objects: [expect.objectContaining({ kind: 'AuthorizationPolicy' })] }),
    );
  });

  it('never deletes a policy of that name it did not write', async () => {
    const gateway = cluster([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: { name: 'payments-allow-declared-callers', namespace: 'shop' },
        spec: { rules: [{}] },
      },
    ]);
    const { mesh } = service(gateway);
    const plan = await mesh.plan(ref, { action: 'access', mode: 'remove' }, credentials);
    expect(plan.objects).toEqual([]);
    expect(plan.blocked).toBe(true);
    expect(gateway.calls.some(c => c.op === 'delete')).toBe(false);
  });

  it('blocks enforce when another field manager keeps the dry-run annotation', async () => {
    const gateway = cluster([
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: {
          name: 'payments-allow-declared-callers',
          namespace: 'shop',
          labels: { 'app.kubernetes.io/managed-by': 'mesh-portal' },
          annotations: { 'istio.io/dry-run': 'true' },
        },
        spec: { selector: { matchLabels: { app: 'payments' } }, action: 'ALLOW' },
      },
    ]);
    gateway.foreignAnnotations = { 'istio.io/dry-run': 'kubectl-annotate' };
    const { mesh } = service(gateway);
    const plan = await mesh.plan(ref, { action: 'access', mode: 'enforce' }, credentials);
    expect(plan.blocked).toBe(true);
    expect(plan.findings.find(f => f.blocking)?.message).toContain('would stay dry-run');
  });

  it('reports declared callers the cluster cannot resolve, and the view of each Service', async () => {
    const { mesh } = service(cluster(), [payments, checkout, paymentsApi]);
    const view = await mesh.accessView(ref, credentials);
    expect(view.clusters).toHaveLength(1);
    const [local] = view.clusters;
    if (!local.ok) throw new Error('cluster failed');
    expect(local.services).toHaveLength(1);
    const [payment] = local.services;
    expect(payment).toMatchObject({
      service: 'payments',
      mode: 'none',
      allowedPrincipals: [],
      plannedPrincipals: ['corp.example/ns/shop/sa/checkout'],
      pods: ['payments-v1-abcde'],
      callers: [expect.objectContaining({ entityRef: 'component:default/checkout', serviceAccount: 'checkout', hasSidecar: true })],
      unresolvedCallers: [
        {
          entityRef: 'component:default/refunds',
          declaredBy: [{ relation: 'consumesApi', api: 'api:default/payments-api' }],
          reason: 'not found in the catalog (deleted, or not visible to you)',
        },
      ],
    });
    expect(payment.findings.map(f => f.code)).toEqual(expect.arrayContaining(['MESH-020', 'MESH-021']));
  });

  it('names the service field when the entity has several Services and none is given', async () => {
    const gateway = cluster([
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'payments-admin', namespace: 'shop' },
        spec: { selector: { app: 'payments' }, ports: [{ name: 'http', port: 81 }] },
      },
    ]);
    const { mesh } = service(gateway);
    await expect(mesh.plan(ref, { action: 'access', mode: 'dry-run' }, credentials)).rejects.toThrow(
      'service: required when the entity has several Services (payments, payments-admin)',
    );
    const plan = await mesh.plan(ref, { action: 'access', mode: 'dry-run', service: 'payments-admin' }, credentials);
    expect(plan.objects[0].name).toBe('payments-admin-allow-declared-callers');
  });

  it("follows the mesh config's root namespace for mesh-wide policies, read once with the snapshot", async () => {
    const denyLegacy = (namespace: string) => ({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'deny-legacy', namespace },
      spec: { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['legacy'] } }] }] },
    });
    const gateway = cluster([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'istio', namespace: 'istio-system' },
        data: { mesh: 'trustDomain: corp.example\nrootNamespace: istio-config\n' },
      },
      denyLegacy('istio-config'),
      // istio-system is not the root namespace here: its policies apply to its own workloads.
      denyLegacy('istio-system'),
    ]);
    const { mesh } = service(gateway);
    const plan = await mesh.plan(ref, { action: 'access', mode: 'dry-run' }, credentials);
    expect(plan.findings.filter(f => f.code === 'MESH-023').map(f => f.message)).toEqual([
      expect.stringContaining('DENY policy istio-config/deny-legacy (mesh-wide)'),
    ]);
    expect(plan.objects[0].object.spec).toMatchObject({
      rules: [{ from: [{ source: { principals: ['corp.example/ns/billing/sa/refunds', 'corp.example/ns/shop/sa/checkout'] } }] }],
    });
    expect(gateway.calls.filter(c => c.op === 'get' && c.kind === 'ConfigMap')).toHaveLength(1);
  });

  it('keeps the status when the cluster role does not grant AuthorizationPolicies or ServiceAccounts', async () => {
    const gateway = cluster();
    gateway.forbidden = new Set(['AuthorizationPolicy', 'ServiceAccount']);
    const { mesh } = service(gateway);
    const status = await mesh.status(ref, credentials);
    expect(status.clusters[0]).toMatchObject({ ok: true, access: [expect.objectContaining({ mode: 'none' })] });
    gateway.forbidden = new Set(['Pod']);
    expect((await mesh.status(ref, credentials)).clusters[0]).toMatchObject({ ok: false });
  });
});
