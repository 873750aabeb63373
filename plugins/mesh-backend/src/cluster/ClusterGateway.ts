import {
  ApiException,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  V1DeleteOptions,
} from '@kubernetes/client-node';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { LoggerService } from '@backstage/backend-plugin-api';
import { MeshClusterConfig } from './clusterConfig';
import { UnansweredBackoff, UnansweredClusters } from './UnansweredClusters';
import {
  ApiStatus,
  ClusterRequestError,
  getJson,
  openReadConnection,
  parseStatus,
  ReadConnection,
} from './clusterRequest';

export { ClusterRequestError } from './clusterRequest';
export type { ApiStatus } from './clusterRequest';
import type { FieldConflictReport } from '@mesh-portal/backstage-plugin-mesh-common';

/** A Kubernetes object as plain JSON. */
export type KubeJson = KubernetesObject & { [key: string]: unknown };

/** Options of {@link ClusterGateway.list}. */
export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
}

/**
 * REST paths of the kinds the mesh plugin reads on every status: listed over a kept-alive
 * connection and parsed as plain JSON. The client library would open a TLS connection and
 * build typed model objects for every item on every call, which at 1,000 pods more than
 * doubles the latency of a status (bench/README.md).
 */
const READ_PATHS: Record<
  string,
  { base: string; plural: string; namespaced: boolean }
> = {
  'v1/Pod': { base: '/api/v1', plural: 'pods', namespaced: true },
  'v1/Service': { base: '/api/v1', plural: 'services', namespaced: true },
  'v1/Namespace': { base: '/api/v1', plural: 'namespaces', namespaced: false },
  'v1/ConfigMap': { base: '/api/v1', plural: 'configmaps', namespaced: true },
  'apps/v1/Deployment': {
    base: '/apis/apps/v1',
    plural: 'deployments',
    namespaced: true,
  },
  'apps/v1/StatefulSet': {
    base: '/apis/apps/v1',
    plural: 'statefulsets',
    namespaced: true,
  },
  'apps/v1/DaemonSet': {
    base: '/apis/apps/v1',
    plural: 'daemonsets',
    namespaced: true,
  },
  'networking.istio.io/v1/VirtualService': {
    base: '/apis/networking.istio.io/v1',
    plural: 'virtualservices',
    namespaced: true,
  },
  'networking.istio.io/v1/DestinationRule': {
    base: '/apis/networking.istio.io/v1',
    plural: 'destinationrules',
    namespaced: true,
  },
  'networking.istio.io/v1/Gateway': {
    base: '/apis/networking.istio.io/v1',
    plural: 'gateways',
    namespaced: true,
  },
  'security.istio.io/v1/PeerAuthentication': {
    base: '/apis/security.istio.io/v1',
    plural: 'peerauthentications',
    namespaced: true,
  },
  'security.istio.io/v1/AuthorizationPolicy': {
    base: '/apis/security.istio.io/v1',
    plural: 'authorizationpolicies',
    namespaced: true,
  },
  'v1/ServiceAccount': {
    base: '/api/v1',
    plural: 'serviceaccounts',
    namespaced: true,
  },
};

/** Options of writes. */
export interface WriteOptions {
  dryRun?: boolean;
  /** Server-side apply only: take over fields other managers own. */
  force?: boolean;
}

/** Options of {@link ClusterGateway.delete}. */
export interface DeleteOptions {
  dryRun?: boolean;
  /** Delete only this very object, unchanged since it was read (else 409). */
  preconditions?: { uid?: string; resourceVersion?: string };
}

/**
 * A server-side apply conflict: other field managers own fields we would change.
 * `managers` names them (e.g. a GitOps controller).
 */
export class FieldManagerConflictError extends ConflictError {
  /** The managers named, once each. */
  readonly managers: string[];

  constructor(
    message: string,
    /** Per manager, the fields it owns that the apply would change. */
    readonly conflicts: FieldConflictReport[],
  ) {
    super(message);
    this.managers = conflicts.map(c => c.manager);
  }
}

/**
 * A write made against the resourceVersion its plan read found the object changed since (the
 * apiserver's 409 "the object has been modified"): e.g. another replica applied first.
 */
export class ObjectChangedError extends ConflictError {
  constructor(
    readonly cluster: string,
    readonly kind: string,
    readonly objectName: string,
  ) {
    super(
      `${kind} ${objectName} on cluster ${cluster} changed since the plan (another apply came first): plan again`,
    );
  }
}

