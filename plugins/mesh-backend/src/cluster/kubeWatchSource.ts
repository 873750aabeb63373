import {
  KubeConfig,
  KubernetesListObject,
  Watch,
} from '@kubernetes/client-node';
import { KubeJson } from './ClusterGateway';
import { getJson, openReadConnection, ReadConnection } from './clusterRequest';
import { WatchSource } from './KindInformer';

/**
 * A {@link WatchSource} on a real apiserver: the client library's Watch, and full lists as
 * plain JSON over the gateway's kind of read connection (clusterRequest.ts). One list of all
 * namespaces can be large (10k pods): `timeoutMs` is long.
 */
export function kubeWatchSource(
  cluster: string,
  kubeConfig: KubeConfig,
  timeoutMs = 60_000,
): WatchSource {
  const watch = new Watch(kubeConfig);
  let connection: Promise<ReadConnection> | undefined;
  const connect = () => {
    connection ??= openReadConnection(kubeConfig, 4);
    connection.catch(() => {
      connection = undefined;
    });
    return connection;
  };
  return {
    watch,
    async list(path) {
      const list = await getJson<KubernetesListObject<KubeJson>>(
        await connect(),
        {
          cluster,
          what: `list ${path}`,
          path,
          timeoutMs,
          notFoundIsNull: false,
        },
      );
      return list!;
    },
  };
}
