import { test, expect, APIRequestContext } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * The "Meshed service" template end to end in the running portal: the scaffolder's dry-run
 * API renders it, real istioctl analyzes the output, the manifests apply to the local mesh,
 * and once its catalog-info.yaml is registered the new entity's Mesh tab shows its pods.
 */
const repo = resolve(__dirname, '..');
const backend = process.env.BACKEND_URL ?? 'http://localhost:7007';
const templateDir = join(repo, 'catalog/templates/meshed-service');
const outDir = join(repo, '.data/e2e-template-output');
const name = 'ledger';

function meshEnv(): Record<string, string> {
  const text = readFileSync(join(repo, '.local-mesh/portal.env'), 'utf8');
  return Object.fromEntries(
    [...text.matchAll(/^(?:export\s+)?([A-Z0-9_]+)=(.*)$/gm)].map(m => [m[1], m[2].replace(/^['"]|['"]$/g, '')]),
  );
}

async function guestToken(request: APIRequestContext) {
  const res = await request.get(`${backend}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  expect(res.status()).toBe(200);
  return (await res.json()).backstageIdentity.token as string;
}

function filesUnder(dir: string, prefix = ''): Array<{ path: string; base64Content: string }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
    entry.isDirectory()
      ? filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [{ path: `${prefix}${entry.name}`, base64Content: readFileSync(join(dir, entry.name)).toString('base64') }],
  );
}

test('the Meshed service template renders, passes istioctl analyze, applies, and shows on its Mesh tab', async ({
  page,
  request,
}) => {
  test.setTimeout(300_000);
  const env = meshEnv();
  const kubectl = (...args: string[]) =>
    execFileSync(env.LOCAL_MESH_KUBECTL, ['--kubeconfig', env.LOCAL_MESH_KUBECONFIG, ...args], { encoding: 'utf8' });
  execFileSync(env.LOCAL_MESH_KUBECTL, ['--kubeconfig', env.LOCAL_MESH_KUBECONFIG, 'delete', 'namespace', name, '--ignore-not-found', '--wait=true']);
  const token = await guestToken(request);
  const auth = { authorization: `Bearer ${token}` };

  // 1. Render with the scaffolder's dry-run API, the way the template editor does.
  const template = parse(readFileSync(join(templateDir, 'template.yaml'), 'utf8'));
  const dryRun = await request.post(`${backend}/api/scaffolder/v2/dry-run`, {
    headers: auth,
    data: {
      template,
      values: {
        name,
        owner: 'group:default/platform-team',
        image: 'gcr.io/google-samples/hello-app:1.0',
        namespace: name,
        port: 8080,
        protocol: 'http',
        mtlsMode: 'PERMISSIVE',
        expose: true,
        host: 'ledger.example.com',
      },
      secrets: {},
      directoryContents: filesUnder(join(templateDir, 'skeleton'), 'skeleton/'),
    },
  });
  const body = await dryRun.json();
  expect(dryRun.status(), JSON.stringify(body).slice(0, 2000)).toBe(200);
  // Each step's log ends in "completed"; none failed.
  const statuses = (body.log as Array<{ body: { stepId?: string; status?: string } }>)
    .filter(l => l.body.stepId && l.body.status)
    .map(l => `${l.body.stepId}:${l.body.status}`);
  expect(statuses).not.toContainEqual(expect.stringMatching(/:failed$/));
  expect(statuses).toEqual(expect.arrayContaining(['skeleton:completed', 'manifests:completed']));

  rmSync(outDir, { recursive: true, force: true });
  for (const file of body.directoryContents as Array<{ path: string; base64Content: string }>) {
    mkdirSync(dirname(join(outDir, file.path)), { recursive: true });
    writeFileSync(join(outDir, file.path), Buffer.from(file.base64Content, 'base64'));
  }
  const manifests = readdirSync(join(outDir, 'k8s')).map(f => join(outDir, 'k8s', f));
  expect(manifests.length).toBeGreaterThanOrEqual(7);

  // 2. Istio judges the output (all namespaces: offline analysis otherwise sees only default).
  const analysis = execFileSync(
    env.LOCAL_MESH_ISTIOCTL,
    ['analyze', '--use-kube=false', '--all-namespaces', '-o', 'json', ...manifests],
    { encoding: 'utf8' },
  );
  const serious = (analysis.trim() ? JSON.parse(analysis) : []).filter(
    (m: any) => m.level === 'Error' || m.level === 'Warning',
  );
  expect(serious).toEqual([]);

  // 3. It applies to the local mesh; istiod injects the new pods.
  kubectl('apply', '--server-side', '--field-manager=meshed-service-template-e2e', '-f', join(outDir, 'k8s'));
  await expect
    .poll(
      () => {
        const pods = JSON.parse(kubectl('get', 'pods', '-n', name, '-l', `app=${name}`, '-o', 'json')).items;
        return pods.filter((p: any) =>
          [...(p.spec.initContainers ?? []), ...p.spec.containers].some((c: any) => c.name === 'istio-proxy') &&
          p.status.phase === 'Running',
        ).length;
      },
      { timeout: 120_000 },
    )
    .toBe(1);

  // 4. Register its catalog-info.yaml by URL, as publish + catalog:register would (served
  //    from here; scripts/portal-for-tests allows the backend to read localhost:7099).
  const server = createServer((req, res) => {
    if (req.url === '/ledger/catalog-info.yaml') {
      res.writeHead(200, { 'content-type': 'text/yaml' }).end(readFileSync(join(outDir, 'catalog-info.yaml')));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>(ok => server.listen(7099, '127.0.0.1', () => ok()));
  const location = await request.post(`${backend}/api/catalog/locations`, {
    headers: auth,
    data: { type: 'url', target: 'http://localhost:7099/ledger/catalog-info.yaml' },
  });
  expect(location.status(), await location.text()).toBe(201);
  const locationId = (await location.json()).location.id;
  try {
    await expect
      .poll(async () => (await request.get(`${backend}/api/catalog/entities/by-name/component/default/${name}`, { headers: auth })).status(), {
        timeout: 60_000,
      })
      .toBe(200);

    await page.goto('/');
    await page.getByRole('button', { name: 'Enter' }).click();
    await expect(page.getByRole('link', { name: 'Catalog' }).first()).toBeVisible();
    await page.goto(`/catalog/default/component/${name}/mesh`);
    await expect(page.getByText('1 of 1 pods in the mesh')).toBeVisible({ timeout: 60_000 });
    await page.screenshot({ path: 'e2e/artifacts/screenshots/60-template-ledger-mesh-tab.png', fullPage: true });
  } finally {
    await request.delete(`${backend}/api/catalog/locations/${locationId}`, { headers: auth });
    server.close();
    kubectl('delete', 'namespace', name, '--wait=false');
  }
});
