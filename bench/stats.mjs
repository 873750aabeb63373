// Timing and statistics shared by the benchmarks (bench/README.md "Method").

export const sleep = ms => new Promise(r => setTimeout(r, ms));
export const now = () => performance.now();

/** A logger to stderr with the bench's name and the time of day, so stdout holds only the summary. */
export const makeLog =
  name =>
  (...a) =>
    console.error(`[${name} ${new Date().toISOString().slice(11, 19)}]`, ...a);

/** The q-quantile of sorted samples by linear interpolation between closest ranks (numpy's default). */
export function quantile(sorted, q) {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function stats(samples) {
  const s = [...samples].sort((x, y) => x - y);
  return {
    n: s.length,
    p50: quantile(s, 0.5),
    p95: quantile(s, 0.95),
    min: s[0],
    max: s[s.length - 1],
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

export const fmt = (v, d = 1) =>
  typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : String(v);

/** Runs fn once; its result with the wall time in ms. */
export async function timeIt(fn) {
  const t0 = now();
  const r = await fn();
  return { ms: now() - t0, ...r };
}

/** A result file name's time part: the start time without characters file systems dislike. */
export const fileStamp = date => date.toISOString().replace(/[:.]/g, '-');
