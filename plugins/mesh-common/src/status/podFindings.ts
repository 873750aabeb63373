import type { Finding, FindingSeverity } from '../api/findings';

/**
 * Findings about single pods listed per code in a status (e.g. IST0103, one per pod without
 * its sidecar). Beyond this many, the rest of the code is one line: a workload of thousands of
 * pods without sidecars is one problem, and the status stays small.
 *
 * @public
 */
export const MAX_LISTED_POD_FINDINGS_PER_CODE = 20;

/**
 * Keeps at most `limit` pod findings per code (in the order given) and replaces the rest of
 * each code by one finding that counts them, with the severity, blocking flag and hint of the
 * first. Findings about other kinds of object pass unchanged, in order.
 *
 * @public
 */
export function capPodFindings(
  findings: readonly Finding[],
  limit: number = MAX_LISTED_POD_FINDINGS_PER_CODE,
): Finding[] {
  const kept: Finding[] = [];
  const beyond = new Map<
    string,
    { first: Finding; count: number; namespaces: Set<string> }
  >();
  const listed = new Map<string, number>();
  for (const finding of findings) {
    if (finding.resource?.kind !== 'Pod') {
      kept.push(finding);
      continue;
    }
    const count = listed.get(finding.code) ?? 0;
    if (count < limit) {
      listed.set(finding.code, count + 1);
      kept.push(finding);
      continue;
    }
    const rest = beyond.get(finding.code);
    if (rest) {
      rest.count += 1;
      if (finding.resource.namespace)
        rest.namespaces.add(finding.resource.namespace);
    } else {
      beyond.set(finding.code, {
        first: finding,
        count: 1,
        namespaces: new Set(
          finding.resource.namespace ? [finding.resource.namespace] : [],
        ),
      });
    }
  }
  for (const [code, { first, count, namespaces }] of beyond) {
    const where =
      namespaces.size > 0 ? ` in ${[...namespaces].sort().join(', ')}` : '';
    kept.push({
      code,
      severity: first.severity,
      blocking: first.blocking,
      hint: first.hint,
      count,
      message: `${count.toLocaleString('en-US')} more pod${
        count === 1 ? '' : 's'
      }${where} with the same finding (${code}), not listed one by one.`,
    });
  }
  return kept;
}

/**
 * Findings by severity, each counted as the number of findings it stands for (a finding that
 * sums up 4,980 pods counts 4,980): what the overview and the summary card show.
 *
 * @public
 */
export function findingCounts(
  findings: readonly Finding[],
): Record<FindingSeverity, number> {
  const counts: Record<FindingSeverity, number> = {
    error: 0,
    warning: 0,
    info: 0,
  };
  for (const finding of findings)
    counts[finding.severity] += finding.count ?? 1;
  return counts;
}
