import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { MeshActionRequest, PlannedObject } from '@mesh-portal/backstage-plugin-mesh-common';
import { AuditStore, NewAuditEntry } from '../audit/AuditStore';
import { KubeJson } from '../cluster/ClusterGateway';
import { component } from '../__testUtils__/entities';
import { FakeClusterGateway, key } from '../__testUtils__/fakeClusterGateway';
import { MeshService } from './MeshService';

const entity = component('web', 'prod');
const entityRef = 'component:default/web';
const credentials = mockCredentials.user();
const permissive: MeshActionRequest = { action: 'mtls', mode: 'PERMISSIVE', scope: 'namespace' };

function setup(labels: Record<string, string> = {}) {
  const gateway = new FakeClusterGateway([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: {} } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'prod', labels: { app: 'web' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] },
    } as KubeJson,
  ]);
  const recorded: NewAuditEntry[] = [];
  const audit = {
    record: async (entry: NewAuditEntry) => {
      recorded.push(entry);
      return 'audit-1';
    },
  } as unknown as AuditStore;
  const mesh = new MeshService({
    catalog: catalogServiceMock({ entities: [entity] }),
    gateway: gateway.asGateway(),
    audit,
    logger: mockServices.logger.mock(),
  });
  /** The PeerAuthentication the plan writes, already live with `labels` and owned as given. */
  const ownedBy = async (owners: Array<{ manager: string; fields: string[] }>) => {
    const plan = await mesh.plan(entityRef, permissive, credentials);
    const pa = plan.objects.find(o => o.kind === 'PeerAuthentication') as PlannedObject;
    const metadata = (pa.object as any).metadata;
    gateway.put({ ...(pa.object as KubeJson), metadata: { ...metadata, labels: { ...metadata.labels, ...labels } }, spec: { mtls: { mode: 'STRICT' } } });
    gateway.fieldOwners.set(key(pa.kind, pa.namespace, pa.name), owners);
    gateway.calls.length = 0;
    return pa;
  };
  const writes = () => gateway.calls.filter(c => c.op === 'apply' && !c.dryRun);
  return { gateway, mesh, recorded, ownedBy, writes };
}

