import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import express from 'express';
import request from 'supertest';
import { AuditStore } from './audit/AuditStore';
import { CanaryRunner } from './canaryRuns/CanaryRunner';
import { readCanaryRunsConfig } from './canaryRuns/canaryRunsConfig';
import { CanaryRunStore } from './canaryRuns/CanaryRunStore';
import { readAccessPolicyConfig } from './metrics/accessPolicyConfig';
import { readCanaryHealthConfig } from './metrics/canaryHealthConfig';
import { MetricsGateway } from './metrics/MetricsGateway';
import { createRouter } from './router';
import { AccessService } from './services/AccessService';
import { CanaryHealthService } from './services/CanaryHealthService';
import { MeshService } from './services/MeshService';
import { FakeClusterGateway } from './__testUtils__/fakeClusterGateway';
import { component } from './__testUtils__/entities';

/*
 * The bad-input sweep: every route of the router, wired as plugin.ts wires it but over the fake
 * cluster, gets malformed JSON, wrong types, unknown fields, bodies over the limit, path tricks
 * and missing or bogus tokens. None may answer 5xx, every 4xx must say what is wrong (the field
 * where there is one), and nothing may be written to the cluster.
 */

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const entity = '/entities/default/component/backend';
const runId = '6f1c1f7e-3f57-4d5e-9a0b-8d1f8f4b2c11';
const validAction = { action: 'canary', preset: '90/10' };
const validRun = { service: 'backend', stable: 'v1', canary: 'v2', steps: [10, 50, 100], intervalSeconds: 60 };

type Method = 'get' | 'post';

interface Case {
  /** What is wrong. */
  name: string;
  method: Method;
  path: string;
  /** A JSON value, or raw text sent as `contentType`. */
  body?: unknown;
  raw?: string;
  contentType?: string;
  authorization?: string;
  status: number;
  /** What the error message must say. */
  says: RegExp;
}

const getRoutes = ['status', 'history', 'health', 'access', 'canary-runs'].map(r => `${entity}/${r}`);
const postRoutes: Array<[string, unknown]> = [
  [`${entity}/plans`, validAction],
  [`${entity}/apply`, validAction],
  [`${entity}/canary-runs`, validRun],
  ...(['pause', 'resume', 'abort'] as const).map((a): [string, unknown] => [`${entity}/canary-runs/${runId}/${a}`, {}]),
];
const allRoutes: Array<[Method, string]> = [
  ...getRoutes.map((p): [Method, string] => ['get', p]),
  ['get', '/overview'],
  ...postRoutes.map(([p]): [Method, string] => ['post', p]),
];

