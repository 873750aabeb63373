// The frame of a bench script: --help from its header comment, the machine it ran on, its result
// file, and a run that always cleans up (also on SIGINT/SIGTERM) and exits 0 unless it broke.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO } from './apiserver.mjs';
import { fileStamp } from './stats.mjs';

/** Prints the script's header comment (its lines 2..lastLine) and exits. */
export function printHelp(scriptUrl, lastLine) {
  console.log(
    fs
      .readFileSync(fileURLToPath(scriptUrl), 'utf8')
      .split('\n')
      .slice(1, lastLine)
      .join('\n'),
  );
  process.exit(0);
}

export function machineInfo(apiserverVersion) {
  return {
    cpus: os.cpus().length,
    node: process.version,
    apiserver: apiserverVersion.gitVersion,
    loadavg: os.loadavg(),
  };
}

/** Writes bench/results/<name>-<start time>.json (git-ignored) and returns its path. */
export function writeResult(name, started, result) {
  const resultsDir = path.join(REPO, 'bench/results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}-${fileStamp(started)}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** Runs main, then cleanup (once, also on SIGINT/SIGTERM); exits 1 if main threw, else 0. */
export async function runBench(name, main, cleanup) {
  let cleaning;
  const cleanupOnce = () => (cleaning ??= cleanup());
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      console.error(`[${name}] ${sig}: cleaning up`);
      cleanupOnce().finally(() => process.exit(130));
    });
  }
  let exitCode = 0;
  try {
    await main();
  } catch (error) {
    exitCode = 1;
    console.error(`[${name}] FAILED: ${error?.stack ?? error}`);
  } finally {
    await cleanupOnce().catch(e =>
      console.error(`[${name}] cleanup failed: ${e}`),
    );
  }
  process.exit(exitCode);
}
