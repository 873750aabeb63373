import { KubeConfig } from '@kubernetes/client-node';
import https from 'node:https';

/**
 * A Kubernetes API call that failed; `statusCode` is the apiserver's answer, if any (none when
 * the cluster refused the connection or did not answer; `timedOut` says which).
 */
export class ClusterRequestError extends Error {
  constructor(
    readonly cluster: string,
    readonly statusCode: number | undefined,
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'ClusterRequestError';
  }
}

/** The parts of a Kubernetes `Status` body read here. */
export interface ApiStatus {
  message?: string;
  reason?: string;
  details?: {
    causes?: Array<{ reason?: string; message?: string; field?: string }>;
  };
}

export function parseStatus(body: unknown): ApiStatus | undefined {
  if (body && typeof body === 'object') return body as { message?: string };
  if (typeof body === 'string') {
    try {
      return JSON.parse(body);
    } catch {
      return { message: body };
    }
  }
  return undefined;
}

/** A kept-alive connection to one cluster, set up from the client library's KubeConfig. */
export interface ReadConnection {
  server: string;
  agent: https.Agent;
  headers: Record<string, string>;
}

/**
 * Reads go around the client library's typed APIs: plain JSON over one kept-alive agent (the
 * typed models turn timestamps into Dates and cost more than the request at thousands of pods).
 * The library still resolves CA, client certificates and the bearer token from the config.
 */
export async function openReadConnection(
  kc: KubeConfig,
  maxSockets = 16,
): Promise<ReadConnection> {
  const options: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets,
    ca: options.ca,
    cert: options.cert,
    key: options.key,
    rejectUnauthorized: options.rejectUnauthorized,
  });
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.headers ?? {}))
    headers[key] = String(value);
  return {
    server: kc.getCurrentCluster()!.server.replace(/\/$/, ''),
    agent,
    headers,
  };
}

/**
 * GET of a REST path as JSON; 404 → null when `notFoundIsNull` (a CRD not served lists empty).
 * The timeout bounds the whole request (connect, answer and body), not only idle time, so a
 * cluster that trickles its answer cannot hold a caller longer than its timeout.
 */
export function getJson<R>(
  connection: ReadConnection,
  request: {
    cluster: string;
    what: string;
    path: string;
    timeoutMs: number;
    notFoundIsNull: boolean;
  },
): Promise<R | null> {
  const { cluster, what, path, timeoutMs, notFoundIsNull } = request;
  return new Promise<R | null>((resolve, reject) => {
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined = undefined;
    const fail = (status: number | undefined, message: string) => {
      clearTimeout(timer);
      reject(
        new ClusterRequestError(
          cluster,
          status,
          `${what} on cluster ${cluster}: ${message}`,
          timedOut,
        ),
      );
    };
    const req = https.get(
      `${connection.server}${path}`,
      {
        agent: connection.agent,
        headers: { ...connection.headers, accept: 'application/json' },
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', chunk => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status === 404 && notFoundIsNull) {
            resolve(null);
          } else if (status < 200 || status >= 300) {
            fail(status, parseStatus(text)?.message ?? text.slice(0, 200));
          } else {
            try {
              resolve(JSON.parse(text) as R);
            } catch (error) {
              fail(status, `unreadable answer (${error})`);
            }
          }
        });
        res.on('error', error => fail(undefined, error.message));
      },
    );
    timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', error => fail(undefined, error.message));
  });
}
