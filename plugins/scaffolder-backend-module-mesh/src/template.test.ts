/*
 * The "Meshed service" template (catalog/templates/meshed-service) against the actions this
 * module registers. Structural: the template is not run through the scaffolder's runner here.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { createMeshManifestsGenerateAction } from './actions/generateManifests';

const TEMPLATE_DIR = path.resolve(
  __dirname,
  '../../../catalog/templates/meshed-service',
);

/** Built-in actions of @backstage/plugin-scaffolder-backend 4.3 plus this module's. */
const REGISTERED_ACTIONS = new Set([
  'fetch:plain',
  'fetch:plain:file',
  'fetch:template',
  'fetch:template:file',
  'debug:log',
  'debug:wait',
  'catalog:register',
  'catalog:fetch',
  'catalog:write',
  'fs:delete',
  'fs:rename',
  'fs:readdir',
  'mesh:manifests:generate',
  'mesh:apply',
]);

describe('meshed-service template', () => {
  let template: any;
  beforeAll(async () => {
    template = parse(
      await fs.readFile(path.join(TEMPLATE_DIR, 'template.yaml'), 'utf8'),
    );
  });

  it('is a v1beta3 Template named meshed-service', () => {
    expect(template.apiVersion).toBe('scaffolder.backstage.io/v1beta3');
    expect(template.kind).toBe('Template');
    expect(template.metadata.name).toBe('meshed-service');
    expect(template.metadata.title).toBe('Meshed service');
  });

  it('asks for the service, owner and mesh settings', () => {
    const properties = Object.assign(
      {},
      ...template.spec.parameters.map((p: any) => p.properties),
    );
    expect(Object.keys(properties)).toEqual(
      expect.arrayContaining([
        'name',
        'owner',
        'image',
        'namespace',
        'port',
        'protocol',
        'mtlsMode',
        'expose',
      ]),
    );
    expect(properties.owner['ui:field']).toBe('OwnerPicker');
    expect(properties.owner.default).toBe('group:default/platform-team');
    const hostBranch = template.spec.parameters[1].dependencies.expose.oneOf[1];
    expect(hostBranch.required).toEqual(['host']);
  });

  it('uses only actions this backend registers (no publisher)', () => {
    const used = template.spec.steps.map((s: any) => s.action);
    expect(used).toEqual(['fetch:template', 'mesh:manifests:generate']);
    for (const id of used) expect(REGISTERED_ACTIONS.has(id)).toBe(true);
  });

  it('passes mesh:manifests:generate only inputs its schema declares', () => {
    const step = template.spec.steps.find(
      (s: any) => s.action === 'mesh:manifests:generate',
    );
    const schema = createMeshManifestsGenerateAction().schema?.input as any;
    for (const key of Object.keys(step.input)) {
      expect(Object.keys(schema.properties)).toContain(key);
    }
    for (const key of schema.required) {
      expect(Object.keys(step.input)).toContain(key);
    }
    expect(step.input.targetPath).toBe('k8s');
    // A list with the host only when exposing: `['${{ parameters.host }}']` renders [null].
    expect(step.input.hosts).toBe(
      '${{ [parameters.host] if parameters.expose else [] }}',
    );
  });

  it('has a skeleton with the Kubernetes annotations the Mesh tab reads', async () => {
    const catalogInfo = parse(
      await fs.readFile(
        path.join(TEMPLATE_DIR, 'skeleton/catalog-info.yaml'),
        'utf8',
      ),
    );
    expect(catalogInfo.metadata.annotations).toEqual({
      'backstage.io/kubernetes-id': '${{ values.name }}',
      'backstage.io/kubernetes-namespace': '${{ values.namespace }}',
      'backstage.io/kubernetes-label-selector': 'app=${{ values.name }}',
    });
    expect(catalogInfo.spec.owner).toBe('${{ values.owner }}');
    await expect(
      fs.access(path.join(TEMPLATE_DIR, 'skeleton/README.md')),
    ).resolves.toBeUndefined();
  });
});