/**
 * The only module that talks to Kubernetes clusters. It knows the configured clusters, their
 * credentials and timeouts, and offers the few calls the mesh plugin needs: list by selector,
 * get, server-side apply under our field manager (with dry run and conflicts), and patches.
 */
export class ClusterGateway {
  private readonly apis = new Map<string, KubernetesObjectApi>();
  private readonly kubeConfigs = new Map<string, KubeConfig>();
  private readonly readConnections = new Map<string, Promise<ReadConnection>>();
  private readonly unanswered: UnansweredClusters;

  constructor(
    private readonly clusters: MeshClusterConfig[],
    private readonly fieldManager: string,
    private readonly logger: LoggerService,
    private readonly timeoutMs = 10_000,
    unansweredBackoff?: UnansweredBackoff,
  ) {
    // The probe of a down cluster: `/version`, a read every identity may make.
    this.unanswered = new UnansweredClusters(logger, unansweredBackoff, Date.now, async cluster => {
      const connection = await this.readConnection(cluster);
      await getJson(connection, { cluster, what: 'probe /version', path: '/version', timeoutMs: this.timeoutMs, notFoundIsNull: false });
    });
  }

  /**
   * Why reads of the cluster are held back now (it did not answer a moment ago), if they are,
   * so that work made of many reads can skip it at once.
   */
  heldBack(cluster: string, what: string): string | undefined {
    return this.unanswered.heldBack(cluster, what)?.message;
  }

  /** How long one cluster may take to answer a request, or to be read for one status. */
  get requestTimeoutMs(): number {
    return this.timeoutMs;
  }

  /** The configured clusters (names, titles, Kiali URLs, ingress settings; never credentials). */
  listClusters(): Array<
    Pick<
      MeshClusterConfig,
      | 'name'
      | 'title'
      | 'kialiUrl'
      | 'ingressGatewaySelector'
      | 'ingressGatewayNamespace'
    >
  > {
    return this.clusters.map(
      ({
        name,
        title,
        kialiUrl,
        ingressGatewaySelector,
        ingressGatewayNamespace,
      }) => ({
        name,
        title,
        kialiUrl,
        ingressGatewaySelector,
        ingressGatewayNamespace,
      }),
    );
  }

  /** Lists objects of a kind; a kind the cluster does not serve (CRD absent) lists empty. */
  async list<T extends KubeJson = KubeJson>(
    cluster: string,
    apiVersion: string,
    kind: string,
    options: ListOptions = {},
  ): Promise<T[]> {
    const known = READ_PATHS[`${apiVersion}/${kind}`];
    if (known) {
      const scope =
        known.namespaced && options.namespace
          ? `/namespaces/${encodeURIComponent(options.namespace)}`
          : '';
      const query = options.labelSelector
        ? `?labelSelector=${encodeURIComponent(options.labelSelector)}`
        : '';
      const body = await this.read<{ items?: T[] }>(
        cluster,
        `list ${kind}`,
        `${known.base}${scope}/${known.plural}${query}`,
        true,
      );
      const items = body?.items ?? [];
      // List items carry no apiVersion/kind; put them back so objects are self-describing.
      for (const item of items) {
        item.apiVersion = apiVersion;
        item.kind = kind;
      }
      return items;
    }
    try {
      const res = await this.call(cluster, `list ${kind}`, api =>
        api.list<T>(
          apiVersion,
          kind,
          options.namespace,
          undefined,
          undefined,
          undefined,
          undefined,
          options.labelSelector,
        ),
      );
      // List items carry no apiVersion/kind; put them back so objects are self-describing.
      return res.items.map(item => ({ apiVersion, kind, ...item }));
    } catch (error) {
      if (error instanceof ClusterRequestError && error.statusCode === 404)
        return [];
      throw error;
    }
  }

  /** Reads one object; null when it does not exist. */
  async get<T extends KubeJson = KubeJson>(
    cluster: string,
    ref: { apiVersion: string; kind: string; name: string; namespace?: string },
  ): Promise<T | null> {
    const known = READ_PATHS[`${ref.apiVersion}/${ref.kind}`];
    if (known) {
      const scope =
        known.namespaced && ref.namespace
          ? `/namespaces/${encodeURIComponent(ref.namespace)}`
          : '';
      return this.read<T>(
        cluster,
        `get ${ref.kind} ${ref.name}`,
        `${known.base}${scope}/${known.plural}/${encodeURIComponent(ref.name)}`,
        true,
      );
    }
    try {
      return await this.call(cluster, `get ${ref.kind} ${ref.name}`, api =>
        api.read<T>({
          apiVersion: ref.apiVersion,
          kind: ref.kind,
          metadata: { name: ref.name, namespace: ref.namespace },
        } as any),
      );
    } catch (error) {
      if (error instanceof ClusterRequestError && error.statusCode === 404)
        return null;
      throw error;
    }
  }

