import { createTwoFilesPatch } from 'diff';
import { toYaml } from '@mesh-portal/backstage-plugin-mesh-common';

/** Fields the apiserver maintains; they would only add noise to a diff. */
function withoutServerFields(object: Record<string, any> | null | undefined) {
  if (!object) return undefined;
  const { status: _status, ...rest } = object;
  const metadata = { ...(rest.metadata ?? {}) };
  for (const key of [
    'managedFields',
    'resourceVersion',
    'generation',
    'uid',
    'creationTimestamp',
    'selfLink',
  ]) {
    delete metadata[key];
  }
  if (metadata.annotations) {
    const annotations = { ...metadata.annotations };
    delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    metadata.annotations = Object.keys(annotations).length
      ? annotations
      : undefined;
    if (!metadata.annotations) delete metadata.annotations;
  }
  return { ...rest, metadata };
}

/**
 * Unified diff between the live object and the server's dry-run result, both as YAML, so the
 * user sees exactly what apply would change (defaults filled in by the server included).
 */
export function liveDiff(
  name: string,
  live: Record<string, any> | null | undefined,
  dryRun: Record<string, any> | null | undefined,
): string {
  // Same writer as the plan's YAML, so a label `version: "yes"` reads the same in both.
  const before = live ? toYaml([withoutServerFields(live)]) : '';
  const after = dryRun ? toYaml([withoutServerFields(dryRun)]) : '';
  return createTwoFilesPatch(
    live ? `live/${name}` : '/dev/null',
    `desired/${name}`,
    before,
    after,
    undefined,
    undefined,
    { context: 3 },
  );
}
