// A small Kubernetes API client for the data plane (Node built-ins only): JSON requests and
// list+watch informers that relist on 410 Gone and reconnect with backoff.
import https from 'node:https';
import fs from 'node:fs';

export class KubeClient {
  /** @param {{server: string, token: string, caFile: string}} opts */
  constructor(opts) {
    this.server = new URL(opts.server);
    this.token = opts.token;
    this.agent = new https.Agent({ ca: fs.readFileSync(opts.caFile), keepAlive: true, maxSockets: 8 });
  }

  request(method, path, body, { timeoutMs = 15000, stream, contentType = 'application/json' } = {}) {
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: this.server.hostname,
          port: this.server.port,
          method,
          path,
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.token}`,
            accept: 'application/json',
            ...(body ? { 'content-type': contentType } : {}),
          },
          timeout: timeoutMs,
        },
        res => {
          if (stream && res.statusCode === 200) return resolve(res);
          let data = '';
          res.setEncoding('utf8');
          res.on('data', d => (data += d));
          res.on('end', () => {
            let json;
            try {
              json = data ? JSON.parse(data) : undefined;
            } catch {
              json = undefined;
            }
            if (res.statusCode >= 200 && res.statusCode < 300) resolve(json);
            else {
              const err = new Error(`${method} ${path}: HTTP ${res.statusCode} ${json?.message ?? data.slice(0, 200)}`);
              err.statusCode = res.statusCode;
              reject(err);
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout after ${timeoutMs} ms`)));
      req.on('error', reject);
      if (body) req.end(JSON.stringify(body));
      else req.end();
    });
  }

  get(path) {
    return this.request('GET', path);
  }
  post(path, body) {
    return this.request('POST', path, body);
  }
  delete(path) {
    return this.request('DELETE', path);
  }
}

/**
 * A list+watch cache of one collection (e.g. `/api/v1/pods`). `onChange()` is called after the
 * first list and after every event. Relists on 410 Gone; reconnects with backoff on errors.
 */
export class Informer {
  constructor(client, path, { onChange, log }) {
    this.client = client;
    this.path = path;
    this.onChange = onChange;
    this.log = log;
    this.items = new Map();
    this.stopped = false;
    this.synced = false;
  }

  key(o) {
    return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  }

  async start() {
    let backoff = 500;
    while (!this.stopped) {
      try {
        const list = await this.client.get(this.path);
        this.items = new Map(list.items.map(o => [this.key(o), o]));
        this.synced = true;
        this.onChange();
        await this.watch(list.metadata.resourceVersion);
        backoff = 500;
      } catch (e) {
        if (this.stopped) return;
        this.log(`watch ${this.path}: ${e.message}; relisting in ${backoff} ms`);
        await new Promise(r => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 10000);
      }
    }
  }

  /** Streams watch events until the server closes the watch or it expires (410). */
  async watch(resourceVersion) {
    let rv = resourceVersion;
    while (!this.stopped) {
      const sep = this.path.includes('?') ? '&' : '?';
      const res = await this.client.request(
        'GET',
        `${this.path}${sep}watch=1&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=${rv}`,
        undefined,
        { timeoutMs: 330000, stream: true },
      );
      this.response = res;
      const gone = await new Promise((resolve, reject) => {
        let buf = '';
        let expired = false;
        res.setEncoding('utf8');
        res.on('data', chunk => {
          buf += chunk;
          let nl;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (!line.trim()) continue;
            const ev = JSON.parse(line);
            if (ev.type === 'ERROR') {
              expired = ev.object?.code === 410;
              if (!expired) this.log(`watch ${this.path}: ${ev.object?.message}`);
              res.destroy();
              continue;
            }
            rv = ev.object.metadata.resourceVersion;
            if (ev.type === 'BOOKMARK') continue;
            if (ev.type === 'DELETED') this.items.delete(this.key(ev.object));
            else this.items.set(this.key(ev.object), ev.object);
            this.onChange();
          }
        });
        res.on('end', () => resolve(expired));
        res.on('close', () => resolve(expired));
        res.on('error', reject);
      });
      if (gone) return; // relist
    }
  }

  stop() {
    this.stopped = true;
    this.response?.destroy();
  }
}
