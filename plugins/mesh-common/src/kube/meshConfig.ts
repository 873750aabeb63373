import { parse } from 'yaml';

/**
 * Istio's root namespace when meshConfig names none (mesh config `rootNamespace`).
 *
 * @public
 */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

/**
 * Istio's trust domain when meshConfig names none (mesh config `trustDomain`).
 *
 * @public
 */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

/** The shape of istiod's `istio` ConfigMap this module reads. */
type MeshConfigMap = { data?: Record<string, string> } | null | undefined;

const parsedMeshConfigs = new Map<string, Readonly<Record<string, unknown>>>();

function parseMeshConfig(text: string): Readonly<Record<string, unknown>> {
  try {
    const parsed = parse(text);
    if (parsed && typeof parsed === 'object') return parsed;
  } catch {
    // A mesh config istiod could not read either: Istio's defaults apply.
  }
  return {};
}

/**
 * The fields of istiod's MeshConfig: the `mesh` key of its `istio` ConfigMap (YAML). Empty
 * when absent or unreadable: Istio's defaults are then what proxies get.
 */
export function meshConfigFields(
  configMap: MeshConfigMap,
): Readonly<Record<string, unknown>> {
  const text = configMap?.data?.mesh ?? '';
  // Every status reads the same few ConfigMaps: parse each text once (the last few kept).
  let fields = parsedMeshConfigs.get(text);
  if (!fields) {
    fields = parseMeshConfig(text);
    if (parsedMeshConfigs.size >= 8) parsedMeshConfigs.clear();
    parsedMeshConfigs.set(text, fields);
  }
  return fields;
}

/** A non-empty string field of meshConfig (trimmed), else Istio's default. */
export function meshConfigText(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.trim() !== ''
    ? value.trim()
    : fallback;
}
