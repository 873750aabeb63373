// Prometheus for the data plane: it runs in the node network namespace (the only place that
// routes to pod IPs) and scrapes every proxy's Envoy stats on :15090/stats/prometheus. Targets
// come from a file the controller rewrites; each carries the pod's namespace, name, app and
// version, so per-version queries group by the `version` label.
import fs from 'node:fs';
import path from 'node:path';
import { writeFile } from './host.mjs';

export const SCRAPE_INTERVAL = '5s';

export function prometheusConfig(targetsFile) {
  return [
    'global:',
    `  scrape_interval: ${SCRAPE_INTERVAL}`,
    `  evaluation_interval: ${SCRAPE_INTERVAL}`,
    'scrape_configs:',
    '  - job_name: envoy-stats',
    '    metrics_path: /stats/prometheus',
    '    file_sd_configs:',
    `      - files: [${JSON.stringify(targetsFile)}]`,
    '        refresh_interval: 5s',
    '',
  ].join('\n');
}

/** file_sd targets: one per running proxy (sidecars and gateways). */
export function scrapeTargets(runtimes) {
  return runtimes
    .filter(r => r.plan.agent)
    .map(r => ({
      targets: [`${r.plan.ip}:15090`],
      labels: {
        namespace: r.plan.namespace,
        pod: r.plan.name,
        app: r.plan.labels.app ?? r.plan.labels['app.kubernetes.io/name'] ?? '',
        version: r.plan.labels.version ?? r.plan.labels['app.kubernetes.io/version'] ?? '',
        role: r.plan.role,
      },
    }));
}

export function writeTargets(dir, runtimes) {
  const file = path.join(dir, 'targets.json');
  // write-then-rename: Prometheus never reads half a file
  writeFile(`${file}.tmp`, JSON.stringify(scrapeTargets(runtimes), null, 1));
  fs.renameSync(`${file}.tmp`, file);
}
