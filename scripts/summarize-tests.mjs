// Sums the results of every test runner used by scripts/test into one closing line,
// "N passed, N failed, N skipped", and exits non-zero when any test or step failed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, ...failedSteps] = process.argv.slice(2);
// Steps that are not test runners (type check, lint, mesh start, portal start) count as one
// failure each; a failing test runner's failures are already counted by its own report.
const testSteps = new Set(['unit-and-integration', 'local-mesh-tests', 'backend-smoke', 'mcp', 'traffic', 'browser']);
const total = { passed: 0, failed: 0, skipped: 0 };
const add = (name, r) => {
  console.log(`${name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
  total.passed += r.passed;
  total.failed += r.failed;
  total.skipped += r.skipped;
};
const read = f => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : undefined);

const jest = read('jest.json');
if (jest) {
  const j = JSON.parse(jest);
  add('jest', {
    passed: j.numPassedTests,
    failed: j.numFailedTests + (j.numRuntimeErrorTestSuites ?? 0),
    skipped: j.numPendingTests + j.numTodoTests,
  });
}
for (const tap of ['local-mesh.tap', 'smoke.tap', 'mcp.tap', 'replicas.tap', 'traffic.tap']) {
  const t = read(tap);
  if (!t) continue;
  const n = key => Number((t.match(new RegExp(`^# ${key} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  add(tap, { passed: n('pass'), failed: n('fail') + n('cancelled'), skipped: n('skipped') + n('todo') });
}
const pw = read('playwright.json');
if (pw) {
  const s = JSON.parse(pw).stats;
  add('playwright', { passed: s.expected + s.flaky, failed: s.unexpected, skipped: s.skipped });
}
const stepFailures = failedSteps.filter(s => !testSteps.has(s)).length;
const failed = total.failed + stepFailures;
console.log(`${total.passed} passed, ${failed} failed, ${total.skipped} skipped`);
process.exit(failed > 0 || failedSteps.length > 0 || total.passed === 0 ? 1 : 0);
