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
  fieldConflictsOfObject,
  FieldOwnershipConflict,
  KubeObjectMeta,
  ResourceRef,
  takeOverStillConfirmed,
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
import { readClusterSnapshot } from '../cluster/ClusterSnapshot';
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
  /**
   * The user confirmed the take-over of fields a person applied with kubectl (the plan's
   * `take-over` conflicts); without it such a plan is refused.
   */
  takeOver?: boolean;
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
    const takeOvers = (plan.fieldConflicts ?? []).filter(c => c.resolution === 'take-over');
    if (takeOvers.length > 0 && !options.takeOver && !options.force) {
      throw new ConflictError(
        `takeOver: this plan takes over fields a person applied with kubectl (${describeTakeOvers(takeOvers)}); confirm with takeOver=true to apply`,
      );
    }
    const applied: AppliedObject[] = [];
    const tookOver: FieldOwnershipConflict[] = [];
    let failure: Error | undefined;
    for (const [i, object] of plan.objects.entries()) {
      try {
        if (i > 0 && needsPropagationPause(plan.objects[i - 1], object)) {
          // make-before-break: the previous object must reach the sidecars first
          await new Promise(resolve => setTimeout(resolve, this.deps.propagationDelayMs ?? 0));
        }
        const confirmed = takeOvers.filter(c => sameResource(c.resource, object));
        applied.push(await this.applyOne(plan.cluster, object, { force: options.force, confirmed }));
        tookOver.push(...confirmed);
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
      takeOvers: tookOver.map(({ resource, manager, fields }) => ({ ...resource, manager, fields })),
      result: failure ? 'failure' : 'success',
      message: [
        [options.reason, failure?.message ?? plan.summary].filter(Boolean).join(': '),
        tookOver.length ? `Took over from kubectl: ${describeTakeOvers(tookOver)}.` : '',
      ]
        .filter(Boolean)
        .join(' '),
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
        const decided = fieldConflictsOfObject({
          resource: { kind: object.kind, name: object.name, namespace: object.namespace },
          live: (live?.metadata ?? undefined) as KubeObjectMeta | undefined,
          // A conflict naming nobody is treated as an unknown manager: it blocks.
          conflicts: error.conflicts.length ? error.conflicts : [{ manager: 'unknown', fields: [] }],
          yaml: object.yaml,
        });
        plan.findings.push(...decided.findings);
        plan.fieldConflicts = [...(plan.fieldConflicts ?? []), ...decided.conflicts];
        if (decided.conflicts.some(c => c.resolution === 'commit')) {
          object.diff = '';
          continue;
        }
        // What the object would be once the person's fields are taken over (apply asks first).
        result = await this.write(plan.cluster, object, { dryRun: true, force: true });
      }
      object.diff = liveDiff(`${object.kind}/${object.name}`, live, result);
      results.set(object, result);
    }
    return results;
  }

  /**
   * Applies one object. `confirmed` are the take-overs the user confirmed on it: the apply goes
   * without force first, and forces only when the server's conflicts are still exactly those
   * (a controller or new fields since the plan refuse it, nothing changed).
   */
  private async applyOne(
    cluster: string,
    object: PlannedObject,
    options: { force: boolean; confirmed: FieldOwnershipConflict[] },
  ): Promise<AppliedObject> {
    if (object.operation === 'delete') {
      const ref = { apiVersion: object.apiVersion, kind: object.kind, name: object.name, namespace: object.namespace };
      await this.deps.gateway.delete(cluster, ref, { preconditions: deletePreconditions(object) });
      return { kind: object.kind, name: object.name, namespace: object.namespace, result: 'deleted' };
    }
    const before = object.live;
    const after = await this.write(cluster, object, { dryRun: false, force: options.force }).catch(error => {
      if (!(error instanceof FieldManagerConflictError) || options.confirmed.length === 0) throw error;
      if (!takeOverStillConfirmed(options.confirmed, error.conflicts)) {
        throw new ConflictError(
          `${object.kind} ${object.name}: its fields changed owners since the plan (${error.message}); plan again`,
        );
      }
      return this.write(cluster, object, { dryRun: false, force: true });
    });
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

function sameResource(a: ResourceRef, b: ResourceRef): boolean {
  return a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;
}

/** `VirtualService backend: .spec.http from "kubectl"; …` */
function describeTakeOvers(conflicts: FieldOwnershipConflict[]): string {
  return conflicts
    .map(c => `${c.resource.kind} ${c.resource.name}: ${c.fields.join(', ') || 'fields'} from "${c.manager}"`)
    .join('; ');
}
