import { matchesSelector, parseLabelSelector } from '@mesh-portal/backstage-plugin-mesh-common';
import { ClusterGateway, KubeJson, ListOptions } from '../cluster/ClusterGateway';

/** A list or get the fake answered: what the code under test asked the cluster. */
export interface FakeRead {
  verb: 'list' | 'get';
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
  name?: string;
}

/**
 * An in-memory cluster behind the {@link ClusterGateway} interface, for unit tests of the
 * services: lists filter by kind, namespace and label selector (the API server's syntax);
 * dry-run writes answer the object as it would be; real writes are recorded.
 */
export class FakeClusterGateway {
  readonly reads: FakeRead[] = [];
  readonly writes: Array<{ kind: string; name: string; body: unknown }> = [];

  constructor(
    readonly objects: KubeJson[],
    private readonly clusters: Array<{ name: string; ingressGatewaySelector?: Record<string, string> }> = [
      { name: 'local' },
    ],
  ) {}

  /** The fake, typed as the gateway the services take. */
  asGateway(): ClusterGateway {
    return this as unknown as ClusterGateway;
  }

  listClusters() {
    return this.clusters;
  }

  async list<T extends KubeJson = KubeJson>(
    _cluster: string,
    apiVersion: string,
    kind: string,
    options: ListOptions = {},
  ): Promise<T[]> {
    this.reads.push({ verb: 'list', apiVersion, kind, ...options });
    const selector = options.labelSelector ? parseLabelSelector(options.labelSelector) : undefined;
    return this.objects
      .filter(o => o.kind === kind && sameGroup(o.apiVersion, apiVersion))
      .filter(o => !options.namespace || o.metadata?.namespace === options.namespace)
      .filter(o => !selector || matchesSelector(o.metadata?.labels ?? {}, selector))
      .map(o => structuredClone(o) as T);
  }

  async get<T extends KubeJson = KubeJson>(
    _cluster: string,
    ref: { apiVersion: string; kind: string; name: string; namespace?: string },
  ): Promise<T | null> {
    this.reads.push({ verb: 'get', ...ref });
    const found = this.objects.find(
      o =>
        o.kind === ref.kind &&
        sameGroup(o.apiVersion, ref.apiVersion) &&
        o.metadata?.name === ref.name &&
        (ref.namespace === undefined || o.metadata?.namespace === ref.namespace),
    );
    return found ? (structuredClone(found) as T) : null;
  }

  async apply(_cluster: string, object: KubeJson, options: { dryRun?: boolean } = {}) {
    if (!options.dryRun) this.writes.push({ kind: object.kind ?? '', name: object.metadata?.name ?? '', body: object });
    return object;
  }

  async patch(
    _cluster: string,
    ref: { apiVersion: string; kind: string; name: string; namespace?: string },
    body: Record<string, unknown>,
    _patchType: string,
    options: { dryRun?: boolean } = {},
  ) {
    if (!options.dryRun) this.writes.push({ kind: ref.kind, name: ref.name, body });
    const live = await this.get(_cluster, ref);
    return { ...(live ?? {}), ...body } as KubeJson;
  }
}

/** `networking.istio.io/v1` and `networking.istio.io/v1beta1` are the same objects. */
function sameGroup(a: string | undefined, b: string): boolean {
  const group = (v: string) => (v.includes('/') ? v.slice(0, v.lastIndexOf('/')) : '');
  return (a ?? '') === b || (a !== undefined && group(a) !== '' && group(a) === group(b));
}
