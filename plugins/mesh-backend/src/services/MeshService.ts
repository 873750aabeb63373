import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AccessPolicyMode,
  AppliedObject,
  ClusterAccessError,
  ClusterMeshStatus,
  IngressGatewayChoiceInput,
  InvalidTargetError,
  MeshActionRequest,
  MeshApplyResult,
  MeshOverviewRow,
  MeshPlan,
  MeshStatusResponse,
  MeshTarget,
  MeshFindingCodes,
  PlannedObject,
  ServiceAccess,
  accessPolicyMode,
  ClusterSnapshot,
  entityServices,
  ingressGatewayCandidates,
  isMeshAvailable,
  needsPropagationPause,
  resolveMeshTarget,
  serviceAccessStatuses,
  toMeshPlan,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { AuditStore } from '../audit/AuditStore';
import {
  ClusterGateway,
  FieldManagerConflictError,
  KubeJson,
} from '../cluster/ClusterGateway';
import { ClusterReader } from '../cluster/ClusterReader';
import { readClusterSnapshot } from '../cluster/ClusterSnapshot';
import { CACHED_STATUS_REFRESH_MS } from '../cluster/WatchCache';
import { readIngressGatewayWorkloads } from '../cluster/ingressGateways';
import { AccessInputs, gatherAccessInputs } from './accessInputs';
import { findCallers } from './callers';
import { EntityLookupCache } from './EntityLookupCache';
import { liveDiff } from './liveDiff';
import { planAction, planServiceAccess } from './planAction';
import { statusFromSnapshot } from './statusFromSnapshot';

/** Options of {@link MeshService.apply}. */
export interface ApplyOptions {
  /** Take over fields other appliers own (checked against `mesh.entity.force` by the router). */
  force: boolean;
  actor: string;
  /** Why, when not the actor's own click (e.g. a guided canary run's step): heads the audit message. */
  reason?: string;
}

/** The access view of one Service before denials are counted, with the pods to count them on. */
export type ServiceAccessBase = Omit<ServiceAccess, 'denials'> & { pods: string[] };

