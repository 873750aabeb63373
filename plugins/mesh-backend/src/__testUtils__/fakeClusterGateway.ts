import { ConflictError } from '@backstage/errors';
import { matchesSelector, parseLabelSelector } from '@mesh-portal/backstage-plugin-mesh-common';
import {
  ClusterGateway,
  ClusterRequestError,
  DeleteOptions,
  KubeJson,
  ListOptions,
  WriteOptions,
} from '../cluster/ClusterGateway';

type Ref = { apiVersion: string; kind: string; name: string; namespace?: string };

/**
 * An in-memory cluster behind the {@link ClusterGateway} interface, for unit tests of the
 * services: objects are keyed by kind, namespace and name; every call is recorded.
 * Server-side apply is a shallow merge that keeps annotations `foreignAnnotations` names (as
 * the apiserver keeps fields another field manager owns).
 */
export class FakeClusterGateway {
  readonly calls: Array<{ op: string; kind: string; name?: string; namespace?: string; dryRun?: boolean; options?: unknown }> = [];
  /** Kinds whose list the cluster role does not grant (403). */
  forbidden = new Set<string>();
  /** Annotations of live objects another field manager owns: apply keeps them. */
  foreignAnnotations: Record<string, string> = {};
  private readonly objects = new Map<string, KubeJson>();
  private version = 100;

  constructor(objects: object[] = [], private readonly cluster = 'local') {
    for (const object of objects) this.put(object as KubeJson);
  }

  asGateway(): ClusterGateway {
    return this as unknown as ClusterGateway;
  }

  listClusters() {
    return [{ name: this.cluster }];
  }

  put(object: KubeJson) {
    const copy = structuredClone(object);
    copy.metadata = {
      ...copy.metadata,
      uid: copy.metadata?.uid ?? `uid-${copy.metadata?.name}`,
      resourceVersion: String(this.version++),
    };
    this.objects.set(key(copy.kind ?? '', copy.metadata?.namespace, copy.metadata?.name ?? ''), copy);
  }

  object(kind: string, namespace: string | undefined, name: string): KubeJson | undefined {
    return this.objects.get(key(kind, namespace, name));
  }

  async list<T extends KubeJson = KubeJson>(_cluster: string, _apiVersion: string, kind: string, options: ListOptions = {}): Promise<T[]> {
    this.calls.push({ op: 'list', kind, namespace: options.namespace, options });
    if (this.forbidden.has(kind)) {
      throw new ClusterRequestError(this.cluster, 403, `list ${kind} on cluster ${this.cluster}: forbidden`);
    }
    const selector = options.labelSelector ? parseLabelSelector(options.labelSelector) : undefined;
    return [...this.objects.values()]
      .filter(o => o.kind === kind)
      .filter(o => !options.namespace || o.metadata?.namespace === options.namespace)
      .filter(o => !selector || matchesSelector(o.metadata?.labels as Record<string, string>, selector))
      .map(o => structuredClone(o) as T);
  }

  async get<T extends KubeJson = KubeJson>(_cluster: string, ref: Ref): Promise<T | null> {
    this.calls.push({ op: 'get', kind: ref.kind, name: ref.name, namespace: ref.namespace });
    const found = this.object(ref.kind, ref.namespace, ref.name);
    return found ? (structuredClone(found) as T) : null;
  }

  async apply<T extends KubeJson = KubeJson>(_cluster: string, object: KubeJson, options: WriteOptions = {}): Promise<T> {
    this.calls.push({ op: 'apply', kind: object.kind ?? '', name: object.metadata?.name, namespace: object.metadata?.namespace, dryRun: options.dryRun });
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

  async patch<T extends KubeJson = KubeJson>(_cluster: string, ref: Ref, body: Record<string, unknown>, _type: string, options: WriteOptions = {}): Promise<T> {
    this.calls.push({ op: 'patch', kind: ref.kind, name: ref.name, namespace: ref.namespace, dryRun: options.dryRun });
    return { ...(this.object(ref.kind, ref.namespace, ref.name) ?? {}), ...body } as T;
  }

  async delete(_cluster: string, ref: Ref, options: DeleteOptions = {}): Promise<void> {
    this.calls.push({ op: 'delete', kind: ref.kind, name: ref.name, namespace: ref.namespace, dryRun: options.dryRun, options });
    const live = this.object(ref.kind, ref.namespace, ref.name);
    const wanted = options.preconditions ?? {};
    if (
      !live ||
      (wanted.uid && wanted.uid !== live.metadata?.uid) ||
      (wanted.resourceVersion && wanted.resourceVersion !== live.metadata?.resourceVersion)
    ) {
      throw new ConflictError(`delete ${ref.kind} ${ref.name}: precondition failed (it changed since it was planned: plan again)`);
    }
    if (!options.dryRun) this.objects.delete(key(ref.kind, ref.namespace, ref.name));
  }
}

function key(kind: string, namespace: string | undefined, name: string) {
  return `${kind}/${namespace ?? ''}/${name}`;
}
