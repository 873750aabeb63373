import pLimit from 'p-limit';
import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { isDeepStrictEqual } from 'node:util';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_KUBERNETES_CLUSTER,
  AccessPolicyMode,
  AppliedObject,
  ClusterAccessError,
  ClusterMeshStatusError,
  ClusterMeshStatusOk,
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
  meshedPodTotals,
  findingCounts,
  needsPropagationPause,
  resolveMeshTarget,
  serviceAccessStatuses,
  toMeshPlan,
} from '@mesh-portal/backstage-plugin-mesh-common';
import {
  ApplyClaim,
  ApplyClaims,
  ApplyInProgressError,
} from '../applyClaims/ApplyClaims';
import { AuditStore } from '../audit/AuditStore';
import {
  ClusterGateway,
  ClusterRequestError,
  FieldManagerConflictError,
  KubeJson,
  ObjectChangedError,
} from '../cluster/ClusterGateway';
import { ClusterUnansweredError } from '../cluster/UnansweredClusters';
import { withClusterDeadline } from '../cluster/clusterDeadline';
import { ClusterReader } from '../cluster/ClusterReader';
import { readClusterSnapshot } from '../cluster/ClusterSnapshot';
import { CACHED_STATUS_REFRESH_MS, WatchCache } from '../cluster/WatchCache';
import { CacheMemo } from '../cluster/CacheMemo';
import { readIngressGatewayWorkloads } from '../cluster/ingressGateways';
import { AccessInputs, gatherAccessInputs } from './accessInputs';
import {
  ObjectOutcome,
  certainlyNotApplied,
  stoppedApplyError,
  stoppedApplyMessage,
} from './applyOutcome';
import { findCallers } from './callers';
import { EntityLookupCache } from './EntityLookupCache';
import { liveDiff } from './liveDiff';
import { planAction, planServiceAccess } from './planAction';
import { statusFromSnapshot } from './statusFromSnapshot';

/** How many entities' statuses the overview reads at once. */
export const OVERVIEW_CONCURRENCY = 8;

const isDefined = <T>(value: T | undefined): value is T => value !== undefined;

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
export type ServiceAccessBase = Omit<ServiceAccess, 'denials'> & {
  pods: string[];
};

/** The access view of the entity in one cluster, before denials are counted. */
export type ClusterAccessBase =
  | { cluster: string; ok: true; services: ServiceAccessBase[] }
  | ClusterAccessError;

/**
 * The mesh plugin's engine: status from the live clusters, plans (no side effects; server-side
 * dry run and diff), apply (make-before-break order, our field manager, audit row).
 */
