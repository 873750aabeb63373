import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AppliedObject,
  ClusterMeshStatus,
  IngressGatewayChoiceInput,
  InvalidTargetError,
  MeshActionRequest,
  MeshApplyResult,
  MeshOverviewRow,
  MeshPlan,
  MeshStatusResponse,
  MeshTarget,
  PlannedObject,
  entityServices,
  ingressGatewayCandidates,
  isMeshAvailable,
  needsPropagationPause,
  resolveMeshTarget,
  toMeshPlan,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { AuditStore } from '../audit/AuditStore';
import {
  ClusterGateway,
  FieldManagerConflictError,
  KubeJson,
} from '../cluster/ClusterGateway';
import { readClusterSnapshot } from '../cluster/ClusterSnapshot';
import { readIngressGatewayWorkloads } from '../cluster/ingressGateways';
import { findCallers } from './callers';
import { EntityLookupCache } from './EntityLookupCache';
import { liveDiff } from './liveDiff';
import { planAction } from './planAction';
import { statusFromSnapshot } from './statusFromSnapshot';

/** Options of {@link MeshService.apply}. */
export interface ApplyOptions {
  /** Take over fields other appliers own (checked against `mesh.entity.force` by the router). */
  force: boolean;
  actor: string;
}

/**
 * The mesh plugin's engine: status from the live clusters, plans (no side effects; server-side
 * dry run and diff), apply (make-before-break order, our field manager, audit row).
 */
export class MeshService {
  /** Objects of a plan whose fields we take over from Update-only managers on apply. */
  private readonly takeOver = new WeakMap<MeshPlan, Set<PlannedObject>>();
  private readonly entities = new EntityLookupCache();

  constructor(
    private readonly deps: {
      catalog: CatalogService;
      gateway: ClusterGateway;
      audit: AuditStore;
      logger: LoggerService;
      /** Wait between a DestinationRule and a VirtualService of one plan (make-before-break). */
      propagationDelayMs?: number;
    },
  ) {}

  async status(entityRef: string, credentials: BackstageCredentials): Promise<MeshStatusResponse> {
    const entity = await this.entity(entityRef, credentials);
    const target = this.target(entity);
    const clusters = this.clustersFor(target);
    const multiCluster = this.deps.gateway.listClusters().length > 1;
    const results = await Promise.all(
      clusters.map(async (cluster): Promise<ClusterMeshStatus> => {
        try {
          const snapshot = await readClusterSnapshot(this.deps.gateway, cluster.name, target);
          return statusFromSnapshot(snapshot, { kialiUrl: cluster.kialiUrl, multiCluster });
        } catch (error) {
          this.deps.logger.warn(`mesh status of ${entityRef} on ${cluster.name} failed: ${error}`);
          return {
            cluster: cluster.name,
            ok: false,
            error: { message: (error as Error).message, statusCode: (error as any).statusCode },
          };
        }
      }),
    );
    return { entityRef: stringifyEntityRef(entity), clusters: results };
  }

  async plan(
    entityRef: string,
    request: MeshActionRequest,
    credentials: BackstageCredentials,
    options: { force?: boolean } = {},
  ): Promise<MeshPlan> {
    const entity = await this.entity(entityRef, credentials);
    const target = this.target(entity);
    const cluster = this.pickCluster(target, request.cluster);
    const snapshot = await readClusterSnapshot(this.deps.gateway, cluster, target);
    const callers =
      request.action === 'mtls' && request.mode === 'STRICT'
        ? await findCallers({
            gateway: this.deps.gateway,
            cluster,
            entity,
            serviceNames: entityServices(snapshot).map(s => s.metadata?.name ?? ''),
            namespace: snapshot.namespaces[0]?.metadata?.name ?? target.namespace ?? '',
            loadEntity: ref => this.deps.catalog.getEntityByRef(ref, { credentials }),
          })
        : [];
    const built = planAction(entity, request, snapshot, {
      callers,
      // Istio picks a caller's DestinationRule by the caller's namespace: read them all.
      destinationRules:
        request.action === 'mtls'
          ? await this.deps.gateway.list<any>(cluster, 'networking.istio.io/v1', 'DestinationRule')
          : undefined,
      ingressGateways: request.action === 'expose' ? await this.ingressGateways(cluster) : undefined,
    });
    const plan = toMeshPlan(request.action, cluster, built.namespace, built);
    await this.dryRun(plan, options.force ?? false);
    plan.blocked = plan.findings.some(f => f.blocking);
    return plan;
  }

