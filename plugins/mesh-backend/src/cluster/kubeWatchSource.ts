import { KubeConfig, KubernetesListObject, Watch } from '@kubernetes/client-node';
import https from 'node:https';
import { ClusterRequestError, KubeJson } from './ClusterGateway';
import { WatchSource } from './KindInformer';

/**
 * A {@link WatchSource} on a real apiserver: the client library's Watch, and full lists as
 * plain JSON (the library's typed list would turn timestamps into Dates and cost more than
 * the list itself at 10k pods). One list of all namespaces can be large: `timeoutMs` is long.
 */
export function kubeWatchSource(cluster: string, kubeConfig: KubeConfig, timeoutMs = 60_000): WatchSource {
  const watch = new Watch(kubeConfig);
  let agent: Promise<{ agent: https.Agent; headers: Record<string, string>; server: string }> | undefined;
  const connection = () => {
    agent ??= (async () => {
      const options: https.RequestOptions = {};
      await kubeConfig.applyToHTTPSOptions(options);
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(options.headers ?? {})) headers[key] = String(value);
      return {
        agent: new https.Agent({
          keepAlive: true,
          ca: options.ca,
          cert: options.cert,
          key: options.key,
          rejectUnauthorized: options.rejectUnauthorized,
        }),
        headers,
        server: kubeConfig.getCurrentCluster()!.server.replace(/\/$/, ''),
      };
    })();
    agent.catch(() => {
      agent = undefined;
    });
    return agent;
  };
  return {
    watch,
    async list(path) {
      const { agent: httpsAgent, headers, server } = await connection();
      return new Promise<KubernetesListObject<KubeJson>>((resolve, reject) => {
        const fail = (status: number | undefined, message: string) =>
          reject(new ClusterRequestError(cluster, status, `list ${path} on cluster ${cluster}: ${message}`));
        const req = https.get(
          `${server}${path}`,
          { agent: httpsAgent, headers: { ...headers, accept: 'application/json' }, timeout: timeoutMs },
          res => {
            const chunks: Buffer[] = [];
            res.on('data', chunk => chunks.push(chunk));
            res.on('error', error => fail(undefined, error.message));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              const status = res.statusCode ?? 0;
              if (status < 200 || status >= 300) {
                fail(status, text.slice(0, 200));
                return;
              }
              try {
                resolve(JSON.parse(text));
              } catch (error) {
                fail(status, `unreadable answer (${error})`);
              }
            });
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on('error', error => fail(undefined, error.message));
      });
    },
  };
}
