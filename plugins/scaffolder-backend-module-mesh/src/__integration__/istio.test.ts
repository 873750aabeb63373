/*
 * The generated manifests judged by real Istio and a real API server (local-mesh/bin/up):
 * `istioctl analyze` on the files, then server-side apply into a fresh namespace.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createMeshManifestsGenerateAction } from '../actions/generateManifests';
import { createMockActionContext } from '../__testUtils__/mockActionContext';

// local-mesh/testing is a CommonJS helper outside the workspaces, not a package.
type LocalMesh = typeof import('../../../../local-mesh/testing'); // eslint-disable-line @backstage/no-relative-monorepo-imports
const localMesh: LocalMesh = require('../../../../local-mesh/testing'); // eslint-disable-line @backstage/no-relative-monorepo-imports

jest.setTimeout(300_000);

interface AnalyzerMessage {
  code: string;
  level: 'Error' | 'Warning' | 'Info';
  message: string;
  origin?: string;
}

/**
 * `istioctl analyze` on files only. `-A` matters: without it istioctl reports only messages
 * about the `default` namespace and passes anything else vacuously. Exit code 0 even with
 * errors in `-o json` mode, so the JSON is what is judged.
 */
async function analyze(files: string[]): Promise<AnalyzerMessage[]> {
  const result = await localMesh.istioctl([
    'analyze',
    '--use-kube=false',
    '--all-namespaces',
    '-o',
    'json',
    ...files,
  ]);
  if (result.code !== 0) {
    throw new Error(
      `istioctl analyze failed (${result.code}): ${result.stderr}`,
    );
  }
  return JSON.parse(result.stdout) as AnalyzerMessage[];
}

const notInfo = (messages: AnalyzerMessage[]) =>
  messages.filter(m => m.level !== 'Info');

describe('generated manifests against real Istio', () => {
  let namespace: string;

  beforeAll(async () => {
    await localMesh.ensureMesh();
    namespace = await localMesh.freshNamespace('scaffolder-mesh');
  }, 600_000);

  afterAll(async () => {
    if (namespace) await localMesh.deleteNamespace(namespace);
  });

  async function generate(input: Record<string, unknown>) {
    const ctx = await createMockActionContext({
      input: {
        name: 'meshed',
        namespace,
        port: 8080,
        protocol: 'http',
        image: 'gcr.io/google-samples/hello-app:1.0',
        ...input,
      },
    });
    await createMeshManifestsGenerateAction().handler(ctx);
    return (ctx.outputs.files as string[]).map(f =>
      path.join(ctx.workspacePath, f),
    );
  }

  it('catches a broken bundle (the harness is not vacuous)', async () => {
    const [bundle] = await generate({ output: 'bundle' });
    const broken = `${bundle}.broken.yaml`;
    const text = await fs.readFile(bundle, 'utf8');
    await fs.writeFile(
      broken,
      text.replace(/^(\s+)subset: v1$/m, '$1subset: v9'),
    );
    const messages = await analyze([broken]);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'IST0101', level: 'Error' }),
      ]),
    );
  });

  it.each([
    ['files, http, PERMISSIVE', { output: 'files' }],
    [
      'bundle, grpc, STRICT',
      { output: 'bundle', protocol: 'grpc', mtlsMode: 'STRICT' },
    ],
    [
      'bundle, http2, exposed',
      {
        output: 'bundle',
        protocol: 'http2',
        expose: true,
        hosts: ['meshed.example.com'],
      },
    ],
    [
      'files, tcp, v2, 2 replicas',
      { output: 'files', protocol: 'tcp', version: 'v2', replicas: 2 },
    ],
  ])(
    '%s: istioctl analyze reports no error and no warning',
    async (_case, input) => {
      const files = await generate(input);
      expect(notInfo(await analyze(files))).toEqual([]);
    },
  );

  it.each([
    ['http, PERMISSIVE', {}],
    [
      'grpc, STRICT, exposed, 2 replicas',
      {
        protocol: 'grpc',
        mtlsMode: 'STRICT',
        expose: true,
        hosts: ['meshed.example.com'],
        replicas: 2,
      },
    ],
    ['tcp, v2', { protocol: 'tcp', version: 'v2' }],
  ])(
    '%s: kubectl reads every generated file as the YAML library does (nothing YAML 1.1 would retype)',
    async (_case, input) => {
      const files = await generate({ output: 'files', ...input });
      for (const file of files) {
        const text = await fs.readFile(file, 'utf8');
        const ours = parseAllDocuments(text).map(d => d.toJS());
        expect(ours).toHaveLength(1);
        // kubectl decodes as for apply (sigs.k8s.io/yaml, YAML 1.1 scalars) and prints the
        // object back unchanged; no server is contacted.
        const read = await localMesh.kubectl([
          'patch',
          '--local',
          '-f',
          file,
          '--type',
          'merge',
          '-p',
          '{}',
          '-o',
          'json',
        ]);
        expect(read.stderr).toBe('');
        expect({
          file: path.basename(file),
          object: JSON.parse(read.stdout),
        }).toEqual({
          file: path.basename(file),
          object: ours[0],
        });
      }
    },
  );

  it('the bundle passes server-side dry-run apply (schemas, Istio validation webhook)', async () => {
    const [bundle] = await generate({
      output: 'bundle',
      expose: true,
      hosts: ['meshed.example.com'],
      mtlsMode: 'STRICT',
    });
    const result = await localMesh.kubectl([
      'apply',
      '--server-side',
      '--dry-run=server',
      '--field-manager=mesh-scaffolder-test',
      '-f',
      bundle,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /gateway\.networking\.istio\.io\/meshed-gateway serverside-applied \(server dry run\)/,
    );
  });

  it('the files apply for real into a fresh namespace, and the objects are there', async () => {
    const files = await generate({ output: 'files', targetPath: 'real' });
    const dir = path.dirname(files[0]);
    const result = await localMesh.kubectl([
      'apply',
      '--server-side',
      '--field-manager=mesh-scaffolder-test',
      '-f',
      dir,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const got = await localMesh.kubectl([
      'get',
      'deployment,service,destinationrules.networking.istio.io,virtualservices.networking.istio.io,peerauthentications.security.istio.io',
      '-n',
      namespace,
      '-o',
      'name',
    ]);
    expect(got.stdout.trim().split('\n').sort()).toEqual([
      'deployment.apps/meshed-v1',
      'destinationrule.networking.istio.io/meshed',
      'peerauthentication.security.istio.io/meshed',
      'service/meshed',
      'virtualservice.networking.istio.io/meshed',
    ]);
    const ns = await localMesh.kubectl([
      'get',
      'namespace',
      namespace,
      '-o',
      'json',
    ]);
    expect(JSON.parse(ns.stdout).metadata.labels['istio-injection']).toBe(
      'enabled',
    );
  });
});
