/*
 * Kubernetes name and label syntax (k8s.io/apimachinery/pkg/util/validation).
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/**
 * True for a DNS-1123 label (namespace, service, subset names): lower-case alphanumerics
 * and `-`, at most 63 characters, starting and ending alphanumeric.
 *
 * @public
 */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

/**
 * True for a DNS-1123 subdomain (most object names, host names): dot-separated labels,
 * at most 253 characters.
 *
 * @public
 */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/**
 * True for a valid label key: optional DNS-1123 subdomain prefix and `/`, then a name of at
 * most 63 characters of alphanumerics, `-`, `_`, `.` starting and ending alphanumeric.
 *
 * @public
 */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) {
    return false;
  }
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}

/**
 * True for a valid label value: empty, or at most 63 characters of alphanumerics, `-`, `_`,
 * `.` starting and ending alphanumeric.
 *
 * @public
 */
export function isLabelValue(value: string): boolean {
  return (
    value === '' || (value.length <= 63 && QUALIFIED_NAME_PART.test(value))
  );
}

/**
 * True for a host an Istio Gateway / VirtualService may list: a DNS-1123 subdomain,
 * optionally with a leading `*.` wildcard, or `*` alone.
 *
 * @public
 */
export function isMeshHostName(value: string): boolean {
  if (value === '*') {
    return true;
  }
  const bare = value.startsWith('*.') ? value.slice(2) : value;
  return isDns1123Subdomain(bare);
}
