import { test, expect, Page, Locator } from '@playwright/test';
import { execFileSync } from 'node:child_process';

/**
 * The handbook walked from the portal, against the local mesh with its scenario freshly
 * loaded (scripts/test resets it): a canary on backend, then the STRICT gate on payments,
 * onboarding checkout and payments, and STRICT once every caller has a sidecar.
 */
const shot = (page: Page, name: string) =>
  page.screenshot({ path: `e2e/artifacts/screenshots/${name}.png`, fullPage: true });

const card = (page: Page, title: string): Locator =>
  page
    .locator('[class*="MuiCard-root"]')
    .filter({ has: page.getByText(title, { exact: true }) })
    .first();

async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(page.getByRole('link', { name: 'Catalog' }).first()).toBeVisible();
}

async function openMeshTab(page: Page, name: string) {
  await page.goto(`/catalog/default/component/${name}/mesh`);
  await expect(card(page, 'Sidecars')).toBeVisible();
}

const BACKEND_HOST = 'backend.prod.svc.cluster.local';
/** Runs a local-mesh tool (bin/load, bin/routes) and parses its JSON output. */
const meshTool = (tool: string, ...args: string[]) =>
  JSON.parse(execFileSync(`local-mesh/bin/${tool}`, args, { encoding: 'utf8', timeout: 120_000 }));

test.describe.configure({ mode: 'serial' });

test('canary on backend: 90/10 with a YAML preview, apply, then promote', async ({ page }) => {
  test.setTimeout(300_000);
  await signIn(page);
  await openMeshTab(page, 'backend');
  const sidecars = card(page, 'Sidecars');
  await expect(sidecars.getByText('2 of 2 pods in the mesh')).toBeVisible();
  await expect(sidecars.getByText('Injected').first()).toBeVisible();
  await shot(page, '10-backend-mesh-tab');

  const split = card(page, 'Traffic split');
  await split.getByRole('button', { name: '90/10' }).click();
  await expect(split.getByLabel('Weight for v1')).toHaveValue('90');
  await expect(split.getByLabel('Weight for v2')).toHaveValue('10');
  await split.getByRole('button', { name: 'Preview', exact: true }).click();
  await expect(split.getByText('kind: DestinationRule').first()).toBeVisible();
  await expect(split.getByText('kind: VirtualService').first()).toBeVisible();
  await shot(page, '11-backend-canary-preview');

  await split.getByRole('button', { name: 'Apply', exact: true }).click();
  // The first split replaces the "no split yet" editor with the split's own; the card keeps the
  // apply's result in view above it.
  await expect(split.getByRole('img', { name: 'Traffic split: v1 90%, v2 10%' })).toBeVisible();
  await expect(split.getByRole('heading', { name: /^Applied \(2 objects, audit id / })).toBeVisible();
  await shot(page, '12-backend-canary-90-10');
  // The split the card shows is the split real traffic takes: 1,000 requests from frontend's pod
  // through its Envoy sidecar, once frontend's Envoy holds the new route.
  await expect
    .poll(() => meshTool('routes', '--from', 'prod/frontend', BACKEND_HOST), { timeout: 30_000 })
    .toEqual({ [`outbound|80|v1|${BACKEND_HOST}`]: 90, [`outbound|80|v2|${BACKEND_HOST}`]: 10 });
  const traffic = meshTool('load', '--from', 'prod/frontend', '--count', '1000', '--json', `http://${BACKEND_HOST}/`);
  expect(traffic.byStatus).toEqual({ 200: 1000 });
  expect(Math.abs(traffic.byVersion.v2 / 1000 - 0.1)).toBeLessThanOrEqual(0.03);

  await split.getByRole('button', { name: 'Promote' }).click();
  await expect(split.getByLabel('Weight for v2')).toHaveValue('100');
  await split.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(split.getByRole('img', { name: /Traffic split: v2 100%/ })).toBeVisible();
  await shot(page, '13-backend-promoted');

  const history = card(page, 'Change history');
  await expect(history.getByText('user:default/guest').first()).toBeVisible();
});

test('backend: expose through the ingress gateway', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  await openMeshTab(page, 'backend');
  await card(page, 'Sidecars').getByRole('button', { name: 'Expose through ingress' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: /^Host/ }).fill('backend.example.com');
  await dialog.getByRole('button', { name: 'Preview', exact: true }).click();
  await expect(dialog.getByText('Gateway prod/backend-gateway')).toBeVisible();
  await expect(dialog.getByText('VirtualService prod/backend-ingress')).toBeVisible();
  await shot(page, '14-backend-expose-preview');
  await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(dialog.getByText(/Applied/).first()).toBeVisible();
  await dialog.getByRole('button', { name: /Close|Cancel/ }).first().click();
  await expect(card(page, 'Sidecars').getByText(/Exposed through gateway backend-gateway/)).toBeVisible({
    timeout: 30_000,
  });
});

