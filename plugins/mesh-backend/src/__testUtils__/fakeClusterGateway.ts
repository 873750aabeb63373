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
  ObjectChangedError,
  WriteOptions,
} from '../cluster/ClusterGateway';

type Ref = { apiVersion: string; kind: string; name: string; namespace?: string };

/** A call the fake answered: what the code under test asked the cluster. */
export interface FakeCall {
  op: 'list' | 'get' | 'apply' | 'patch' | 'delete';
  cluster?: string;
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

/**
 * How a cluster misbehaves: `refuse` every connection, answer each request after `delayMs`, or
 * `hang` (never answer).
 */
export type FakeClusterFault = 'refuse' | 'hang' | { delayMs: number };

/**
 * A fault of one write (not a dry run): the apiserver answers `error`; with `landed` the write
 * was stored first (its answer was lost, e.g. past the timeout).
 */
export interface FakeWriteFault {
  error: Error;
  landed?: boolean;
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
  /** Per cluster name: how it misbehaves (see {@link FakeClusterFault}). */
  clusterFaults: Record<string, FakeClusterFault> = {};
  /** Decides per write (dry runs aside) whether it fails; e.g. fail the Nth object of an apply. */
  writeFault?: (call: FakeCall) => FakeWriteFault | undefined;
  /** As the gateway's `mesh.requestTimeoutMs`. */
  requestTimeoutMs = 10_000;
  /**
   * Fields other field managers own, by `Kind/namespace/name`: a server-side apply without
   * force is refused with the apiserver's conflict; a forced one (not a dry run) takes them over.
   */
  readonly fieldOwners = new Map<string, FieldConflictReport[]>();
  private readonly store = new Map<string, KubeJson>();
  private heldWrites?: { count: number; waiting: Array<() => void> };
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

  /** The fake never holds reads back (UnansweredClusters.test.ts covers outages). */
  heldBack(_cluster: string, _what: string): string | undefined {
    return undefined;
  }

  /** Every object the cluster holds now. */
  get objects(): KubeJson[] {
    return [...this.store.values()];
  }

  /** The writes that were not dry runs: what the code under test changed (or tried to). */
  get mutations(): FakeCall[] {
    return this.calls.filter(call => call.op !== 'list' && call.op !== 'get' && !call.dryRun);
  }

