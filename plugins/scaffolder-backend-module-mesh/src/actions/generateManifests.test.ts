import { toYaml } from '@mesh-portal/backstage-plugin-mesh-common';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import {
  createMockActionContext,
  listFiles,
} from '../__testUtils__/mockActionContext';
import { createMeshManifestsGenerateAction } from './generateManifests';

const baseInput = {
  name: 'payments',
  namespace: 'finance',
  port: 8080,
  protocol: 'http',
  image: 'registry.example.com/finance/payments:1.0.0',
};

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: any;
};

async function run(input: Record<string, unknown>, isDryRun = false) {
  const ctx = await createMockActionContext({ input, isDryRun });
  await createMeshManifestsGenerateAction().handler(ctx);
  return ctx;
}

async function readObjects(ctx: {
  workspacePath: string;
  outputs: Record<string, unknown>;
}): Promise<Obj[]> {
  const objects: Obj[] = [];
  for (const file of ctx.outputs.files as string[]) {
    const text = await fs.readFile(path.join(ctx.workspacePath, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      expect(doc.errors).toEqual([]);
      objects.push(doc.toJS() as Obj);
    }
  }
  return objects;
}

const find = (objects: Obj[], kind: string, name?: string) => {
  const found = objects.find(
    o => o.kind === kind && (name === undefined || o.metadata.name === name),
  );
  if (!found) throw new Error(`no ${kind} ${name ?? ''}`);
  return found;
};

describe('mesh:manifests:generate', () => {
  it('declares its id, dry-run support and a JSON schema with the inputs', () => {
    const action = createMeshManifestsGenerateAction();
    expect(action.id).toBe('mesh:manifests:generate');
    expect(action.supportsDryRun).toBe(true);
    const schema = action.schema?.input as any;
    expect(Object.keys(schema.properties).sort()).toEqual(
      [
        'expose',
        'hosts',
        'image',
        'ingressSelector',
        'mtlsMode',
        'name',
        'namespace',
        'output',
        'port',
        'protocol',
        'replicas',
        'targetPath',
        'version',
      ].sort(),
    );
    expect([...schema.required].sort()).toEqual(
      ['image', 'name', 'namespace', 'port', 'protocol'].sort(),
    );
    expect(schema.properties.protocol.enum).toEqual([
      'http',
      'http2',
      'grpc',
      'tcp',
    ]);
    expect(schema.properties.port.type).toBe('integer');
    expect((action.schema?.output as any).properties.files.type).toBe('array');
    expect(action.examples?.length).toBeGreaterThan(0);
  });

  it('writes one file per object, in apply order, with the defaults', async () => {
    const ctx = await run(baseInput);
    expect(ctx.outputs.files).toEqual([
      'k8s/00-namespace-finance.yaml',
      'k8s/01-peerauthentication-payments.yaml',
      'k8s/02-service-payments.yaml',
      'k8s/03-deployment-payments-v1.yaml',
      'k8s/04-destinationrule-payments.yaml',
      'k8s/05-virtualservice-payments.yaml',
    ]);
    expect(await listFiles(ctx.workspacePath)).toEqual(ctx.outputs.files);
    expect(ctx.outputs.objects).toEqual([
      { kind: 'Namespace', name: 'finance' },
      { kind: 'PeerAuthentication', name: 'payments' },
      { kind: 'Service', name: 'payments' },
      { kind: 'Deployment', name: 'payments-v1' },
      { kind: 'DestinationRule', name: 'payments' },
      { kind: 'VirtualService', name: 'payments' },
    ]);

    const objects = await readObjects(ctx);
    expect(find(objects, 'Namespace').metadata.labels).toEqual({
      'istio-injection': 'enabled',
    });

    const deployment = find(objects, 'Deployment');
    expect(deployment.metadata).toEqual({
      name: 'payments-v1',
      namespace: 'finance',
      labels: { app: 'payments', version: 'v1' },
    });
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.selector.matchLabels).toEqual({
      app: 'payments',
      version: 'v1',
    });
    expect(deployment.spec.template.metadata.labels).toEqual({
      app: 'payments',
      version: 'v1',
    });
    expect(deployment.spec.template.spec.containers).toEqual([
      {
        name: 'payments',
        image: 'registry.example.com/finance/payments:1.0.0',
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
      },
    ]);

    const service = find(objects, 'Service');
    expect(service.spec).toEqual({
      selector: { app: 'payments' },
      ports: [
        {
          name: 'http-8080',
          port: 8080,
          targetPort: 8080,
          protocol: 'TCP',
          appProtocol: 'http',
        },
      ],
    });

    const pa = find(objects, 'PeerAuthentication');
    expect(pa.apiVersion).toBe('security.istio.io/v1');
    expect(pa.metadata.namespace).toBe('finance');
    expect(pa.spec).toEqual({
      selector: { matchLabels: { app: 'payments' } },
      mtls: { mode: 'PERMISSIVE' },
    });

    const dr = find(objects, 'DestinationRule');
    expect(dr.spec).toEqual({
      host: 'payments',
      subsets: [{ name: 'v1', labels: { version: 'v1' } }],
    });
    const vs = find(objects, 'VirtualService');
    expect(vs.spec.hosts).toEqual(['payments']);
    expect(vs.spec.http).toEqual([
      {
        name: 'mesh-portal-split',
        route: [
          {
            destination: {
              host: 'payments',
              subset: 'v1',
              port: { number: 8080 },
            },
            weight: 100,
          },
        ],
      },
    ]);
    // Marked as the portal's, with the stable subset recorded: a later canary merges into them.
    expect(vs.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'mesh-portal',
    });
    expect(vs.metadata.annotations).toEqual({
      'mesh-portal.io/stable-subset': 'v1',
    });
    expect(dr.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'mesh-portal',
    });
  });

  it('serializes with mesh-common toYaml (no YAML anchors/aliases)', async () => {
    const ctx = await run(baseInput);
    for (const file of ctx.outputs.files as string[]) {
      const text = await fs.readFile(
        path.join(ctx.workspacePath, file),
        'utf8',
      );
      expect(text).toBe(toYaml([parse(text)]));
      expect(text).not.toMatch(/[&*]a\d/);
    }
  });

  it('writes one multi-document file with output: bundle', async () => {
    const ctx = await run({
      ...baseInput,
      output: 'bundle',
      targetPath: 'deploy/k8s',
    });
    expect(ctx.outputs.files).toEqual(['deploy/k8s/manifests.yaml']);
    expect(await listFiles(ctx.workspacePath)).toEqual([
      'deploy/k8s/manifests.yaml',
    ]);
    const text = await fs.readFile(
      path.join(ctx.workspacePath, 'deploy/k8s/manifests.yaml'),
      'utf8',
    );
    expect(text.match(/^---$/gm)).toHaveLength(5);
    const objects = await readObjects(ctx);
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/finance',
      'PeerAuthentication/payments',
      'Service/payments',
      'Deployment/payments-v1',
      'DestinationRule/payments',
      'VirtualService/payments',
    ]);
  });

  it('accepts "." as targetPath (the workspace root)', async () => {
    const ctx = await run({ ...baseInput, output: 'bundle', targetPath: '.' });
    expect(ctx.outputs.files).toEqual(['manifests.yaml']);
  });

  it('adds a Gateway and an ingress VirtualService bound to it with expose', async () => {
    const ctx = await run({
      ...baseInput,
      expose: true,
      hosts: ['payments.example.com', '*.pay.example.com'],
    });
    const objects = await readObjects(ctx);
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/finance',
      'PeerAuthentication/payments',
      'Service/payments',
      'Deployment/payments-v1',
      'DestinationRule/payments',
      'VirtualService/payments',
      'Gateway/payments-gateway',
      'VirtualService/payments-ingress',
    ]);
    expect(find(objects, 'Gateway').spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [
        {
          port: { number: 80, name: 'http', protocol: 'HTTP' },
          hosts: ['payments.example.com', '*.pay.example.com'],
        },
      ],
    });
    const ingress = find(objects, 'VirtualService', 'payments-ingress');
    expect(ingress.spec).toEqual({
      hosts: ['payments.example.com', '*.pay.example.com'],
      gateways: ['payments-gateway'],
      http: [
        {
          route: [
            { destination: { host: 'payments', port: { number: 8080 } } },
          ],
        },
      ],
    });
  });

  it('selects the ingress gateway pods the template names', async () => {
    const ctx = await run({
      ...baseInput,
      expose: true,
      hosts: ['payments.example.com'],
      ingressSelector: 'istio=ingress, app=istio-ingress',
    });
    expect(find(await readObjects(ctx), 'Gateway').spec.selector).toEqual({
      istio: 'ingress',
      app: 'istio-ingress',
    });
  });

  it.each([
    ['http', 'http-8080'],
    ['http2', 'http2-8080'],
    ['grpc', 'grpc-8080'],
    ['tcp', 'tcp-8080'],
  ])('names the Service port for protocol %s', async (protocol, portName) => {
    const ctx = await run({ ...baseInput, protocol });
    const port = find(await readObjects(ctx), 'Service').spec.ports[0];
    expect(port.name).toBe(portName);
    expect(port.appProtocol).toBe(protocol);
  });

  it('uses version, replicas, mtlsMode and image as given', async () => {
    const ctx = await run({
      ...baseInput,
      version: 'v2',
      replicas: 3,
      mtlsMode: 'STRICT',
      port: 9090,
      image: `ghcr.io/acme/payments@sha256:${'a'.repeat(64)}`,
    });
    const objects = await readObjects(ctx);
    const deployment = find(objects, 'Deployment');
    expect(deployment.metadata.name).toBe('payments-v2');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.metadata.labels.version).toBe('v2');
    expect(deployment.spec.template.spec.containers[0].image).toBe(
      `ghcr.io/acme/payments@sha256:${'a'.repeat(64)}`,
    );
    expect(find(objects, 'PeerAuthentication').spec.mtls.mode).toBe('STRICT');
    expect(find(objects, 'DestinationRule').spec.subsets).toEqual([
      { name: 'v2', labels: { version: 'v2' } },
    ]);
    expect(
      find(objects, 'VirtualService').spec.http[0].route[0].destination,
    ).toEqual({ host: 'payments', subset: 'v2', port: { number: 9090 } });
  });

  it('writes the same files in a dry run (the files are the dry run result)', async () => {
    const real = await run(baseInput);
    const dry = await run(baseInput, true);
    expect(dry.outputs).toEqual(real.outputs);
    expect(await listFiles(dry.workspacePath)).toEqual(
      await listFiles(real.workspacePath),
    );
  });

  describe('bad input: a clear error naming the field, nothing written', () => {
    const { name: _n, ...withoutName } = baseInput;
    const { image: _i, ...withoutImage } = baseInput;
    it.each<[string, Record<string, unknown>, RegExp]>([
      [
        'name with upper case',
        { ...baseInput, name: 'Payments' },
        /name: must be a DNS-1035 label/,
      ],
      [
        'name with underscore',
        { ...baseInput, name: 'pay_ments' },
        /name: must be a DNS-1035 label/,
      ],
      [
        'name starting with a digit',
        { ...baseInput, name: '1payments' },
        /name: must be a DNS-1035 label/,
      ],
      [
        'name too long',
        { ...baseInput, name: 'a'.repeat(64) },
        /name: must be at most 63 characters/,
      ],
      ['missing name', withoutName, /name: Required/],
      [
        'namespace not a label',
        { ...baseInput, namespace: 'Finance.Prod' },
        /namespace: must be a DNS-1123 label/,
      ],
      ['port 0', { ...baseInput, port: 0 }, /port: must be 1–65535/],
      ['port 70000', { ...baseInput, port: 70000 }, /port: must be 1–65535/],
      [
        'port not an integer',
        { ...baseInput, port: 80.5 },
        /port: must be an integer/,
      ],
      [
        'port as a string',
        { ...baseInput, port: '8080' },
        /port: Expected number, received string/,
      ],
      [
        'protocol udp',
        { ...baseInput, protocol: 'udp' },
        /protocol: Invalid enum value/,
      ],
      [
        'version not a label',
        { ...baseInput, version: 'V1.0' },
        /version: must be a DNS-1123 label/,
      ],
      [
        'image with spaces',
        { ...baseInput, image: 'my image' },
        /image: must be an image reference/,
      ],
      [
        'empty image',
        { ...baseInput, image: '' },
        /image: must be an image reference/,
      ],
      ['missing image', withoutImage, /image: Required/],
      [
        'replicas 0',
        { ...baseInput, replicas: 0 },
        /replicas: must be at least 1/,
      ],
      [
        'replicas fractional',
        { ...baseInput, replicas: 1.5 },
        /replicas: must be an integer/,
      ],
      [
        'mtlsMode DISABLE',
        { ...baseInput, mtlsMode: 'DISABLE' },
        /mtlsMode: Invalid enum value/,
      ],
      [
        'expose not a boolean',
        { ...baseInput, expose: 'yes' },
        /expose: Expected boolean/,
      ],
      [
        'expose without hosts',
        { ...baseInput, expose: true },
        /hosts: at least one host is required when expose is true/,
      ],
      [
        'expose with a bad host',
        { ...baseInput, expose: true, hosts: ['Bad Host'] },
        /hosts\.0: "Bad Host" must be a host name/,
      ],
      [
        'expose with an empty host',
        { ...baseInput, expose: true, hosts: [''] },
        /hosts\.0: "" must be a host name/,
      ],
      [
        'expose with a repeated host',
        {
          ...baseInput,
          expose: true,
          hosts: ['a.example.com', 'a.example.com'],
        },
        /hosts: must not repeat a host/,
      ],
      [
        'hosts without expose',
        { ...baseInput, hosts: ['a.example.com'] },
        /hosts: only allowed when expose is true/,
      ],
      [
        'an ingressSelector that is not key=value',
        {
          ...baseInput,
          expose: true,
          hosts: ['a.example.com'],
          ingressSelector: 'istio',
        },
        /ingressSelector: "istio" is not key=value/,
      ],
      [
        'an ingressSelector with an empty value',
        {
          ...baseInput,
          expose: true,
          hosts: ['a.example.com'],
          ingressSelector: 'istio=',
        },
        /ingressSelector: "" is not a label value/,
      ],
      [
        'expose of a tcp service',
        {
          ...baseInput,
          protocol: 'tcp',
          expose: true,
          hosts: ['a.example.com'],
        },
        /expose: protocol tcp cannot be exposed/,
      ],
      [
        'output zip',
        { ...baseInput, output: 'zip' },
        /output: Invalid enum value/,
      ],
      [
        'targetPath with ..',
        { ...baseInput, targetPath: '../outside' },
        /targetPath: must not contain "\.\."/,
      ],
      [
        'targetPath with inner ..',
        { ...baseInput, targetPath: 'k8s/../../outside' },
        /targetPath: must not contain "\.\."/,
      ],
      [
        'targetPath absolute',
        { ...baseInput, targetPath: '/etc/k8s' },
        /targetPath: must be a relative path/,
      ],
      [
        'targetPath Windows absolute',
        { ...baseInput, targetPath: 'C:\\k8s' },
        /targetPath: must be a relative path/,
      ],
      [
        'unknown field',
        { ...baseInput, mtlsmode: 'STRICT' },
        /mtlsmode: unknown field/,
      ],
    ])('%s', async (_case, input, message) => {
      const ctx = await createMockActionContext({ input });
      const error = await createMeshManifestsGenerateAction()
        .handler(ctx)
        .then(
          () => undefined,
          e => e,
        );
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('InputError');
      expect(error.message).toMatch(
        /^Invalid input to mesh:manifests:generate: /,
      );
      expect(error.message).toMatch(message);
      expect(await listFiles(ctx.workspacePath)).toEqual([]);
      expect(ctx.outputs).toEqual({});
    });

    it('reports every bad field at once', async () => {
      const ctx = await createMockActionContext({
        input: { ...baseInput, name: 'X', port: -1, protocol: 'ftp' },
      });
      await expect(
        createMeshManifestsGenerateAction().handler(ctx),
      ).rejects.toThrow(/name: .*; port: .*; protocol: /);
    });

    it('refuses to overwrite an existing file and writes nothing else', async () => {
      const ctx = await createMockActionContext({ input: baseInput });
      await fs.mkdir(path.join(ctx.workspacePath, 'k8s'));
      await fs.writeFile(
        path.join(ctx.workspacePath, 'k8s/02-service-payments.yaml'),
        'mine',
      );
      await expect(
        createMeshManifestsGenerateAction().handler(ctx),
      ).rejects.toThrow(
        /targetPath: k8s\/02-service-payments.yaml already exists/,
      );
      expect(await listFiles(ctx.workspacePath)).toEqual([
        'k8s/02-service-payments.yaml',
      ]);
      expect(
        await fs.readFile(
          path.join(ctx.workspacePath, 'k8s/02-service-payments.yaml'),
          'utf8',
        ),
      ).toBe('mine');
    });

    it('refuses a targetPath that leaves the workspace through a symlink', async () => {
      const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'mesh-outside-'));
      const ctx = await createMockActionContext({
        input: { ...baseInput, targetPath: 'escape' },
      });
      await fs.symlink(outside, path.join(ctx.workspacePath, 'escape'));
      await expect(
        createMeshManifestsGenerateAction().handler(ctx),
      ).rejects.toThrow(/targetPath: escape resolves outside the workspace/);
      expect(await listFiles(outside)).toEqual([]);
      await fs.rm(outside, { recursive: true, force: true });
    });
  });
});
