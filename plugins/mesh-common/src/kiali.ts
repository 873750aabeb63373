import type { KialiLinks } from './api/status';

/**
 * An Istio config object to link to in Kiali.
 *
 * @public
 */
export interface KialiConfigRef {
  kind: string;
  name: string;
  /** API group, e.g. `networking.istio.io`. */
  group: string;
  /** API version, e.g. `v1`. */
  version: string;
  /** Default: the input's namespace. */
  namespace?: string;
}

/**
 * Input of {@link kialiLinks}.
 *
 * @public
 */
export interface KialiLinksInput {
  /** Kiali's URL including its web_root (`https://kiali.example.com/kiali`); a trailing `/` or `/console` is fine. */
  baseUrl: string;
  namespace: string;
  app?: string;
  workloads: string[];
  services: string[];
  config: KialiConfigRef[];
  /** Cluster name as Kiali knows it; set it when Kiali sees several clusters. */
  clusterName?: string;
  /** Graph type (default `versionedApp`). */
  graphType?: 'app' | 'versionedApp' | 'workload' | 'service';
  /** Graph duration in seconds (Kiali snaps to its allowed values); omitted = Kiali's default. */
  durationSeconds?: number;
}

/**
 * Deep links into the Kiali (≥ 2.x) console for one service: namespace graph, app, workload
 * and service details, and Istio config pages (`/istio/{group}/{version}/{Kind}/{name}`), with
 * `clusterName` when given. Path parts are URI-encoded.
 *
 * @public
 */
export function kialiLinks(input: KialiLinksInput): KialiLinks {
  const consoleUrl = `${kialiRoot(input.baseUrl)}/console`;
  const cluster = input.clusterName
    ? `clusterName=${encodeURIComponent(input.clusterName)}`
    : undefined;
  const withCluster = (url: string) =>
    cluster ? `${url}${url.includes('?') ? '&' : '?'}${cluster}` : url;
  const ns = (namespace: string) =>
    `${consoleUrl}/namespaces/${encodeURIComponent(namespace)}`;

  const graphParams = [
    `namespaces=${encodeURIComponent(input.namespace)}`,
    `graphType=${input.graphType ?? 'versionedApp'}`,
    ...(input.durationSeconds !== undefined
      ? [`duration=${Math.round(input.durationSeconds)}`]
      : []),
  ];
  const links: KialiLinks = {
    graph: withCluster(
      `${consoleUrl}/graph/namespaces?${graphParams.join('&')}`,
    ),
    workloads: input.workloads.map(name => ({
      name,
      url: withCluster(
        `${ns(input.namespace)}/workloads/${encodeURIComponent(name)}`,
      ),
    })),
    services: input.services.map(name => ({
      name,
      url: withCluster(
        `${ns(input.namespace)}/services/${encodeURIComponent(name)}`,
      ),
    })),
    config: input.config.map(ref => ({
      kind: ref.kind,
      name: ref.name,
      url: withCluster(
        `${ns(ref.namespace ?? input.namespace)}/istio/${encodeURIComponent(
          ref.group,
        )}/${encodeURIComponent(ref.version)}/${encodeURIComponent(
          ref.kind,
        )}/${encodeURIComponent(ref.name)}`,
      ),
    })),
  };
  if (input.app) {
    links.app = withCluster(
      `${ns(input.namespace)}/applications/${encodeURIComponent(input.app)}`,
    );
  }
  return links;
}

/**
 * The group and version of an Istio object's `apiVersion` (`networking.istio.io/v1beta1` →
 * `{ group: 'networking.istio.io', version: 'v1beta1' }`), for {@link KialiConfigRef}.
 *
 * @public
 */
export function splitApiVersion(apiVersion: string): {
  group: string;
  version: string;
} {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : {
        group: apiVersion.slice(0, slash),
        version: apiVersion.slice(slash + 1),
      };
}

function kialiRoot(baseUrl: string): string {
  let root = baseUrl.trim().replace(/\/+$/, '');
  if (root.endsWith('/console')) {
    root = root.slice(0, -'/console'.length);
  }
  return root;
}
