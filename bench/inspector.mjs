// The bench backends' V8 inspector (`--inspect=127.0.0.1:<port>`, see backend.mjs): one session
// over the DevTools protocol, and what the benches ask through it (CPU profiles in
// status-bench.mjs, the memory breakdown below).

/** Opens a session on the backend's inspector; `send(method, params)` resolves with the result. */
export async function inspectorSession(port) {
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const ws = new WebSocket(list[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error('inspector websocket failed'));
  });
  let id = 0;
  const pending = new Map();
  ws.onmessage = ev => {
    const msg = JSON.parse(ev.data);
    if (msg.id && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    }
  };
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const mid = ++id;
      pending.set(mid, m =>
        m.error
          ? reject(new Error(`${method}: ${m.error.message}`))
          : resolve(m.result),
      );
      ws.send(JSON.stringify({ id: mid, method, params }));
    });
  return { send, close: () => ws.close() };
}

/** Where a profile frame's code lives: a package, `plugins/<x>/src/<file>`, node internals. */
export function sourceOf(url) {
  if (!url) return null;
  let m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  m = /\/(plugins|packages)\/([^/]+)\/src\/(.*)$/.exec(url);
  if (m) return `${m[1]}/${m[2]}/${m[3]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url.replace(/^file:\/\//, '');
}

/**
 * Starts V8's sampling heap profiler: from here on, a sample of allocations is recorded with
 * its stack, and what is still alive at {@link heapBreakdown} is attributed to where it was
 * allocated. Start it before the work whose memory is to be told apart (the informers start
 * on the first status call).
 */
export async function startHeapSampling(session) {
  await session.send('HeapProfiler.enable');
  await session.send('HeapProfiler.startSampling', {
    samplingInterval: 64 * 1024,
  });
}

/**
 * The backend's memory after a full GC: process figures (`process.memoryUsage()`: RSS, V8 heap
 * used and reserved, external and ArrayBuffers) and the live heap allocated since
 * {@link startHeapSampling}, by the project file (or else the package) nearest to the
 * allocation on its stack. Stops the sampling.
 */
export async function heapBreakdown(session) {
  await session.send('HeapProfiler.collectGarbage');
  const { profile } = await session.send('HeapProfiler.getSamplingProfile');
  await session.send('HeapProfiler.stopSampling');
  const { result } = await session.send('Runtime.evaluate', {
    expression: 'JSON.stringify(process.memoryUsage())',
    returnByValue: true,
  });
  const usage = JSON.parse(result.value);
  const bySource = new Map();
  let sampled = 0;
  const walk = (node, nearest) => {
    const source = sourceOf(node.callFrame.url);
    const own =
      source?.startsWith('plugins/') || source?.startsWith('packages/')
        ? source
        : null;
    const here = own ?? nearest ?? source ?? null;
    const ours = own ?? nearest;
    if (node.selfSize > 0) {
      const bucket = here ?? `(native) ${node.callFrame.functionName || 'V8'}`;
      bySource.set(bucket, (bySource.get(bucket) ?? 0) + node.selfSize);
      sampled += node.selfSize;
    }
    for (const child of node.children ?? []) walk(child, ours);
  };
  walk(profile.head, null);
  const mb = bytes => Number((bytes / 1024 / 1024).toFixed(1));
  return {
    rssMb: mb(usage.rss),
    heapUsedMb: mb(usage.heapUsed),
    heapTotalMb: mb(usage.heapTotal),
    externalMb: mb(usage.external),
    arrayBuffersMb: mb(usage.arrayBuffers),
    /** Live heap allocated since sampling started (estimated from samples). */
    sampledLiveMb: mb(sampled),
    liveMbBySource: Object.fromEntries(
      [...bySource]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12)
        .map(([k, v]) => [k, mb(v)]),
    ),
  };
}
