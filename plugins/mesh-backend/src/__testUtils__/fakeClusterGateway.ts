import { ConflictError } from '@backstage/errors';
import {
  FieldConflictReport,
  matchesSelector,
  parseLabelSelector,
} from '@mesh-portal/backstage-plugin-mesh-common';
import {
  ClusterGateway,
  ClusterRequestError,
  DeleteOptions,
  FieldManagerConflictError,
  KubeJson,
  ListOptions,
  WriteOptions,
} from '../cluster/ClusterGateway';

type Ref = { apiVersion: string; kind: string; name: string; namespace?: string };

/** A call the fake answered: what the code under test asked the cluster. */
export interface FakeCall {
  op: 'list' | 'get' | 'apply' | 'patch' | 'delete';
  apiVersion?: string;
  kind: string;
  name?: string;
  namespace?: string;
  dryRun?: boolean;
  /** Server-side apply with force. */
  force?: boolean;
  options?: unknown;
}

/** A list or get the fake answered (the reads among {@link FakeCall}s). */
export interface FakeRead {
  verb: 'list' | 'get';
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
  name?: string;
}

/** A cluster as `mesh.clusters` configures it. */
export interface FakeCluster {
  name: string;
  ingressGatewaySelector?: Record<string, string>;
}

/**
 * An in-memory cluster behind the {@link ClusterGateway} interface, for unit tests of the
 * services: objects are keyed by kind, namespace and name; lists filter by kind, API group,
 * namespace and label selector (the API server's syntax); every call is recorded.
 * Server-side apply is a shallow merge that keeps annotations `foreignAnnotations` names (as
 * the apiserver keeps fields another field manager owns).
 */
export class FakeClusterGateway {
  readonly calls: FakeCall[] = [];
  /** Kinds whose list or get the cluster role does not grant (403). */
  forbidden = new Set<string>();
  /** Annotations of live objects another field manager owns: apply keeps them. */
  foreignAnnotations: Record<string, string> = {};
  /**
   * Fields other field managers own, by `Kind/namespace/name`: a server-side apply without
   * force is refused with the apiserver's conflict; a forced one (not a dry run) takes them over.
   */
  readonly fieldOwners = new Map<string, FieldConflictReport[]>();
  private readonly store = new Map<string, KubeJson>();
  private readonly clusters: FakeCluster[];
  private version = 100;

  /**
   * @param objects - the cluster's objects
   * @param clusters - the cluster's name, or the configured clusters (the first one answers)
   */
  constructor(objects: object[] = [], clusters: string | FakeCluster[] = 'local') {
    this.clusters = typeof clusters === 'string' ? [{ name: clusters }] : clusters;
    for (const object of objects) this.put(object as KubeJson);
  }

  /** The fake, typed as the gateway the services take. */
  asGateway(): ClusterGateway {
    return this as unknown as ClusterGateway;
  }

  listClusters() {
    return this.clusters;
  }

  /** Every object the cluster holds now. */
  get objects(): KubeJson[] {
    return [...this.store.values()];
  }

  /** The lists and gets answered so far. */
  get reads(): FakeRead[] {
    return this.calls.flatMap(call =>
      call.op === 'list' || call.op === 'get'
        ? [
            {
              verb: call.op,
              apiVersion: call.apiVersion ?? '',
              kind: call.kind,
              ...(call.op === 'get' ? { name: call.name } : {}),
              ...(call.op === 'list' ? (call.options as ListOptions) : { namespace: call.namespace }),
            },
          ]
        : [],
    );
  }

  put(object: KubeJson) {
    const copy = structuredClone(object);
    copy.metadata = {
      ...copy.metadata,
      uid: copy.metadata?.uid ?? `uid-${copy.metadata?.name}`,
      resourceVersion: String(this.version++),
    };
    this.store.set(key(copy.kind ?? '', copy.metadata?.namespace, copy.metadata?.name ?? ''), copy);
  }

  object(kind: string, namespace: string | undefined, name: string): KubeJson | undefined {
    return this.store.get(key(kind, namespace, name));
  }

  async list<T extends KubeJson = KubeJson>(
    _cluster: string,
    apiVersion: string,
    kind: string,
    options: ListOptions = {},
  ): Promise<T[]> {
    this.calls.push({ op: 'list', apiVersion, kind, namespace: options.namespace, options });
    this.refuseForbidden('list', kind);
    const selector = options.labelSelector ? parseLabelSelector(options.labelSelector) : undefined;
    return this.objects
      .filter(o => o.kind === kind && sameGroup(o.apiVersion, apiVersion))
      .filter(o => !options.namespace || o.metadata?.namespace === options.namespace)
      .filter(o => !selector || matchesSelector((o.metadata?.labels as Record<string, string>) ?? {}, selector))
      .map(o => structuredClone(o) as T);
  }