test('payments: STRICT is refused while checkout has no sidecar', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  await openMeshTab(page, 'payments');
  await card(page, 'mTLS').getByRole('button', { name: /Switch .*to STRICT/ }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText(/would break traffic/)).toBeVisible();
  await expect(dialog.getByText(/checkout/).first()).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Apply', exact: true })).toBeDisabled();
  await shot(page, '20-payments-strict-refused');
  await dialog.getByRole('button', { name: /Cancel|Close/ }).first().click();
});

for (const service of ['checkout', 'payments']) {
  test(`onboard ${service}: pods restart with sidecars`, async ({ page }) => {
    test.setTimeout(300_000);
    await signIn(page);
    await openMeshTab(page, service);
    const sidecars = card(page, 'Sidecars');
    await sidecars.getByRole('button', { name: 'Onboard', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('radio', { name: /Namespace/ }).check();
    await dialog.getByRole('button', { name: 'Preview', exact: true }).click();
    // checkout's onboarding labelled the namespace already; payments' plan is its restart.
    await expect(dialog.getByText(/restartedAt/).first()).toBeVisible();
    await shot(page, `30-${service}-onboard-preview`);
    await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(dialog.getByText(/Applied/).first()).toBeVisible();
    await expect(dialog.getByText('1 of 1 pods in the mesh').or(page.getByText('1 of 1 pods in the mesh')).first()).toBeVisible({ timeout: 120_000 });
    await shot(page, `31-${service}-onboarded`);
    await dialog.getByRole('button', { name: /Close|Cancel/ }).first().click();
    await expect(sidecars.getByText('1 of 1 pods in the mesh')).toBeVisible({ timeout: 60_000 });
  });
}

test('payments: STRICT applies once every caller has a sidecar; Kiali links', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page);
  await openMeshTab(page, 'payments');
  const mtls = card(page, 'mTLS');
  await mtls.getByRole('button', { name: /Switch .*to STRICT/ }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('PeerAuthentication shop/default')).toBeVisible();
  await expect(dialog.getByText(/mode: STRICT/).first()).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Apply', exact: true })).toBeEnabled();
  await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(dialog.getByText(/Applied/).first()).toBeVisible();
  await dialog.getByRole('button', { name: /Close|Cancel/ }).first().click();
  await expect(mtls.getByText('STRICT').first()).toBeVisible({ timeout: 30_000 });
  await shot(page, '40-payments-strict');

  const kiali = card(page, 'Kiali');
  await expect(kiali.getByRole('link', { name: 'Traffic graph' })).toHaveAttribute(
    'href',
    'http://localhost:20001/kiali/console/graph/namespaces?namespaces=shop&graphType=versionedApp',
  );
  await expect(kiali.getByRole('link', { name: 'Workload payments' })).toHaveAttribute(
    'href',
    'http://localhost:20001/kiali/console/namespaces/shop/workloads/payments',
  );
  await expect(kiali.getByRole('link', { name: 'Service payments' })).toHaveAttribute(
    'href',
    'http://localhost:20001/kiali/console/namespaces/shop/services/payments',
  );
});