export class MeshService {
  /** What the server said each object of a plan would become (its dry run). */
  private readonly dryRunResults = new WeakMap<
    MeshPlan,
    Map<PlannedObject, KubeJson>
  >();
  private readonly entities = new EntityLookupCache();
  /** Status rows derived from the watch cache, kept while nothing they read changed. */
  private readonly statusMemo: CacheMemo<ClusterMeshStatusOk> | undefined;

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
      /**
       * Claims on the objects an apply writes, shared by the backend replicas (the plugin's
       * database). Absent in tests of one backend: only the resourceVersion guards then.
       */
      claims?: ApplyClaims;
      logger: LoggerService;
      /** Wait between a DestinationRule and a VirtualService of one plan (make-before-break). */
      propagationDelayMs?: number;
    },
  ) {
    this.statusMemo =
      deps.statusReader instanceof WatchCache
        ? new CacheMemo(deps.statusReader)
        : undefined;
  }

  /**
   * The entity's mesh state in each cluster it names (all configured ones when it names none),
   * read in parallel; a cluster that refuses, fails or does not answer within the request
   * timeout becomes an error row and delays no other.
   */
  async status(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<MeshStatusResponse> {
    return this.statusOf(await this.entity(entityRef, credentials));
  }

  /** The status of an entity the caller already read from the catalog. */
  private async statusOf(entity: Entity): Promise<MeshStatusResponse> {
    const entityRef = stringifyEntityRef(entity);
    const target = this.target(entity);
    const multiCluster = this.deps.gateway.listClusters().length > 1;
    const results = await this.perCluster(
      entityRef,
      target,
      'mesh status',
      async (cluster, snapshot) =>
        statusFromSnapshot(snapshot, {
          kialiUrl: cluster.kialiUrl,
          multiCluster,
        }),
      this.deps.statusReader ?? this.deps.gateway,
      this.statusMemo,
    );
    const refresh = this.deps.statusReader
      ? { refreshMs: CACHED_STATUS_REFRESH_MS }
      : {};
    return {
      entityRef,
      clusters: results,
      ...refresh,
    };
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
    const snapshot = await readClusterSnapshot(
      this.deps.gateway,
      cluster,
      target,
    );
    const callers =
      request.action === 'mtls' && request.mode === 'STRICT'
        ? await findCallers({
            gateway: this.deps.gateway,
            cluster,
            entity,
            serviceNames: entityServices(snapshot).map(
              s => s.metadata?.name ?? '',
            ),
            namespace:
              snapshot.namespaces[0]?.metadata?.name ?? target.namespace ?? '',
            loadEntity: ref =>
              this.deps.catalog.getEntityByRef(ref, { credentials }),
          })
        : [];
    const built = planAction(entity, request, snapshot, {
      callers,
      // Istio picks a caller's DestinationRule by the caller's namespace: read them all.
      destinationRules:
        request.action === 'mtls'
          ? await this.deps.gateway.list<any>(
              cluster,
              'networking.istio.io/v1',
              'DestinationRule',
            )
          : undefined,
      ingressGateways:
        request.action === 'expose'
          ? await this.ingressGateways(cluster)
          : undefined,
      access:
        request.action === 'access'
          ? await this.accessInputs(entity, cluster, snapshot, credentials)
          : undefined,
    });
    const plan = toMeshPlan(request.action, cluster, built.namespace, built);
    const results = await this.dryRun(plan, options.force ?? false);
    this.dryRunResults.set(plan, results);
    if (request.action === 'access' && request.mode !== 'remove') {
      accessModeCheck(
        plan,
        request.mode === 'dry-run' ? 'dry-run' : 'enforced',
        results,
      );
    }
    plan.blocked = plan.findings.some(f => f.blocking);
    return plan;
  }

  /**
   * Who may call each of the entity's Services, per cluster: the live policy, the declared
   * callers with their identities, and what enforcing now would mean (the findings of an
   * `enforce` plan). Denials are counted by the caller (Prometheus is not this service's).
   */
  async accessView(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<{ entityRef: string; clusters: ClusterAccessBase[] }> {
    const entity = await this.entity(entityRef, credentials);
    const target = this.target(entity);
    const clusters = await this.perCluster(
      entityRef,
      target,
      'access view',
      async ({ name: cluster }, snapshot): Promise<ClusterAccessBase> => {
        const services = entityServices(snapshot);
        const inputs = await this.accessInputs(
          entity,
          cluster,
          snapshot,
          credentials,
          services,
        );
        const statuses = serviceAccessStatuses(
          services,
          snapshot.authorizationPolicies,
        );
        return {
          cluster,
          ok: true,
          services: services.map((service, i) => {
            const plan = planServiceAccess(
              stringifyEntityRef(entity),
              { mode: 'enforce' },
              snapshot,
              service,
              inputs,
            );
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
                    Object.entries(selector).every(
                      ([k, v]) => p.metadata?.labels?.[k] === v,
                    ),
                )
                .map(p => p.metadata?.name ?? ''),
            };
          }),
        };
      },
    );
    return { entityRef: stringifyEntityRef(entity), clusters };
  }

  /**
   * Plans again against the live objects and applies in the plan's order (make-before-break),
   * each existing object under the resourceVersion the plan read (so of two appliers racing,
   * the second gets a 409 instead of silently overwriting the first). It stops at the first
   * failure: the error and the audit row say which objects were applied and which not (an
   * object whose answer was lost is read back). Every attempt that reached the cluster, or that
   * a conflict stopped, is audited.
   */
  async apply(
    entityRef: string,
    request: MeshActionRequest,
    credentials: BackstageCredentials,
    options: ApplyOptions,
  ): Promise<MeshApplyResult> {
    let plan: MeshPlan | undefined;
    try {
      plan = await this.plan(entityRef, request, credentials, {
        force: options.force,
      });
      if (plan.blocked) {
        const reasons = plan.findings
          .filter(f => f.blocking)
          .map(f => f.message);
        throw new ConflictError(`plan is blocked: ${reasons.join(' ')}`);
      }
    } catch (error) {
      if (
        error instanceof ConflictError ||
        error instanceof ClusterRequestError
      ) {
        await this.recordApply(entityRef, request, options, {
          cluster:
            plan?.cluster ??
            (error as { cluster?: string }).cluster ??
            request.cluster ??
            '',
          namespace: plan?.namespace ?? '',
          outcomes: [],
          failure: new Error(`${error.message}. Nothing applied`),
        });
      }
      throw error;
    }
    const takeOvers = (plan.fieldConflicts ?? []).filter(
      c => c.resolution === 'take-over',
    );
    if (takeOvers.length > 0 && !options.takeOver && !options.force) {
      const error = new ConflictError(
        `takeOver: this plan takes over fields a person applied with kubectl (${describeTakeOvers(
          takeOvers,
        )}); confirm with takeOver=true to apply`,
      );
      await this.recordNothingApplied(
        entityRef,
        request,
        options,
        plan,
        `${error.message}. Nothing applied`,
      );
      throw error;
    }
    // Of two applies writing one object at the same moment (other replicas included), one
    // writes and the other gets a 409: also for an object the plan creates, which server-side
    // apply cannot make conditional (see ApplyClaims).
    let claim: ApplyClaim | undefined;
    try {
      claim = await this.deps.claims?.claim(
        plan.objects.map(o => ({
          cluster: plan!.cluster,
          apiVersion: o.apiVersion,
          kind: o.kind,
          namespace: o.namespace,
          name: o.name,
        })),
      );
    } catch (error) {
      if (error instanceof ApplyInProgressError) {
        await this.recordNothingApplied(
          entityRef,
          request,
          options,
          plan,
          error.message,
        );
      }
      throw error;
    }
    try {
      return await this.applyPlan(entityRef, request, options, plan, takeOvers);
    } finally {
      await claim
        ?.release()
        .catch(error =>
          this.deps.logger.warn(
            `releasing the apply claims of ${entityRef}: ${error}`,
          ),
        );
    }
  }

  /** Audits an apply refused before its first write. */
  private recordNothingApplied(
    entityRef: string,
    request: MeshActionRequest,
    options: ApplyOptions,
    plan: MeshPlan,
    message: string,
  ) {
    return this.recordApply(entityRef, request, options, {
      cluster: plan.cluster,
      namespace: plan.namespace,
      outcomes: [],
      failure: new Error(message),
    });
  }

  /** Writes the objects of a checked plan in order and audits the attempt. */
  private async applyPlan(
    entityRef: string,
    request: MeshActionRequest,
    options: ApplyOptions,
    plan: MeshPlan,
    takeOvers: FieldOwnershipConflict[],
  ): Promise<MeshApplyResult> {
    const outcomes: ObjectOutcome[] = [];
    const tookOver: FieldOwnershipConflict[] = [];
    let failure: Error | undefined;
    for (const [i, object] of plan.objects.entries()) {
      if (failure) {
        outcomes.push({ object, state: 'not applied' });
        continue;
      }
      try {
        if (i > 0 && needsPropagationPause(plan.objects[i - 1], object)) {
          // make-before-break: the previous object must reach the sidecars first
          await new Promise(resolve =>
            setTimeout(resolve, this.deps.propagationDelayMs ?? 0),
          );
        }
        const confirmed = takeOvers.filter(c =>
          sameResource(c.resource, object),
        );
        const applied = await this.applyOne(plan.cluster, object, {
          force: options.force,
          confirmed,
        });
        outcomes.push({ object, state: 'applied', applied });
        tookOver.push(...confirmed);
      } catch (error) {
        failure = error as Error;
        outcomes.push(await this.outcomeAfterFailure(plan, object, error));
      }
    }
    const message = failure
      ? stoppedApplyMessage(failure, outcomes)
      : undefined;
    const auditId = await this.recordApply(entityRef, request, options, {
      cluster: plan.cluster,
      namespace: plan.namespace,
      outcomes,
      failure: message ? new Error(message) : undefined,
      summary: plan.summary,
      tookOver,
    });
    if (failure) throw stoppedApplyError(failure, message!);
    return {
      auditId,
      applied: outcomes.flatMap(o => (o.applied ? [o.applied] : [])),
      plan,
    };
  }

  history(entityRef: string) {
    return this.deps.audit.list(entityRef);
  }

  /** Mesh adoption across the catalog: one row per entity and cluster. */
  /**
   * One row per entity and reachable cluster. `readable` says which of the catalog's entities
   * the caller may see the mesh data of (the route asks the permission framework in one batch);
   * only those statuses are read.
   */
  async overview(
    credentials: BackstageCredentials,
    readable: (entityRefs: string[]) => Promise<Set<string>> = async refs =>
      new Set(refs),
  ): Promise<MeshOverviewRow[]> {
    const { items } = await this.deps.catalog.getEntities(
      {
        filter: [
          {
            'metadata.annotations.backstage.io/kubernetes-id':
              CATALOG_FILTER_EXISTS,
          },
          {
            'metadata.annotations.backstage.io/kubernetes-label-selector':
              CATALOG_FILTER_EXISTS,
          },
        ],
      },
      { credentials },
    );
    // Statuses are read a few at a time (each is bounded per cluster by the request timeout),
    // so a slow cluster costs the overview one timeout per batch, not one per entity. The
    // entities come from the list above: no catalog round trip per entity (with more entities
    // than the lookup cache holds, those round trips were most of the overview's time).
    const limit = pLimit(OVERVIEW_CONCURRENCY);
    const candidates = items
      .filter(isMeshAvailable)
      .map(entity => ({ entity, ref: stringifyEntityRef(entity) }));
    const allowed = await readable([...new Set(candidates.map(c => c.ref))]);
    const statuses = await Promise.all(
      candidates
        .filter(({ ref }) => allowed.has(ref))
        .map(({ entity, ref }) =>
          limit(async () => {
            try {
              return {
                entity,
                ref,
                status: await this.statusOf(entity),
              };
            } catch (error) {
              this.deps.logger.warn(`overview: ${ref}: ${error}`);
              return undefined;
            }
          }),
        ),
    );
    const rows: MeshOverviewRow[] = [];
    for (const { entity, ref, status } of statuses.filter(isDefined)) {
      for (const cluster of status.clusters) {
        if (!cluster.ok) continue; // the entity's own Mesh tab shows the cluster's error
        const pods = meshedPodTotals(cluster.workloads);
        rows.push({
          entityRef: ref,
          title: entity.metadata.title,
          cluster: cluster.cluster,
          namespace: cluster.namespaces[0]?.name ?? '',
          pods: pods.total,
          meshedPods: pods.meshed,
          mtlsMode: cluster.mtls[0]?.mode ?? 'UNSET',
          canaryInProgress: cluster.trafficSplits.some(s => s.canaryInProgress),
          findings: findingCounts(cluster.findings),
        });
      }
    }
    return rows;
  }

  /** The audit row of an apply: what was applied, and the failure with every object's state. */
  private recordApply(
    entityRef: string,
    request: MeshActionRequest,
    options: ApplyOptions,
    row: {
      cluster: string;
      namespace: string;
      outcomes: ObjectOutcome[];
      failure?: Error;
      summary?: string;
      /** Fields taken over from a person's kubectl, as the user confirmed. */
      tookOver?: FieldOwnershipConflict[];
    },
  ): Promise<string> {
    const tookOver = row.tookOver ?? [];
    return this.deps.audit.record({
      actor: options.actor,
      entityRef,
      cluster: row.cluster,
      namespace: row.namespace,
      params: request,
      objects: row.outcomes
        .filter(o => o.state === 'applied')
        .map(({ object: { kind, name, namespace } }) => ({
          kind,
          name,
          namespace,
        })),
      takeOvers: tookOver.map(({ resource, manager, fields }) => ({
        ...resource,
        manager,
        fields,
      })),
      result: row.failure ? 'failure' : 'success',
      message: [
        [options.reason, row.failure?.message ?? row.summary]
          .filter(Boolean)
          .join(': '),
        tookOver.length
          ? `Took over from kubectl: ${describeTakeOvers(tookOver)}.`
          : '',
      ]
        .filter(Boolean)
        .join(' '),
    });
  }

  /**
   * Where the object whose write failed stands. When the failure leaves it open (no answer in
   * time, a dropped connection), the object is read back: at the planned resourceVersion it was
   * not applied; holding what the dry run said it would, it was.
   */
  private async outcomeAfterFailure(
    plan: MeshPlan,
    object: PlannedObject,
    error: unknown,
  ): Promise<ObjectOutcome> {
    if (certainlyNotApplied(error)) return { object, state: 'not applied' };
    const ref = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.name,
      namespace: object.namespace,
    };
    let live: KubeJson | null;
    try {
      live = await withClusterDeadline(
        plan.cluster,
        `read back ${object.kind} ${object.name}`,
        this.deps.gateway.requestTimeoutMs,
        this.deps.gateway.get(plan.cluster, ref),
      );
    } catch (readError) {
      return {
        object,
        state: 'unknown',
        detail: `could not read it back: ${(readError as Error).message}`,
      };
    }
    const late = 'its answer was lost; read back';
    if (object.operation === 'delete') {
      return live
        ? { object, state: 'not applied' }
        : {
            object,
            state: 'applied',
            applied: { ...refOf(object), result: 'deleted' },
            detail: late,
          };
    }
    const before = (
      object.live?.metadata as { resourceVersion?: string } | undefined
    )?.resourceVersion;
    const now = (live?.metadata as { resourceVersion?: string } | undefined)
      ?.resourceVersion;
    if (live && before === now) return { object, state: 'not applied' };
    if (!live && !object.live) return { object, state: 'not applied' };
    const expected = this.dryRunResults.get(plan)?.get(object);
    if (live && expected && isDeepStrictEqual(live.spec, expected.spec)) {
      const result = appliedResult(object.operation, !object.live, true);
      return {
        object,
        state: 'applied',
        applied: { ...refOf(object), result },
        detail: late,
      };
    }
    return {
      object,
      state: 'unknown',
      detail: 'changed since the plan, but not to what was planned',
    };
  }

  /**
   * Reads the entity's snapshot in each of its clusters at once and turns it into a row with
   * `row`; each cluster is bounded by the request timeout as a whole. A cluster that fails,
   * refuses or is too slow, and one the entity names that is not configured, becomes an
   * error row: one cluster never fails or delays the others.
   */
  private async perCluster<R extends { cluster: string }>(
    entityRef: string,
    target: MeshTarget,
    what: string,
    row: (
      cluster: ReturnType<ClusterGateway['listClusters']>[number],
      snapshot: ClusterSnapshot,
    ) => Promise<R>,
    /** Where the snapshot is read: the live gateway, or the status cache for the status. */
    reader: ClusterReader = this.deps.gateway,
    /**
     * Rows kept while nothing they read changed (status only: a row must depend on nothing
     * but the cluster's snapshot of the target and the portal's configuration).
     */
    memo?: CacheMemo<R>,
  ): Promise<Array<R | ClusterMeshStatusError>> {
    const timeoutMs = this.deps.gateway.requestTimeoutMs;
    const read = this.clustersFor(target).map(
      async (cluster): Promise<R | ClusterMeshStatusError> => {
        // A cluster that did not answer a moment ago: one error row, no reads (and no cache
        // lookups) for it on this poll, and no log line (its outage was logged as it began).
        const heldBack = this.deps.gateway.heldBack(
          cluster.name,
          `read ${what}`,
        );
        if (heldBack) {
          return {
            cluster: cluster.name,
            ok: false,
            error: { message: heldBack },
          };
        }
        try {
          return await withClusterDeadline(
            cluster.name,
            `read ${what}`,
            timeoutMs,
            memo
              ? memo.get(
                  [
                    cluster.name,
                    target.namespace ?? '',
                    target.labelSelector,
                  ].join('\u0000'),
                  cachedReader =>
                    readClusterSnapshot(
                      cachedReader,
                      cluster.name,
                      target,
                    ).then(snapshot => row(cluster, snapshot)),
                )
              : readClusterSnapshot(reader, cluster.name, target).then(
                  snapshot => row(cluster, snapshot),
                ),
          );
        } catch (error) {
          // A cluster that does not answer was logged once when its outage began.
          const log =
            error instanceof ClusterUnansweredError
              ? this.deps.logger.debug
              : this.deps.logger.warn;
          log.call(
            this.deps.logger,
            `${what} of ${entityRef} on ${cluster.name} failed: ${error}`,
          );
          return {
            cluster: cluster.name,
            ok: false,
            error: {
              message: (error as Error).message,
              statusCode: (error as any).statusCode,
            },
          };
        }
      },
    );
    const unknown = this.unconfiguredClusters(target).map(
      (cluster): ClusterMeshStatusError => ({
        cluster,
        ok: false,
        error: {
          message: `cluster ${cluster} (named by ${ANNOTATION_KUBERNETES_CLUSTER}) is not configured in the portal`,
        },
      }),
    );
    return [...(await Promise.all(read)), ...unknown];
  }

  /**
   * Server-side dry run of every object, in order: fills `live` and `diff`; conflicts become
   * findings. Returns what the server would hold for each written object.
   */
  private async dryRun(
    plan: MeshPlan,
    force: boolean,
  ): Promise<Map<PlannedObject, KubeJson>> {
    const results = new Map<PlannedObject, KubeJson>();
    for (const object of [...plan.objects]) {
      const ref = {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.name,
        namespace: object.namespace,
      };
      const live = await this.deps.gateway.get(plan.cluster, ref);
      object.live = live as any;
      if (object.operation === 'delete') {
        if (!live) {
          // Gone since the plan was made: nothing left to delete.
          plan.objects.splice(plan.objects.indexOf(object), 1);
          continue;
        }
        await this.deps.gateway.delete(plan.cluster, ref, {
          dryRun: true,
          preconditions: deletePreconditions(object),
        });
        object.diff = liveDiff(`${object.kind}/${object.name}`, live, null);
        continue;
      }
      let result: KubeJson;
      try {
        result = await this.write(plan.cluster, object, {
          dryRun: true,
          force,
        });
      } catch (error) {
        if (!(error instanceof FieldManagerConflictError)) throw error;
        const decided = fieldConflictsOfObject({
          resource: {
            kind: object.kind,
            name: object.name,
            namespace: object.namespace,
          },
          live: (live?.metadata ?? undefined) as KubeObjectMeta | undefined,
          // A conflict naming nobody is treated as an unknown manager: it blocks.
          conflicts: error.conflicts.length
            ? error.conflicts
            : [{ manager: 'unknown', fields: [] }],
          yaml: object.yaml,
        });
        plan.findings.push(...decided.findings);
        plan.fieldConflicts = [
          ...(plan.fieldConflicts ?? []),
          ...decided.conflicts,
        ];
        if (decided.conflicts.some(c => c.resolution === 'commit')) {
          object.diff = '';
          continue;
        }
        // What the object would be once the person's fields are taken over (apply asks first).
        result = await this.write(plan.cluster, object, {
          dryRun: true,
          force: true,
        });
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
      const ref = {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.name,
        namespace: object.namespace,
      };
      await this.deps.gateway.delete(cluster, ref, {
        preconditions: deletePreconditions(object),
      });
      return {
        kind: object.kind,
        name: object.name,
        namespace: object.namespace,
        result: 'deleted',
      };
    }
    const before = object.live;
    if (!before) {
      // A create cannot carry a resourceVersion precondition: an object that appeared since
      // the plan (another writer than our replicas, whose claims exclude each other) is not
      // overwritten.
      const now = await this.deps.gateway.get(cluster, {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: object.name,
        namespace: object.namespace,
      });
      if (now) throw new ObjectChangedError(cluster, object.kind, object.name);
    }
    const after = await this.write(cluster, object, {
      dryRun: false,
      force: options.force,
    }).catch(error => {
      if (
        !(error instanceof FieldManagerConflictError) ||
        options.confirmed.length === 0
      )
        throw error;
      if (!takeOverStillConfirmed(options.confirmed, error.conflicts)) {
        throw new ConflictError(
          `${object.kind} ${object.name}: its fields changed owners since the plan (${error.message}); plan again`,
        );
      }
      return this.write(cluster, object, { dryRun: false, force: true });
    });
    const changed =
      !before ||
      (before.metadata &&
        (after.metadata as any)?.resourceVersion !==
          (before.metadata as any)?.resourceVersion);
    return {
      kind: object.kind,
      name: object.name,
      namespace: object.namespace,
      result: appliedResult(object.operation, !before, Boolean(changed)),
    };
  }

  private write(
    cluster: string,
    object: PlannedObject,
    options: { dryRun: boolean; force: boolean },
  ) {
    const ref = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.name,
      namespace: object.namespace,
    };
    if (object.operation === 'apply') {
      return this.deps.gateway.apply(
        cluster,
        underPlannedVersion(object),
        options,
      );
    }
    return this.deps.gateway.patch(
      cluster,
      ref,
      object.object,
      object.patchType ?? 'merge',
      { dryRun: options.dryRun },
    );
  }

  /** The ingress gateways running in a cluster and its configured selector (expose). */
  private async ingressGateways(
    cluster: string,
  ): Promise<IngressGatewayChoiceInput> {
    const config = this.deps.gateway
      .listClusters()
      .find(c => c.name === cluster);
    const { pods, deployments } = await readIngressGatewayWorkloads(
      this.deps.gateway,
      cluster,
    );
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
        (
          await this.deps.catalog.getEntitiesByRefs(
            { entityRefs },
            { credentials },
          )
        ).items.map(e => e ?? undefined),
    });
  }

  private async entity(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<Entity> {
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
      if (error instanceof InvalidTargetError)
        throw new InputError(error.message);
      throw error;
    }
  }

  /** The configured clusters the entity names (`backstage.io/kubernetes-cluster`), else all. */
  private clustersFor(target: MeshTarget) {
    const all = this.deps.gateway.listClusters();
    return target.clusters
      ? all.filter(c => target.clusters!.includes(c.name))
      : all;
  }

  /** Clusters the entity names that the portal has no configuration for. */
  private unconfiguredClusters(target: MeshTarget): string[] {
    const configured = new Set(
      this.deps.gateway.listClusters().map(c => c.name),
    );
    return (target.clusters ?? []).filter(name => !configured.has(name));
  }

  private pickCluster(target: MeshTarget, wanted?: string): string {
    const clusters = this.clustersFor(target).map(c => c.name);
    if (wanted) {
      if (!clusters.includes(wanted)) {
        throw new InputError(
          `cluster: ${wanted} is not one of the entity's clusters (${
            clusters.join(', ') || 'none configured'
          })`,
        );
      }
      return wanted;
    }
    if (clusters.length === 0)
      throw new InputError('cluster: no cluster is configured for this entity');
    if (clusters.length > 1)
      throw new InputError(
        `cluster: required, the entity runs on ${clusters.join(', ')}`,
      );
    return clusters[0];
  }
}