  async get<T extends KubeJson = KubeJson>(_cluster: string, ref: Ref): Promise<T | null> {
    this.calls.push({ op: 'get', apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: ref.namespace });
    this.refuseForbidden('get', ref.kind);
    const found = this.object(ref.kind, ref.namespace, ref.name);
    return found && sameGroup(found.apiVersion, ref.apiVersion) ? (structuredClone(found) as T) : null;
  }

  async apply<T extends KubeJson = KubeJson>(_cluster: string, object: KubeJson, options: WriteOptions = {}): Promise<T> {
    this.calls.push({
      op: 'apply',
      apiVersion: object.apiVersion,
      kind: object.kind ?? '',
      name: object.metadata?.name,
      namespace: object.metadata?.namespace,
      dryRun: options.dryRun,
      force: options.force ?? false,
    });
    const objectKey = key(object.kind ?? '', object.metadata?.namespace, object.metadata?.name ?? '');
    const owners = this.fieldOwners.get(objectKey) ?? [];
    if (owners.length > 0 && !options.force) {
      const fields = owners.flatMap(o => o.fields.map(f => `conflict with "${o.manager}": ${f}`));
      throw new FieldManagerConflictError(`Apply failed with ${fields.length} conflicts: ${fields.join('; ')}`, owners);
    }
    if (owners.length > 0 && !options.dryRun) this.fieldOwners.delete(objectKey);
    const live = this.object(object.kind ?? '', object.metadata?.namespace, object.metadata?.name ?? '');
    const kept = Object.fromEntries(
      Object.entries((live?.metadata?.annotations as Record<string, string>) ?? {}).filter(([k]) => k in this.foreignAnnotations),
    );
    const result = structuredClone(object);
    result.metadata = {
      ...live?.metadata,
      ...result.metadata,
      annotations: { ...kept, ...(result.metadata?.annotations as Record<string, string> | undefined) },
    };
    if (!options.dryRun) this.put(result);
    return result as T;
  }

  async patch<T extends KubeJson = KubeJson>(
    _cluster: string,
    ref: Ref,
    body: Record<string, unknown>,
    _type: string,
    options: WriteOptions = {},
  ): Promise<T> {
    this.calls.push({ op: 'patch', apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: ref.namespace, dryRun: options.dryRun });
    return { ...(this.object(ref.kind, ref.namespace, ref.name) ?? {}), ...body } as T;
  }

  async delete(_cluster: string, ref: Ref, options: DeleteOptions = {}): Promise<void> {
    this.calls.push({
      op: 'delete',
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      name: ref.name,
      namespace: ref.namespace,
      dryRun: options.dryRun,
      options,
    });
    const live = this.object(ref.kind, ref.namespace, ref.name);
    const wanted = options.preconditions ?? {};
    if (
      !live ||
      (wanted.uid && wanted.uid !== live.metadata?.uid) ||
      (wanted.resourceVersion && wanted.resourceVersion !== live.metadata?.resourceVersion)
    ) {
      throw new ConflictError(`delete ${ref.kind} ${ref.name}: precondition failed (it changed since it was planned: plan again)`);
    }
    if (!options.dryRun) this.store.delete(key(ref.kind, ref.namespace, ref.name));
  }

  private refuseForbidden(verb: string, kind: string) {
    if (this.forbidden.has(kind)) {
      const cluster = this.clusters[0]?.name ?? 'local';
      throw new ClusterRequestError(cluster, 403, `${verb} ${kind} on cluster ${cluster}: forbidden`);
    }
  }
}

/** The key of {@link FakeClusterGateway.fieldOwners}. */
export function key(kind: string, namespace: string | undefined, name: string) {
  return `${kind}/${namespace ?? ''}/${name}`;
}

/**
 * `networking.istio.io/v1` and `networking.istio.io/v1beta1` are the same objects; an object
 * without `apiVersion` matches any.
 */
function sameGroup(a: string | undefined, b: string): boolean {
  const group = (v: string) => (v.includes('/') ? v.slice(0, v.lastIndexOf('/')) : '');
  return a === undefined || a === b || (group(a) !== '' && group(a) === group(b));
}