  async apply(
    entityRef: string,
    request: MeshActionRequest,
    credentials: BackstageCredentials,
    options: ApplyOptions,
  ): Promise<MeshApplyResult> {
    const plan = await this.plan(entityRef, request, credentials, { force: options.force });
    if (plan.blocked) {
      const reasons = plan.findings.filter(f => f.blocking).map(f => f.message);
      throw new ConflictError(`plan is blocked: ${reasons.join(' ')}`);
    }
    const takeOver = this.takeOver.get(plan) ?? new Set<PlannedObject>();
    const applied: AppliedObject[] = [];
    let failure: Error | undefined;
    for (const [i, object] of plan.objects.entries()) {
      try {
        if (i > 0 && needsPropagationPause(plan.objects[i - 1], object)) {
          // make-before-break: the previous object must reach the sidecars first
          await new Promise(resolve => setTimeout(resolve, this.deps.propagationDelayMs ?? 0));
        }
        applied.push(await this.applyOne(plan.cluster, object, options.force || takeOver.has(object)));
      } catch (error) {
        failure = error as Error;
        break;
      }
    }
    const auditId = await this.deps.audit.record({
      actor: options.actor,
      entityRef,
      cluster: plan.cluster,
      namespace: plan.namespace,
      params: request,
      objects: applied.map(({ kind, name, namespace }) => ({ kind, name, namespace })),
      result: failure ? 'failure' : 'success',
      message: failure?.message ?? plan.summary,
    });
    if (failure) throw failure;
    return { auditId, applied, plan };
  }

  history(entityRef: string) {
    return this.deps.audit.list(entityRef);
  }

  /** Mesh adoption across the catalog: one row per entity and cluster. */
  async overview(credentials: BackstageCredentials): Promise<MeshOverviewRow[]> {
    const { items } = await this.deps.catalog.getEntities(
      {
        filter: [
          { 'metadata.annotations.backstage.io/kubernetes-id': CATALOG_FILTER_EXISTS },
          { 'metadata.annotations.backstage.io/kubernetes-label-selector': CATALOG_FILTER_EXISTS },
        ],
      },
      { credentials },
    );
    const rows: MeshOverviewRow[] = [];
    for (const entity of items.filter(isMeshAvailable)) {
      const ref = stringifyEntityRef(entity);
      let status: MeshStatusResponse;
      try {
        status = await this.status(ref, credentials);
      } catch (error) {
        this.deps.logger.warn(`overview: ${ref}: ${error}`);
        continue;
      }
      for (const cluster of status.clusters) {
        if (!cluster.ok) continue; // the entity's own Mesh tab shows the cluster's error
        const pods = cluster.workloads.flatMap(w => w.pods);
        rows.push({
          entityRef: ref,
          title: entity.metadata.title,
          cluster: cluster.cluster,
          namespace: cluster.namespaces[0]?.name ?? '',
          pods: pods.length,
          meshedPods: pods.filter(p => p.injected || p.ambient).length,
          mtlsMode: cluster.mtls[0]?.mode ?? 'UNSET',
          canaryInProgress: cluster.trafficSplits.some(s => s.canaryInProgress),
          findings: {
            error: cluster.findings.filter(f => f.severity === 'error').length,
            warning: cluster.findings.filter(f => f.severity === 'warning').length,
            info: cluster.findings.filter(f => f.severity === 'info').length,
          },
        });
      }
    }
    return rows;
  }

  /** Server-side dry run of every object, in order: fills `live` and `diff`; conflicts become findings. */
  private async dryRun(plan: MeshPlan, force: boolean) {
    for (const object of plan.objects) {
      const ref = { apiVersion: object.apiVersion, kind: object.kind, name: object.name, namespace: object.namespace };
      const live = await this.deps.gateway.get(plan.cluster, ref);
      object.live = live as any;
      let result: KubeJson;
      try {
        result = await this.write(plan.cluster, object, { dryRun: true, force });
      } catch (error) {
        if (!(error instanceof FieldManagerConflictError)) throw error;
        const updaters = updateOnlyManagers(live);
        const appliers = error.managers.filter(m => !updaters.has(m));
        if (appliers.length > 0 || error.managers.length === 0) {
          plan.findings.push({
            code: 'MESH-014',
            severity: 'error',
            message: `${object.kind} ${object.name} has fields owned by ${error.managers.join(', ') || 'another field manager'}, which applies them itself (e.g. a GitOps controller) and would revert this change.`,
            resource: { kind: object.kind, name: object.name, namespace: object.namespace },
            hint: 'Change the source that manager applies from, or apply with force (mesh.entity.force) to take the fields over.',
            blocking: true,
          });
          object.diff = '';
          continue;
        }
        // Fields last written by kubectl edit/patch/client-side apply: our merge kept their
        // content (routes, retries, policies), so we take the fields over.
        const owned = this.takeOver.get(plan) ?? new Set<PlannedObject>();
        owned.add(object);
        this.takeOver.set(plan, owned);
        plan.findings.push({
          code: 'MESH-015',
          severity: 'info',
          message: `${object.kind} ${object.name}: takes over fields last written by ${error.managers.join(', ')}; their other routes and settings are kept.`,
          resource: { kind: object.kind, name: object.name, namespace: object.namespace },
          hint: 'From now on, edit the split from the portal (or with server-side apply).',
          blocking: false,
        });
        result = await this.write(plan.cluster, object, { dryRun: true, force: true });
      }
      object.diff = liveDiff(`${object.kind}/${object.name}`, live, result);
    }
  }

