// What a bench leaves in the cluster, removed in the order that lets each step finish: the
// identity, the namespaces (their pods go with them), then the bench nodes that hold no pods.
import {
  deleteBenchIdentity,
  kubectl,
  waitNamespaceGone,
} from './apiserver.mjs';
import { removeBenchNodes } from './benchNodes.mjs';

export async function deleteBenchCluster({
  namespaces,
  identity,
  timeoutMs,
  log,
}) {
  log(
    `deleting namespaces ${namespaces.join(', ')}, ClusterRoleBinding ${
      identity.clusterRoleBinding
    }, FlowSchema ${identity.flowSchema}`,
  );
  await deleteBenchIdentity(identity);
  await kubectl([
    'delete',
    'namespace',
    ...namespaces,
    '--ignore-not-found',
    '--wait=false',
  ]).catch(e => log(`${e}`));
  const deadline = Date.now() + timeoutMs;
  for (const ns of namespaces) {
    if (!(await waitNamespaceGone(ns, Math.max(0, deadline - Date.now())))) {
      log(
        `namespace ${ns} still terminating after ${
          timeoutMs / 1000
        }s (the namespace controller finishes it); bench nodes left`,
      );
      return;
    }
  }
  log(`namespaces ${namespaces.join(', ')} deleted`);
  await removeBenchNodes({ log });
}