  /**
   * Server-side apply under our field manager. A `metadata.resourceVersion` in the object is a
   * precondition: the apiserver stores the applied object only at that version, else answers
   * 409, an {@link ObjectChangedError} here (kubernetes staging/src/k8s.io/apiserver/pkg/registry/
   * generic/registry/store.go, Update: a resourceVersion the request sets must match storage's).
   */
  async apply<T extends KubeJson = KubeJson>(
    cluster: string,
    object: KubeJson,
    options: WriteOptions = {},
  ): Promise<T> {
    const name = object.metadata?.name ?? '';
    try {
      return await this.call(cluster, `apply ${object.kind} ${name}`, api =>
        api.patch<T>(
          object as T,
          undefined,
          options.dryRun ? 'All' : undefined,
          this.fieldManager,
          options.force ?? false,
          PatchStrategy.ServerSideApply,
        ),
      );
    } catch (error) {
      if (
        object.metadata?.resourceVersion &&
        error instanceof ClusterRequestError &&
        error.statusCode === 409
      ) {
        throw new ObjectChangedError(cluster, object.kind ?? '', name);
      }
      throw error;
    }
  }

  /** A merge or strategic-merge patch, recorded under our field manager. */
  async patch<T extends KubeJson = KubeJson>(
    cluster: string,
    ref: { apiVersion: string; kind: string; name: string; namespace?: string },
    body: Record<string, unknown>,
    patchType: 'merge' | 'strategic',
    options: WriteOptions = {},
  ): Promise<T> {
    const spec = {
      ...body,
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: {
        ...((body.metadata as object | undefined) ?? {}),
        name: ref.name,
        namespace: ref.namespace,
      },
    };
    return this.call(cluster, `patch ${ref.kind} ${ref.name}`, api =>
      api.patch<T>(
        spec as unknown as T,
        undefined,
        options.dryRun ? 'All' : undefined,
        this.fieldManager,
        undefined,
        patchType === 'merge'
          ? PatchStrategy.MergePatch
          : PatchStrategy.StrategicMergePatch,
      ),
    );
  }

  /**
   * Deletes one object. With `preconditions` the apiserver refuses (409, as a ConflictError
   * here) when the object was replaced or changed since it was read.
   */
  async delete(
    cluster: string,
    ref: { apiVersion: string; kind: string; name: string; namespace?: string },
    options: DeleteOptions = {},
  ): Promise<void> {
    const what = `delete ${ref.kind} ${ref.name}`;
    const body: V1DeleteOptions = {};
    if (options.dryRun) body.dryRun = ['All'];
    if (options.preconditions) body.preconditions = options.preconditions;
    try {
      await this.call(cluster, what, api =>
        api.delete(
          {
            apiVersion: ref.apiVersion,
            kind: ref.kind,
            metadata: { name: ref.name, namespace: ref.namespace },
          },
          undefined,
          options.dryRun ? 'All' : undefined,
          undefined,
          undefined,
          undefined,
          body,
        ),
      );
    } catch (error) {
      if (error instanceof ClusterRequestError && error.statusCode === 409) {
        throw new ConflictError(
          `${error.message} (it changed since it was planned: plan again)`,
        );
      }
      throw error;
    }
  }

  private async read<R>(
    cluster: string,
    what: string,
    path: string,
    notFoundIsNull: boolean,
  ): Promise<R | null> {
    this.unanswered.check(cluster, what);
    try {
      const connection = await this.readConnection(cluster);
      const answer = await getJson<R>(connection, {
        cluster,
        what,
        path,
        timeoutMs: this.timeoutMs,
        notFoundIsNull,
      });
      this.unanswered.answered(cluster);
      return answer;
    } catch (error) {
      if (error instanceof ClusterRequestError && error.statusCode !== undefined) {
        this.unanswered.answered(cluster);
      } else {
        this.unanswered.failed(cluster, error);
      }
      throw error;
    }
  }