  private async applyOne(cluster: string, object: PlannedObject, force: boolean): Promise<AppliedObject> {
    const before = object.live;
    const after = await this.write(cluster, object, { dryRun: false, force });
    const changed = !before || before.metadata && (after.metadata as any)?.resourceVersion !== (before.metadata as any)?.resourceVersion;
    return {
      kind: object.kind,
      name: object.name,
      namespace: object.namespace,
      result: appliedResult(object.operation, !before, Boolean(changed)),
    };
  }

  private write(cluster: string, object: PlannedObject, options: { dryRun: boolean; force: boolean }) {
    const ref = { apiVersion: object.apiVersion, kind: object.kind, name: object.name, namespace: object.namespace };
    if (object.operation === 'apply') {
      return this.deps.gateway.apply(cluster, object.object as KubeJson, options);
    }
    return this.deps.gateway.patch(cluster, ref, object.object, object.patchType ?? 'merge', { dryRun: options.dryRun });
  }

  /** The ingress gateways running in a cluster and its configured selector (expose). */
  private async ingressGateways(cluster: string): Promise<IngressGatewayChoiceInput> {
    const config = this.deps.gateway.listClusters().find(c => c.name === cluster);
    const { pods, deployments } = await readIngressGatewayWorkloads(this.deps.gateway, cluster);
    return {
      cluster,
      candidates: ingressGatewayCandidates(pods, deployments),
      configured: config?.ingressGatewaySelector,
      preferredNamespace: config?.ingressGatewayNamespace,
    };
  }

  private async entity(entityRef: string, credentials: BackstageCredentials): Promise<Entity> {
    const entity = await this.entities.get(entityRef, credentials, () =>
      this.deps.catalog.getEntityByRef(entityRef, { credentials }),
    );
    if (!entity) throw new NotFoundError(`entity ${entityRef} not found`);
    return entity;
  }

  private target(entity: Entity): MeshTarget {
    try {
      return resolveMeshTarget(entity);
    } catch (error) {
      if (error instanceof InvalidTargetError) throw new InputError(error.message);
      throw error;
    }
  }

  private clustersFor(target: MeshTarget) {
    const all = this.deps.gateway.listClusters();
    return target.clusters ? all.filter(c => target.clusters!.includes(c.name)) : all;
  }

  private pickCluster(target: MeshTarget, wanted?: string): string {
    const clusters = this.clustersFor(target).map(c => c.name);
    if (wanted) {
      if (!clusters.includes(wanted)) {
        throw new InputError(`cluster: ${wanted} is not one of the entity's clusters (${clusters.join(', ') || 'none configured'})`);
      }
      return wanted;
    }
    if (clusters.length === 0) throw new InputError('cluster: no cluster is configured for this entity');
    if (clusters.length > 1) throw new InputError(`cluster: required, the entity runs on ${clusters.join(', ')}`);
    return clusters[0];
  }
}

function appliedResult(operation: PlannedObject['operation'], created: boolean, changed: boolean): AppliedObject['result'] {
  if (operation === 'restart') return 'restarted';
  if (created) return 'created';
  return changed ? 'configured' : 'unchanged';
}

/** Managers whose every entry on the live object is an Update (they do not re-apply). */
function updateOnlyManagers(live: KubeJson | null): Set<string> {
  const entries = ((live?.metadata as any)?.managedFields ?? []) as Array<{ manager: string; operation: string }>;
  const appliers = new Set(entries.filter(e => e.operation === 'Apply').map(e => e.manager));
  return new Set(entries.filter(e => e.operation === 'Update' && !appliers.has(e.manager)).map(e => e.manager));
}