/**
 * An object to apply, carrying the resourceVersion of the live object the plan read: the
 * apiserver then refuses it (409) when another applier changed the object since. A new object
 * has none (a create cannot be made conditional with server-side apply).
 */
function underPlannedVersion(object: PlannedObject): KubeJson {
  const resourceVersion = (
    object.live?.metadata as { resourceVersion?: string } | undefined
  )?.resourceVersion;
  const desired = object.object as KubeJson;
  if (!resourceVersion) return desired;
  return { ...desired, metadata: { ...desired.metadata, resourceVersion } };
}

function refOf(object: PlannedObject) {
  return { kind: object.kind, name: object.name, namespace: object.namespace };
}

/** The uid and resourceVersion a planned delete was made for (see planAccess). */
function deletePreconditions(object: PlannedObject) {
  const metadata = (object.object.metadata ?? {}) as {
    uid?: string;
    resourceVersion?: string;
  };
  return { uid: metadata.uid, resourceVersion: metadata.resourceVersion };
}

/**
 * After the dry run of an access plan: the policy the server would hold must be in the mode
 * asked. It is not when another field manager owns the `istio.io/dry-run` annotation (e.g.
 * `kubectl annotate`): server-side apply then leaves it in place, and "enforce" would silently
 * stay a dry run.
 */
function accessModeCheck(
  plan: MeshPlan,
  wanted: AccessPolicyMode,
  results: Map<PlannedObject, KubeJson>,
) {
  for (const [object, result] of results) {
    if (object.kind !== 'AuthorizationPolicy') continue;
    const mode = accessPolicyMode(result as any);
    if (mode === wanted) continue;
    plan.findings.push({
      code: MeshFindingCodes.accessPolicyNotOwned,
      severity: 'error',
      message: `AuthorizationPolicy ${object.name} would stay ${mode}: its istio.io/dry-run annotation is owned by another field manager, which the portal does not override.`,
      resource: {
        kind: object.kind,
        name: object.name,
        namespace: object.namespace,
      },
      hint: 'Remove the annotation with the tool that set it (kubectl annotate … istio.io/dry-run-), then plan again.',
      blocking: true,
    });
  }
}

function appliedResult(
  operation: PlannedObject['operation'],
  created: boolean,
  changed: boolean,
): AppliedObject['result'] {
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
    .map(
      c =>
        `${c.resource.kind} ${c.resource.name}: ${
          c.fields.join(', ') || 'fields'
        } from "${c.manager}"`,
    )
    .join('; ');
}