const cases: Case[] = [
  // Tokens: every route but /health needs a valid one.
  ...allRoutes.flatMap(([method, path]): Case[] => [
    { name: 'no token', method, path, authorization: '', status: 401, says: /credentials|auth/i },
    { name: 'a bogus token', method, path, authorization: 'Bearer not-a-token', status: 401, says: /token|credentials|auth/i },
  ]),
  // Bodies every POST route parses.
  ...postRoutes.flatMap(([path]): Case[] => [
    { name: 'malformed JSON', method: 'post', path, raw: '{"action": "canary",', contentType: 'application/json', status: 400, says: /^body: not valid JSON \(/ },
    {
      name: 'a body over the 16 kB limit',
      method: 'post',
      path,
      raw: JSON.stringify({ ...validAction, pad: 'x'.repeat(40_000) }),
      contentType: 'application/json',
      status: 413,
      says: /too large/i,
    },
  ]),
  // Wrong types and unknown fields, per body schema.
  { name: 'action of the wrong type', method: 'post', path: `${entity}/plans`, body: { action: 5 }, status: 400, says: /action/ },
  { name: 'an array body', method: 'post', path: `${entity}/plans`, body: [validAction], status: 400, says: /expected object|action/i },
  { name: 'a text body', method: 'post', path: `${entity}/apply`, raw: 'canary 90/10', contentType: 'text/plain', status: 400, says: /action|expected object/i },
  { name: 'weights of the wrong type', method: 'post', path: `${entity}/apply`, body: { action: 'canary', weights: 'v1=90' }, status: 400, says: /weights/ },
  { name: 'an unknown field', method: 'post', path: `${entity}/apply`, body: { ...validAction, dryRun: true }, status: 400, says: /dryRun: unknown field/ },
  { name: 'an unknown query parameter', method: 'post', path: `${entity}/apply?dryRun=true`, body: validAction, status: 400, says: /dryRun/ },
  { name: 'force not a boolean', method: 'post', path: `${entity}/apply?force=yes`, body: validAction, status: 400, says: /force/ },
  { name: 'steps of the wrong type', method: 'post', path: `${entity}/canary-runs`, body: { ...validRun, steps: '10,50,100' }, status: 400, says: /steps/ },
  { name: 'an unknown run field', method: 'post', path: `${entity}/canary-runs`, body: { ...validRun, owner: 'me' }, status: 400, says: /owner/ },
  { name: 'a missing service', method: 'post', path: `${entity}/canary-runs`, body: { ...validRun, service: undefined }, status: 400, says: /service/ },
  { name: 'a range that is not a duration', method: 'get', path: `${entity}/health?range=1y;drop`, status: 400, says: /range/ },
  { name: 'an unknown health parameter', method: 'get', path: `${entity}/health?window=5m`, status: 400, says: /window/ },
  // Path tricks.
  ...[
    ['an encoded slash in the name', '/entities/default/component/back%2Fend/status', /name/],
    ['a dot-dot name', '/entities/default/component/../status', /name|not found/i],
    ['an encoded dot-dot name', '/entities/default/component/%2E%2E/status', /name/],
    ['an encoded traversal in the namespace', '/entities/..%2F..%2Fetc/component/backend/status', /namespace/],
    ['a name of 300 characters', `/entities/default/component/${'a'.repeat(300)}/status`, /name/],
    ['a kind with a dot', '/entities/default/com.ponent/backend/history', /kind/],
    ['a namespace with a space', '/entities/de%20fault/component/backend/history', /namespace/],
  ].map(([name, path, says]): Case => ({ name: name as string, method: 'get', path: path as string, status: 400, says: says as RegExp })),
  { name: 'a run id that is not a uuid', method: 'post', path: `${entity}/canary-runs/..%2F1/pause`, body: {}, status: 400, says: /id/ },
  { name: 'an unknown run action', method: 'post', path: `${entity}/canary-runs/${runId}/explode`, body: {}, status: 400, says: /action/ },
  { name: 'a run that does not exist', method: 'post', path: `${entity}/canary-runs/${runId}/abort`, body: {}, status: 404, says: /run/i },
  { name: 'an entity that does not exist', method: 'post', path: '/entities/default/component/nobody/plans', body: validAction, status: 404, says: /nobody/ },
];

async function app() {
  const gateway = new FakeClusterGateway([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } },
  ]);
  const logger = mockServices.logger.mock();
  const catalog = catalogServiceMock({ entities: [component('backend', 'prod')] });
  const knex = await databases.init('SQLITE_3');
  const database = mockServices.database({ knex });
  const mesh = new MeshService({ catalog, gateway: gateway.asGateway(), audit: await AuditStore.create(database), logger });
  const config = new ConfigReader({});
  const healthConfig = readCanaryHealthConfig(config);
  const metrics = new MetricsGateway(healthConfig.prometheus, healthConfig.timeoutMs);
  const canaryHealth = new CanaryHealthService({ catalog, mesh, metrics, config: healthConfig, logger });
  const canaryRuns = new CanaryRunner({
    store: await CanaryRunStore.create(database),
    mesh,
    health: canaryHealth,
    auth: mockServices.auth(),
    logger,
    config: readCanaryRunsConfig(config),
    thresholds: healthConfig.thresholds,
  });
  const access = new AccessService({ mesh, metrics, config: readAccessPolicyConfig(config), logger });
  const permissions = mockServices.permissions(); // allows: the input is what is on trial
  const router = await createRouter({
    httpAuth: mockServices.httpAuth({ defaultCredentials: mockCredentials.none() }),
    permissions,
    mesh,
    canaryHealth,
    canaryRuns,
    access,
  });
  return { server: express().use(router).use(mockErrorHandler()), gateway };
}

describe('bad input on every route of the mesh router', () => {
  let server: express.Express;
  let gateway: FakeClusterGateway;
  beforeAll(async () => {
    ({ server, gateway } = await app());
  });

  it.each(cases.map(c => [`${c.method.toUpperCase()} ${c.path.slice(0, 80)}: ${c.name}`, c] as const))(
    '%s',
    async (_, c) => {
      let req = request(server)[c.method](c.path).set('authorization', c.authorization ?? mockCredentials.user.header());
      if (c.authorization === '') req = request(server)[c.method](c.path);
      if (c.raw !== undefined) req = req.set('content-type', c.contentType ?? 'application/json').send(c.raw);
      else if (c.body !== undefined) req = req.send(c.body as object);
      const res = await req;

      expect(res.status).toBe(c.status);
      expect(res.body.error?.message).toMatch(c.says);
      expect(gateway.mutations).toEqual([]);
    },
  );

  it('covers every route the router serves', () => {
    const covered = new Set(cases.map(c => `${c.method} ${routeOf(c.path)}`));
    expect([...covered].sort()).toEqual(
      [
        'get /entities/:ns/:kind/:name/access',
        'get /entities/:ns/:kind/:name/canary-runs',
        'get /entities/:ns/:kind/:name/health',
        'get /entities/:ns/:kind/:name/history',
        'get /entities/:ns/:kind/:name/status',
        'get /overview',
        'post /entities/:ns/:kind/:name/apply',
        'post /entities/:ns/:kind/:name/canary-runs',
        'post /entities/:ns/:kind/:name/canary-runs/:id/abort',
        'post /entities/:ns/:kind/:name/canary-runs/:id/explode',
        'post /entities/:ns/:kind/:name/canary-runs/:id/pause',
        'post /entities/:ns/:kind/:name/canary-runs/:id/resume',
        'post /entities/:ns/:kind/:name/plans',
      ].sort(),
    );
  });
});

/** The route pattern a well-formed path of the cases hits (path tricks map to what they aim at). */
function routeOf(path: string): string {
  const [, entities, ns, kind, name, ...rest] = path.split('?')[0].split('/');
  if (entities !== 'entities') return `/${entities}`;
  const tail = rest.length > 1 ? `${rest[0]}/:id/${rest[rest.length - 1]}` : rest.join('/');
  return ns && kind && name ? `/entities/:ns/:kind/:name/${tail}` : path;
}
