import type { VersionSubset } from '../api/status';
import type { IstioSubset } from '../kube/types';
import { jsonEqual } from '../builders/objects';

/**
 * A subset name for a version label value: the value itself when it is a DNS-1123 label
 * (`v1`), else lower-cased with other characters replaced by `-` (`1.2.0` → `1-2-0`), because
 * DestinationRule subset names must be DNS-1123 labels while version labels need not be.
 *
 * @public
 */
export function subsetNameForVersion(version: string): string {
  const name = version
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return name || 'default';
}

/**
 * The subset each version is (or will be) routed through — the one naming both the status and
 * the canary plan use, so the weights a user sets for version `1.2.0` reach subset `1-2-0`.
 *
 * A subset of the live DestinationRule that selects exactly `{<versionLabel>: <version>}`
 * keeps its name; other versions get {@link subsetNameForVersion}, suffixed when that name is
 * taken. Versions in version order.
 *
 * @public
 */
export function versionSubsets(
  versions: Iterable<string>,
  existingSubsets: IstioSubset[] = [],
  versionLabel = 'version',
): VersionSubset[] {
  const taken = existingSubsets.map(s => s.name);
  const result: VersionSubset[] = [];
  for (const version of [...new Set(versions)].sort(byVersion)) {
    const existing = existingSubsets.find(s =>
      jsonEqual(s.labels ?? {}, { [versionLabel]: version }),
    );
    let name = existing?.name ?? subsetNameForVersion(version);
    if (!existing && taken.includes(name)) name = `${name}-${taken.length}`;
    if (!existing) taken.push(name);
    result.push({ name, version });
  }
  return result;
}

/** Natural version order (`v2` before `v10`). */
function byVersion(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