describe('MeshService: fields other field managers own', () => {
  it('blocks on Argo CD, naming it, with the YAML to commit; apply changes nothing', async () => {
    const { mesh, ownedBy, writes } = setup();
    await ownedBy([{ manager: 'argocd-controller', fields: ['.spec.mtls.mode'] }]);
    const plan = await mesh.plan(entityRef, permissive, credentials);
    const pa = plan.objects.find(o => o.kind === 'PeerAuthentication') as PlannedObject;
    expect(plan.blocked).toBe(true);
    expect(plan.findings.find(f => f.code === 'MESH-028')?.message).toContain('Argo CD (field manager "argocd-controller")');
    expect(plan.fieldConflicts).toEqual([
      expect.objectContaining({ manager: 'argocd-controller', resolution: 'commit', yaml: pa.yaml, fields: ['.spec.mtls.mode'] }),
    ]);
    await expect(mesh.apply(entityRef, permissive, credentials, { force: false, takeOver: true, actor: 'user:default/jo' })).rejects.toThrow(
      /plan is blocked: .*argocd-controller/,
    );
    expect(writes()).toEqual([]);
  });

  it('blocks on kubectl where a GitOps tool tracks the object (Flux), as on Flux itself', async () => {
    const { mesh, ownedBy } = setup({ 'kustomize.toolkit.fluxcd.io/name': 'apps' });
    await ownedBy([{ manager: 'kubectl-client-side-apply', fields: ['.spec.mtls.mode'] }]);
    const plan = await mesh.plan(entityRef, permissive, credentials);
    expect(plan.blocked).toBe(true);
    expect(plan.fieldConflicts?.[0]).toMatchObject({ owner: { kind: 'controller', tool: 'Flux' }, resolution: 'commit' });
  });

  it("does not block on a person's kubectl apply --server-side: it shows the take-over", async () => {
    const { mesh, ownedBy, writes } = setup();
    await ownedBy([{ manager: 'kubectl', fields: ['.spec.mtls.mode'] }]);
    const plan = await mesh.plan(entityRef, permissive, credentials);
    expect(plan.blocked).toBe(false);
    expect(plan.fieldConflicts).toEqual([
      expect.objectContaining({ manager: 'kubectl', owner: { kind: 'person', tool: 'kubectl' }, resolution: 'take-over', fields: ['.spec.mtls.mode'] }),
    ]);
    expect(plan.findings.find(f => f.code === 'MESH-029')).toMatchObject({ blocking: false });
    // The diff is the one a forced apply would give: STRICT → PERMISSIVE.
    expect(plan.objects.find(o => o.kind === 'PeerAuthentication')?.diff).toContain('+    mode: PERMISSIVE');
    expect(writes()).toEqual([]);
  });

  it('refuses the take-over without takeOver with a 409 naming the field, writes nothing and audits the attempt', async () => {
    const { mesh, ownedBy, writes, recorded } = setup();
    await ownedBy([{ manager: 'kubectl', fields: ['.spec.mtls.mode'] }]);
    const applying = mesh.apply(entityRef, permissive, credentials, { force: false, actor: 'user:default/jo' });
    await expect(applying).rejects.toThrow(ConflictError);
    await expect(applying).rejects.toThrow(/^takeOver: .*PeerAuthentication default: \.spec\.mtls\.mode from "kubectl"/);
    expect(writes()).toEqual([]);
    // Every apply attempt leaves an audit row, a refused one too (as conflicts and races do).
    expect(recorded).toEqual([
      expect.objectContaining({
        actor: 'user:default/jo',
        result: 'failure',
        objects: [],
        takeOvers: [],
        message: expect.stringMatching(/^takeOver: .*Nothing applied$/),
      }),
    ]);
  });

  it('with takeOver, forces those fields and audits which manager and fields', async () => {
    const { gateway, mesh, ownedBy, writes, recorded } = setup();
    const pa = await ownedBy([{ manager: 'kubectl', fields: ['.spec.mtls.mode'] }]);
    const result = await mesh.apply(entityRef, permissive, credentials, { force: false, takeOver: true, actor: 'user:default/jo' });
    expect(result.applied.map(a => a.kind)).toContain('PeerAuthentication');
    // Without force first (the server still says who owns what), then forced.
    expect(writes().filter(c => c.kind === 'PeerAuthentication').map(c => c.force)).toEqual([false, true]);
    expect((gateway.object('PeerAuthentication', pa.namespace, pa.name) as any).spec.mtls.mode).toBe('PERMISSIVE');
    expect(recorded).toHaveLength(1);
    expect(recorded[0].takeOvers).toEqual([
      { kind: 'PeerAuthentication', name: pa.name, namespace: pa.namespace, manager: 'kubectl', fields: ['.spec.mtls.mode'] },
    ]);
    expect(recorded[0].message).toContain('Took over from kubectl: PeerAuthentication default: .spec.mtls.mode from "kubectl"');
  });

  it('refuses the confirmed take-over when the owners changed after the plan (a new field)', async () => {
    const { gateway, mesh, ownedBy, writes } = setup();
    const pa = await ownedBy([{ manager: 'kubectl', fields: ['.spec.mtls.mode'] }]);
    const realApply = gateway.apply.bind(gateway);
    // Between the dry run and the write, someone applies another field with kubectl.
    gateway.apply = (async (cluster: string, object: KubeJson, options: any) => {
      if (!options?.dryRun) gateway.fieldOwners.set(key(pa.kind, pa.namespace, pa.name), [{ manager: 'kubectl', fields: ['.spec.mtls.mode', '.spec.selector'] }]);
      return realApply(cluster, object, options);
    }) as typeof gateway.apply;
    await expect(
      mesh.apply(entityRef, permissive, credentials, { force: false, takeOver: true, actor: 'user:default/jo' }),
    ).rejects.toThrow(/fields changed owners since the plan/);
    expect(writes().map(c => c.force)).toEqual([false]);
    expect((gateway.object('PeerAuthentication', pa.namespace, pa.name) as any).spec.mtls.mode).toBe('STRICT');
  });
});
