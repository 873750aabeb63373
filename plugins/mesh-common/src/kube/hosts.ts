/**
 * Host name handling of Istio: short names (`backend`) are relative to the namespace of the
 * object that names them.
 */

/**
 * Expands a host as Istio does for an object in `namespace`: `backend` →
 * `backend.<namespace>.svc.cluster.local`, `backend.prod` → `backend.prod.svc.cluster.local`,
 * `backend.prod.svc` → `backend.prod.svc.cluster.local`; anything else unchanged.
 *
 * @public
 */
export function fullyQualifiedHost(
  host: string,
  namespace: string,
  clusterDomain = 'cluster.local',
): string {
  if (host === '*' || host.startsWith('*.')) {
    return host;
  }
  const parts = host.split('.');
  if (parts.length === 1) {
    return `${host}.${namespace}.svc.${clusterDomain}`;
  }
  if (parts.length === 2) {
    return `${host}.svc.${clusterDomain}`;
  }
  if (parts.length === 3 && parts[2] === 'svc') {
    return `${host}.${clusterDomain}`;
  }
  return host;
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
 * prefixed `ns/`) covers VirtualService host `host`.
 *
 * @public
 */
export function gatewayHostCovers(pattern: string, host: string): boolean {
  const bare = pattern.includes('/')
    ? pattern.slice(pattern.indexOf('/') + 1)
    : pattern;
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