  private readConnection(cluster: string): Promise<ReadConnection> {
    let connection = this.readConnections.get(cluster);
    if (!connection) {
      connection = openReadConnection(this.kubeConfig(cluster));
      connection.catch(() => this.readConnections.delete(cluster));
      this.readConnections.set(cluster, connection);
    }
    return connection;
  }

  /** The client library's config of a cluster (the status cache's informers watch with it). */
  kubeConfig(cluster: string): KubeConfig {
    const existing = this.kubeConfigs.get(cluster);
    if (existing) return existing;
    const config = this.clusters.find(c => c.name === cluster);
    if (!config)
      throw new NotFoundError(`cluster ${cluster} is not configured`);
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: config.name,
          server: config.url,
          caData: config.caData,
          caFile: config.caFile,
          skipTLSVerify: config.skipTLSVerify,
        },
      ],
      users: [{ name: 'mesh-portal', token: config.serviceAccountToken }],
      contexts: [
        { name: config.name, cluster: config.name, user: 'mesh-portal' },
      ],
      currentContext: config.name,
    });
    this.kubeConfigs.set(cluster, kc);
    return kc;
  }

  private api(cluster: string): KubernetesObjectApi {
    const existing = this.apis.get(cluster);
    if (existing) return existing;
    const api = KubernetesObjectApi.makeApiClient(this.kubeConfig(cluster));
    this.apis.set(cluster, api);
    return api;
  }

  private async call<R>(
    cluster: string,
    what: string,
    fn: (api: KubernetesObjectApi) => Promise<R>,
  ): Promise<R> {
    const api = this.api(cluster);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ClusterRequestError(
              cluster,
              undefined,
              `${what} on cluster ${cluster}: no answer within ${this.timeoutMs} ms`,
              true,
            ),
          ),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([fn(api), timeout]);
    } catch (error) {
      throw this.translate(cluster, what, error);
    } finally {
      clearTimeout(timer);
    }
  }

  private translate(cluster: string, what: string, error: unknown): Error {
    if (error instanceof ClusterRequestError) return error;
    if (error instanceof ApiException) {
      const status = parseStatus(error.body);
      const message = status?.message ?? String(error.message).split('\n')[0];
      if (
        error.code === 409 &&
        /conflict/i.test(message) &&
        /Apply failed/i.test(message)
      ) {
        return new FieldManagerConflictError(
          `${what} on cluster ${cluster}: ${message}`,
          applyConflicts(status, message),
        );
      }
      return new ClusterRequestError(
        cluster,
        error.code,
        `${what} on cluster ${cluster}: ${message}`,
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    this.logger.debug(`cluster ${cluster}: ${what} failed: ${message}`);
    return new ClusterRequestError(
      cluster,
      undefined,
      `${what} on cluster ${cluster}: ${message}`,
    );
  }
}

/** The `"manager"` a conflict cause or message names (`conflict with "kubectl-edit" using v1`). */
const MANAGER_IN_CONFLICT = /conflicts? with "([^"]+)"/g;

/**
 * Who owns which fields, from an apply conflict: one `FieldManagerConflict` cause per field
 * (k8s.io/apimachinery pkg/util/managedfields/internal/conflict.go `NewConflictError`:
 * `Message: "conflict with <manager>"`, `Field: <path>`); the message's managers when the
 * server gave no causes.
 */
export function applyConflicts(
  status: ApiStatus | undefined,
  message: string,
): FieldConflictReport[] {
  const byManager = new Map<string, string[]>();
  for (const cause of status?.details?.causes ?? []) {
    // metav1.StatusCause serializes its Type as "reason" (observed: {"reason":
    // "FieldManagerConflict","message":"conflict with \"kubectl\"","field":".spec.http"}).
    if (cause.reason !== 'FieldManagerConflict') continue;
    const manager = [
      ...(cause.message ?? '').matchAll(MANAGER_IN_CONFLICT),
    ][0]?.[1];
    if (!manager) continue;
    const fields = byManager.get(manager) ?? [];
    if (cause.field && !fields.includes(cause.field)) fields.push(cause.field);
    byManager.set(manager, fields);
  }
  if (byManager.size === 0) {
    for (const match of message.matchAll(MANAGER_IN_CONFLICT))
      byManager.set(match[1], []);
  }
  return [...byManager].map(([manager, fields]) => ({ manager, fields }));
}
