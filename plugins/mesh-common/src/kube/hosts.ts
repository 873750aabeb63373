/**
 * Host name handling of Istio: short names (`backend`) are relative to the namespace of the
 * object that names them.
 */

/**
 * Expands a host as Istio does for an object in `namespace`: only a short name without any dot
 * (`backend`) becomes `backend.<namespace>.svc.cluster.local`; every host with a dot
 * (`backend.prod`, `backend.prod.svc`) is taken as fully qualified and left as it is
 * (istio/istio pilot/pkg/model/config.go `ResolveShortnameToFQDN`: "if FQDN is specified, do
 * not append domain or namespace to hostname"). So `backend.prod` names no Service for Istio,
 * even where DNS search paths make it resolve.
 *
 * @public
 */
export function fullyQualifiedHost(
  host: string,
  namespace: string,
  clusterDomain = 'cluster.local',
): string {
  if (host === '*' || host.includes('.')) {
    return host;
  }
  return `${host}.${namespace}.svc.${clusterDomain}`;
}

/**
 * For a `<name>.<namespace>` or `<name>.<namespace>.svc` host, which Istio does not expand (see
 * {@link fullyQualifiedHost}), the Service it looks like it means; else `undefined`.
 *
 * @public
 */
export function partiallyQualifiedService(
  host: string,
): { name: string; namespace: string } | undefined {
  const parts = host.split('.');
  if (parts.length === 2 || (parts.length === 3 && parts[2] === 'svc')) {
    return { name: parts[0], namespace: parts[1] };
  }
  return undefined;
}

/**
 * The in-cluster service a host names, if it names one (`backend`, `backend.prod`,
 * `backend.prod.svc.cluster.local`), resolved against `namespace`.
 *
 * @public
 */
export function serviceOfHost(
  host: string,
  namespace: string,
  clusterDomain = 'cluster.local',
): { name: string; namespace: string } | undefined {
  const fqdn = fullyQualifiedHost(host, namespace, clusterDomain);
  const suffix = `.svc.${clusterDomain}`;
  if (!fqdn.endsWith(suffix)) {
    return undefined;
  }
  const parts = fqdn.slice(0, -suffix.length).split('.');
  if (parts.length !== 2) {
    return undefined;
  }
  return { name: parts[0], namespace: parts[1] };
}

/**
 * True when gateway host `pattern` (`*`, `*.example.com`, `shop.example.com`, optionally
 * prefixed `<namespace>/`) covers VirtualService host `host` of a VirtualService in
 * `namespaces.virtualService`. The prefix restricts which namespaces' VirtualServices may bind:
 * `*` any, `.` the Gateway's own (`namespaces.gateway`), `ns` only `ns` (istio/istio
 * pkg/config/analysis/analyzers/virtualservice/gateways.go, `vsHostInGateway`). Without the
 * namespaces the prefix is not checked.
 *
 * @public
 */
export function gatewayHostCovers(
  pattern: string,
  host: string,
  namespaces?: { virtualService: string; gateway: string },
): boolean {
  const slash = pattern.indexOf('/');
  const bare = slash >= 0 ? pattern.slice(slash + 1) : pattern;
  if (slash >= 0 && namespaces) {
    const allowed = pattern.slice(0, slash);
    const expected = allowed === '.' ? namespaces.gateway : allowed;
    if (allowed !== '*' && expected !== namespaces.virtualService) {
      return false;
    }
  }
  if (bare === '*') {
    return true;
  }
  if (host === '*') {
    return false;
  }
  if (bare.startsWith('*.')) {
    const suffix = bare.slice(1);
    if (host.startsWith('*.')) {
      return host.slice(1).endsWith(suffix);
    }
    return host.endsWith(suffix) && host.length > suffix.length;
  }
  return bare === host;
}