test('payments: access policy from the Access card — dry-run counts an undeclared caller, enforce refuses it (403) and keeps checkout, remove lets it in again', async ({ page }) => {
  test.setTimeout(360_000);
  const PAYMENTS = 'http://payments.shop.svc.cluster.local/';
  /** Status codes of 20 requests from a pod through its sidecar (bounded: 20 requests). */
  const statuses = (from: string): Record<string, number> =>
    meshTool('load', '--from', from, '--count', '20', '--json', PAYMENTS).byStatus;
  const onlyCode = (from: string, code: string) => {
    const byStatus = statuses(from);
    expect(byStatus, `${from} → payments`).toEqual({ [code]: 20 });
  };
  await signIn(page);
  await openMeshTab(page, 'payments');
  const access = card(page, 'Access');
  await expect(access.getByText(/checkout/).first()).toBeVisible({ timeout: 30_000 });
  await expect(access.getByText('cluster.local/ns/shop/sa/checkout').first()).toBeVisible();

  const applyFromCard = async (button: string, expected: RegExp) => {
    await access.getByRole('button', { name: button, exact: true }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByText(expected).first()).toBeVisible({ timeout: 30_000 });
    await expect(dialog.getByRole('button', { name: 'Apply', exact: true })).toBeEnabled();
    await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(dialog.getByText(/Applied/).first()).toBeVisible({ timeout: 30_000 });
    await dialog.getByRole('button', { name: /Close|Cancel/ }).first().click();
  };

  await applyFromCard('Dry-run', /istio.io\/dry-run/);
  await expect(access.getByText('Dry run (not enforced)')).toBeVisible({ timeout: 30_000 });
  // frontend (prod) is meshed but not a declared caller: in dry-run it still gets through,
  // and payments' sidecar counts its requests; the card shows them once Prometheus scraped.
  await expect(async () => {
    onlyCode('prod/frontend', '200');
    await page.reload();
    await expect(
      card(page, 'Access').getByText(/\b[1-9]\d* requests? would have been denied/),
    ).toBeVisible({ timeout: 10_000 });
  }).toPass({ timeout: 180_000, intervals: [5_000] });
  onlyCode('shop/checkout', '200');
  await shot(page, '45-payments-access-dry-run');

  await applyFromCard('Enforce', /ALLOW/);
  await expect(access.getByText('Enforced', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(async () => onlyCode('prod/frontend', '403')).toPass({ timeout: 60_000, intervals: [2_000] });
  onlyCode('shop/checkout', '200');
  await shot(page, '46-payments-access-enforced');

  await applyFromCard('Remove', /delete|Remove/i);
  await expect(access.getByText('No policy', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(async () => onlyCode('prod/frontend', '200')).toPass({ timeout: 60_000, intervals: [2_000] });
});

test('the overview lists the four services with their mesh state', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  await page.goto('/mesh');
  for (const name of ['frontend', 'backend', 'checkout', 'payments']) {
    await expect(page.getByRole('link', { name, exact: true }).first()).toBeVisible();
  }
  await shot(page, '50-overview');
});

test('backend: health per version with its chart, a guided canary started and watched in the page, and a timeout from the resilience editor', async ({ page }) => {
  test.setTimeout(300_000);
  // Traffic from frontend's pod for Prometheus to see (bounded: at most 60,000 requests or 200 s).
  const { spawn } = await import('node:child_process');
  const traffic = spawn(
    'local-mesh/bin/load',
    ['--from', 'prod/frontend', '--count', '60000', '--concurrency', '2', '--deadline-ms', '200000', '--json', `http://${BACKEND_HOST}/`],
    { stdio: 'ignore' },
  );
  // The expose test bound backend to a gateway, which the card shows as a second split: remove
  // that VirtualService so the card holds the mesh split alone.
  const kubectl = execFileSync('local-mesh/bin/which', ['kubectl'], { encoding: 'utf8' }).trim();
  execFileSync(kubectl, [
    '--kubeconfig', '.local-mesh/kubeconfig', '-n', 'prod', 'delete',
    'virtualservices.networking.istio.io', 'backend-ingress', '--ignore-not-found',
  ]);
  try {
    await signIn(page);
    await openMeshTab(page, 'backend');
    const split = card(page, 'Traffic split');
    // The first test promoted v2, which is now the stable version (Rollback would keep it):
    // send everything to v1 so that v2 is the canary again.
    await split.getByLabel('Weight for v1').fill('100');
    await split.getByLabel('Weight for v2').fill('0');
    await split.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(split.getByRole('img', { name: 'Traffic split: v1 100%' })).toBeVisible({ timeout: 30_000 });

    await split.getByLabel('Steps (% to v2)').fill('10, 50, 100');
    await split.getByLabel('Seconds per step').fill('10');
    await split.getByRole('button', { name: 'Start guided canary' }).click();
    await expect(split.getByText(/Running: v2 at 10 %/)).toBeVisible();
    await expect(split.getByRole('img', { name: 'Traffic split: v1 90%, v2 10%' })).toBeVisible({ timeout: 30_000 });
    // Health of both versions, with numbers, once Prometheus has scraped the new split.
    const health = split.getByRole('table', { name: `Health of ${BACKEND_HOST} per version` }).or(
      split.getByRole('table', { name: /Health of backend/ }),
    );
    await expect(health.first()).toBeVisible({ timeout: 60_000 });
    await expect(health.first().getByText(/\d+(\.\d+)? ?%/).first()).toBeVisible({ timeout: 60_000 });
    await expect(split.getByText(/advance/).first()).toBeVisible({ timeout: 90_000 });
    await shot(page, '15-backend-guided-canary-running');
    await expect(split.getByText(/Completed:/)).toBeVisible({ timeout: 120_000 });
    await expect(split.getByRole('img', { name: 'Traffic split: v2 100%' })).toBeVisible({ timeout: 30_000 });
    await expect(split.getByRole('img', { name: /Success rate per version over the last/ })).toBeVisible({ timeout: 60_000 });
    await shot(page, '16-backend-guided-canary-completed');
  } finally {
    traffic.kill();
  }

  const split = card(page, 'Traffic split');
  await expect(split.getByText(/Istio's default retries/)).toBeVisible();
  await split.getByRole('button', { name: 'Edit timeouts and retries' }).click();
  await split.getByLabel('Timeout', { exact: true }).fill('2s');
  await split.getByLabel('Retry attempts', { exact: true }).fill('3');
  await split.getByLabel('Retry on', { exact: true }).fill('5xx,reset');
  await split.getByRole('button', { name: 'Preview', exact: true }).last().click();
  await expect(split.getByText(/timeout: 2s/).first()).toBeVisible();
  await split.getByRole('button', { name: 'Apply', exact: true }).last().click();
  await expect(split.getByText(/Resilience: timeout 2s · retries 3 on 5xx,reset/)).toBeVisible({ timeout: 30_000 });
  await shot(page, '17-backend-resilience');
});