/** The access view of the entity in one cluster, before denials are counted. */
export type ClusterAccessBase =
  | { cluster: string; ok: true; services: ServiceAccessBase[] }
  | ClusterAccessError;

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
      /**
       * Where the status (and the overview) reads: the watch cache, or the gateway when absent.
       * Plans, applies and the access view always read the gateway (live objects).
       */
      statusReader?: ClusterReader;
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
          const snapshot = await readClusterSnapshot(this.deps.statusReader ?? this.deps.gateway, cluster.name, target);
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
    const refresh = this.deps.statusReader ? { refreshMs: CACHED_STATUS_REFRESH_MS } : {};
    return { entityRef: stringifyEntityRef(entity), clusters: results, ...refresh };
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
      access: request.action === 'access' ? await this.accessInputs(entity, cluster, snapshot, credentials) : undefined,
    });
    const plan = toMeshPlan(request.action, cluster, built.namespace, built);
    const results = await this.dryRun(plan, options.force ?? false);
    if (request.action === 'access' && request.mode !== 'remove') {
      accessModeCheck(plan, request.mode === 'dry-run' ? 'dry-run' : 'enforced', results);
    }
    plan.blocked = plan.findings.some(f => f.blocking);
    return plan;
  }

  /**
   * Who may call each of the entity's Services, per cluster: the live policy, the declared
   * callers with their identities, and what enforcing now would mean (the findings of an
   * `enforce` plan). Denials are counted by the caller (Prometheus is not this service's).
   */
  async accessView(entityRef: string, credentials: BackstageCredentials): Promise<{ entityRef: string; clusters: ClusterAccessBase[] }> {
    const entity = await this.entity(entityRef, credentials);
    const target = this.target(entity);
    const clusters = await Promise.all(
      this.clustersFor(target).map(async ({ name: cluster }): Promise<ClusterAccessBase> => {
        try {
          const snapshot = await readClusterSnapshot(this.deps.gateway, cluster, target);
          const services = entityServices(snapshot);
          const inputs = await this.accessInputs(entity, cluster, snapshot, credentials, services);
          const statuses = serviceAccessStatuses(services, snapshot.authorizationPolicies);
          return {
            cluster,
            ok: true,
            services: services.map((service, i) => {
              const plan = planServiceAccess(stringifyEntityRef(entity), { mode: 'enforce' }, snapshot, service, inputs);
              const selector = service.spec?.selector ?? {};
              return {
                ...statuses[i],
                callers: plan.callers,
                unresolvedCallers: plan.unresolvedCallers,
                plannedPrincipals: plan.principals,
                findings: plan.findings,
                pods: snapshot.pods
                  .filter(
                    p =>
                      p.metadata?.namespace === service.metadata?.namespace &&
                      Object.keys(selector).length > 0 &&
                      Object.entries(selector).every(([k, v]) => p.metadata?.labels?.[k] === v),
                  )
                  .map(p => p.metadata?.name ?? ''),
              };
            }),
          };
        } catch (error) {
          this.deps.logger.warn(`access view of ${entityRef} on ${cluster} failed: ${error}`);
          return {
            cluster,
            ok: false,
            error: { message: (error as Error).message, statusCode: (error as any).statusCode },
          };
        }
      }),
    );
    return { entityRef: stringifyEntityRef(entity), clusters };
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
      message: [options.reason, failure?.message ?? plan.summary].filter(Boolean).join(': '),
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

  /**
   * Server-side dry run of every object, in order: fills `live` and `diff`; conflicts become
   * findings. Returns what the server would hold for each written object.
   */
  private async dryRun(plan: MeshPlan, force: boolean): Promise<Map<PlannedObject, KubeJson>> {
    const results = new Map<PlannedObject, KubeJson>();
    for (const object of [...plan.objects]) {
      const ref = { apiVersion: object.apiVersion, kind: object.kind, name: object.name, namespace: object.namespace };
      const live = await this.deps.gateway.get(plan.cluster, ref);
      object.live = live as any;
      if (object.operation === 'delete') {
        if (!live) {
          // Gone since the plan was made: nothing left to delete.
          plan.objects.splice(plan.objects.indexOf(object), 1);
          continue;
        }
        await this.deps.gateway.delete(plan.cluster, ref, { dryRun: true, preconditions: deletePreconditions(object) });
        object.diff = liveDiff(`${object.kind}/${object.name}`, live, null);
        continue;
      }
      let result: KubeJson;
      try {
        result = await this.write(plan.cluster, object, { dryRun: true, force });
      } catch (error) {
        if (!(error instanceof FieldManagerConflictError)) throw error;
        const updaters = updateOnlyManagers(live);
        const appliers = error.managers.filter(m => !updaters.has(m));
        if (appliers.length > 0 || error.managers.length === 0) {
          plan.findings.push({
            code: MeshFindingCodes.fieldManagerConflict,
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
          code: MeshFindingCodes.fieldTakeover,
          severity: 'info',
          message: `${object.kind} ${object.name}: takes over fields last written by ${error.managers.join(', ')}; their other routes and settings are kept.`,
          resource: { kind: object.kind, name: object.name, namespace: object.namespace },
          hint: 'From now on, edit the split from the portal (or with server-side apply).',
          blocking: false,
        });
        result = await this.write(plan.cluster, object, { dryRun: true, force: true });
      }
      object.diff = liveDiff(`${object.kind}/${object.name}`, live, result);
      results.set(object, result);
    }
    return results;
  }

  private async applyOne(cluster: string, object: PlannedObject, force: boolean): Promise<AppliedObject> {
    if (object.operation === 'delete') {
      const ref = { apiVersion: object.apiVersion, kind: object.kind, name: object.name, namespace: object.namespace };
      await this.deps.gateway.delete(cluster, ref, { preconditions: deletePreconditions(object) });
      return { kind: object.kind, name: object.name, namespace: object.namespace, result: 'deleted' };
    }
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

  private accessInputs(
    entity: Entity,
    cluster: string,
    snapshot: ClusterSnapshot,
    credentials: BackstageCredentials,
    services = entityServices(snapshot),
  ): Promise<AccessInputs> {
    return gatherAccessInputs({
      gateway: this.deps.gateway,
      cluster,
      entity,
      snapshot,
      services,
      loadEntities: async entityRefs =>
        (await this.deps.catalog.getEntitiesByRefs({ entityRefs }, { credentials })).items.map(e => e ?? undefined),
    });
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

/** The uid and resourceVersion a planned delete was made for (see planAccess). */
function deletePreconditions(object: PlannedObject) {
  const metadata = (object.object.metadata ?? {}) as { uid?: string; resourceVersion?: string };
  return { uid: metadata.uid, resourceVersion: metadata.resourceVersion };
}

/**
 * After the dry run of an access plan: the policy the server would hold must be in the mode
 * asked. It is not when another field manager owns the `istio.io/dry-run` annotation (e.g.
 * `kubectl annotate`): server-side apply then leaves it in place, and "enforce" would silently
 * stay a dry run.
 */
function accessModeCheck(plan: MeshPlan, wanted: AccessPolicyMode, results: Map<PlannedObject, KubeJson>) {
  for (const [object, result] of results) {
    if (object.kind !== 'AuthorizationPolicy') continue;
    const mode = accessPolicyMode(result as any);
    if (mode === wanted) continue;
    plan.findings.push({
      code: MeshFindingCodes.accessPolicyNotOwned,
      severity: 'error',
      message: `AuthorizationPolicy ${object.name} would stay ${mode}: its istio.io/dry-run annotation is owned by another field manager, which the portal does not override.`,
      resource: { kind: object.kind, name: object.name, namespace: object.namespace },
      hint: 'Remove the annotation with the tool that set it (kubectl annotate … istio.io/dry-run-), then plan again.',
      blocking: true,
    });
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