  /**
   * Holds the next `count` writes (dry runs aside) until all of them have arrived, then lets
   * them through in arrival order: two appliers then both planned before either wrote.
   */
  holdWrites(count: number) {
    this.heldWrites = { count, waiting: [] };
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

  put(object: KubeJson): KubeJson {
    const copy = structuredClone(object);
    copy.metadata = {
      ...copy.metadata,
      uid: copy.metadata?.uid ?? `uid-${copy.metadata?.name}`,
      resourceVersion: String(this.version++),
    };
    this.store.set(key(copy.kind ?? '', copy.metadata?.namespace, copy.metadata?.name ?? ''), copy);
    return structuredClone(copy);
  }

  object(kind: string, namespace: string | undefined, name: string): KubeJson | undefined {
    return this.store.get(key(kind, namespace, name));
  }

  async list<T extends KubeJson = KubeJson>(
    cluster: string,
    apiVersion: string,
    kind: string,
    options: ListOptions = {},
  ): Promise<T[]> {
    this.calls.push({ op: 'list', cluster, apiVersion, kind, namespace: options.namespace, options });
    await this.misbehave(cluster, `list ${kind}`);
    this.refuseForbidden('list', kind);
    const selector = options.labelSelector ? parseLabelSelector(options.labelSelector) : undefined;
    return this.objects
      .filter(o => o.kind === kind && sameGroup(o.apiVersion, apiVersion))
      .filter(o => !options.namespace || o.metadata?.namespace === options.namespace)
      .filter(o => !selector || matchesSelector((o.metadata?.labels as Record<string, string>) ?? {}, selector))
      .map(o => structuredClone(o) as T);
  }

  async get<T extends KubeJson = KubeJson>(cluster: string, ref: Ref): Promise<T | null> {
    this.calls.push({ op: 'get', cluster, apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: ref.namespace });
    await this.misbehave(cluster, `get ${ref.kind} ${ref.name}`);
    this.refuseForbidden('get', ref.kind);
    const found = this.object(ref.kind, ref.namespace, ref.name);
    return found && sameGroup(found.apiVersion, ref.apiVersion) ? (structuredClone(found) as T) : null;
  }

  async apply<T extends KubeJson = KubeJson>(cluster: string, object: KubeJson, options: WriteOptions = {}): Promise<T> {
    const call: FakeCall = {
      op: 'apply',
      cluster,
      apiVersion: object.apiVersion,
      kind: object.kind ?? '',
      name: object.metadata?.name,
      namespace: object.metadata?.namespace,
      dryRun: options.dryRun,
      force: options.force ?? false,
      options: { resourceVersion: object.metadata?.resourceVersion },
    };
    this.calls.push(call);
    await this.misbehave(cluster, `apply ${call.kind} ${call.name}`);
    if (!options.dryRun) await this.waitForHeldWrites();
    const objectKey = key(object.kind ?? '', object.metadata?.namespace, object.metadata?.name ?? '');
    const owners = this.fieldOwners.get(objectKey) ?? [];
    if (owners.length > 0 && !options.force) {
      const fields = owners.flatMap(o => o.fields.map(f => `conflict with "${o.manager}": ${f}`));
      throw new FieldManagerConflictError(`Apply failed with ${fields.length} conflicts: ${fields.join('; ')}`, owners);
    }
    if (owners.length > 0 && !options.dryRun) this.fieldOwners.delete(objectKey);
    const live = this.object(object.kind ?? '', object.metadata?.namespace, object.metadata?.name ?? '');
    // As the apiserver: a resourceVersion in the applied object is a precondition.
    const wanted = object.metadata?.resourceVersion;
    if (wanted && live && wanted !== live.metadata?.resourceVersion) {
      throw new ObjectChangedError(cluster, call.kind, call.name ?? '');
    }
    const fault = options.dryRun ? undefined : this.writeFault?.(call);
    if (fault && !fault.landed) throw fault.error;
    const kept = Object.fromEntries(
      Object.entries((live?.metadata?.annotations as Record<string, string>) ?? {}).filter(([k]) => k in this.foreignAnnotations),
    );
    const result = structuredClone(object);
    result.metadata = {
      ...live?.metadata,
      ...result.metadata,
      annotations: { ...kept, ...(result.metadata?.annotations as Record<string, string> | undefined) },
    };
    const written = options.dryRun ? result : this.put(result);
    if (fault) throw fault.error;
    return written as T;
  }

  async patch<T extends KubeJson = KubeJson>(
    cluster: string,
    ref: Ref,
    body: Record<string, unknown>,
    _type: string,
    options: WriteOptions = {},
  ): Promise<T> {
    const call: FakeCall = { op: 'patch', cluster, apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: ref.namespace, dryRun: options.dryRun };
    this.calls.push(call);
    await this.misbehave(cluster, `patch ${ref.kind} ${ref.name}`);
    const fault = options.dryRun ? undefined : this.writeFault?.(call);
    if (fault) throw fault.error;
    return { ...(this.object(ref.kind, ref.namespace, ref.name) ?? {}), ...body } as T;
  }

  async delete(cluster: string, ref: Ref, options: DeleteOptions = {}): Promise<void> {
    this.calls.push({
      op: 'delete',
      cluster,
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      name: ref.name,
      namespace: ref.namespace,
      dryRun: options.dryRun,
      options,
    });
    await this.misbehave(cluster, `delete ${ref.kind} ${ref.name}`);
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

  /** The cluster's fault, as the real gateway reports it (refused, or past the timeout). */
  private async misbehave(cluster: string, what: string) {
    const fault = this.clusterFaults[cluster];
    if (fault === 'refuse') {
      throw new ClusterRequestError(cluster, undefined, `${what} on cluster ${cluster}: connect ECONNREFUSED 127.0.0.1:1`);
    }
    if (fault === 'hang') {
      await new Promise(() => undefined);
    } else if (fault) {
      await new Promise(resolve => setTimeout(resolve, fault.delayMs).unref());
    }
  }

  private async waitForHeldWrites() {
    const held = this.heldWrites;
    if (!held) return;
    await new Promise<void>(resolve => {
      held.waiting.push(resolve);
      if (held.waiting.length === held.count) {
        this.heldWrites = undefined;
        // in arrival order; what follows the wait in a write is synchronous, so each completes first
        held.waiting.reduce((previous, release) => previous.then(release), Promise.resolve());
      }
    });
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
