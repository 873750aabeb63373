// Test support for traffic tests: what a pod's Envoy holds, and waiting for a condition that
// real traffic or Envoy's config shows. Node built-ins only.
import { inNetns } from './host.mjs';
import { readState } from './state.mjs';

/** The first ready served pod of a workload (pod name prefix or `app` label). */
export function podOf(namespace, workload) {
  const pods = (readState()?.pods ?? []).filter(
    p => p.namespace === namespace && p.ready && (p.labels?.app === workload || p.name.startsWith(`${workload}-`)),
  );
  if (!pods.length) throw new Error(`no ready data-plane pod for ${namespace}/${workload}`);
  return pods[0];
}

/** GET on the Envoy admin port (127.0.0.1:15000) inside a pod's network namespace. */
export async function envoyAdmin(netns, pathAndQuery) {
  return inNetns(netns, 'curl', ['-s', '--max-time', '5', `http://127.0.0.1:15000${pathAndQuery}`], { timeoutMs: 10000 });
}

/** Envoy's counters whose names match `regex` (admin /stats?filter=), as { name: value }. */
export async function envoyStats(netns, regex) {
  const text = await envoyAdmin(netns, `/stats?filter=${encodeURIComponent(regex)}`);
  const stats = {};
  for (const line of text.split('\n')) {
    const m = /^(.+): (\d+)$/.exec(line);
    if (m) stats[m[1]] = Number(m[2]);
  }
  return stats;
}

/** Sum of Envoy's counters matching `regex`. */
export async function envoyCounter(netns, regex) {
  return Object.values(await envoyStats(netns, regex)).reduce((a, b) => a + b, 0);
}

/**
 * The weighted clusters Envoy routes `host` to (first matching route of the outbound route
 * config for `port`), as { 'outbound|80|v1|backend.prod.svc.cluster.local': 90, ... }; a single
 * cluster route gives { cluster: 100 }.
 */
export async function envoyRouteWeights(netns, host, port = 80) {
  const dump = JSON.parse(await envoyAdmin(netns, '/config_dump?resource=dynamic_route_configs'));
  for (const c of dump.configs ?? []) {
    const rc = c.route_config;
    if (!rc || rc.name !== String(port)) continue;
    const vh = rc.virtual_hosts.find(v => v.domains.includes(host));
    const route = vh?.routes?.[0]?.route;
    if (!route) return undefined;
    if (route.weighted_clusters) {
      return Object.fromEntries(route.weighted_clusters.clusters.map(w => [w.name, w.weight]));
    }
    return { [route.cluster]: 100 };
  }
  return undefined;
}

/** Polls `check()` until it returns a truthy value (returned), or throws after `timeoutMs`. */
export async function eventually(what, check, timeoutMs = 30000, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e.message;
    }
    await new Promise(r => setTimeout(r, everyMs));
  }
  throw new Error(`${what}: not after ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

// CLI: print the weights a pod's Envoy routes a host with (bin/routes).
//   node probe.mjs --from NS/WORKLOAD HOST [PORT]
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const [flag, from, host, port] = process.argv.slice(2);
  if (flag !== '--from' || !from?.includes('/') || !host) {
    console.error('usage: bin/routes --from NS/WORKLOAD HOST [PORT]');
    process.exit(2);
  }
  const [ns, workload] = from.split('/');
  try {
    console.log(JSON.stringify((await envoyRouteWeights(podOf(ns, workload).netns, host, Number(port || 80))) ?? null));
  } catch (e) {
    console.error(`routes: ${e.message}`);
    process.exit(1);
  }
}
