import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
} from '@backstage/backend-defaults/alpha';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { component } from '../__testUtils__/entities';
import { unreachableClusterConfig } from '../__testUtils__/unreachableCluster';
import { meshPlugin } from '../plugin';

// The whole path an assistant takes, in one process: the MCP SDK's client → the MCP backend →
// the actions service → the mesh plugin's actions registry over HTTP → the mesh actions. The
// one cluster is unreachable, so the status reports it and a plan for it fails; the
// permission policy and tokens are the test backend's mocks. e2e/mcp.test.mjs runs the same path
// against the real portal and cluster.

jest.setTimeout(60_000);

describe('MCP over the mesh actions', () => {
  let stop: () => Promise<void>;
  let mcpUrl: URL;

  beforeAll(async () => {
    const backend = await startTestBackend({
      features: [
        meshPlugin,
        mcpActionsPlugin,
        actionsRegistryServiceFactory,
        actionsServiceFactory,
        catalogServiceMock.factory({ entities: [component('backend', 'prod')] }),
        mockServices.rootConfig.factory({
          data: {
            backend: { actions: { pluginSources: ['mesh'] } },
            ...unreachableClusterConfig,
          },
        }),
      ],
    });
    const address = backend.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    mcpUrl = new URL(`http://localhost:${address.port}/api/mcp-actions/v1`);
    stop = () => backend.stop();
  });
  afterAll(() => stop?.());

  async function connect(authorization: string) {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(mcpUrl, { requestInit: { headers: { authorization } } }),
    );
    return client;
  }
  const text = (result: any) => result.content.map((c: any) => c.text).join('\n');

  it('lists the mesh tools with their schemas, reads the status, names a bad field, refuses apply to a service', async () => {
    const user = await connect(mockCredentials.user.header('user:default/guest'));
    const service = await connect(mockCredentials.service.header());
    try {
      const { tools } = await user.listTools();
      const byName = Object.fromEntries(tools.map(t => [t.name, t]));
      expect(Object.keys(byName).sort()).toEqual(['mesh.apply', 'mesh.get-status', 'mesh.plan']);
      expect(byName['mesh.plan'].annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      expect(byName['mesh.apply'].annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true });
      expect(byName['mesh.plan'].inputSchema.required).toEqual(['entityRef', 'change']);

      const status = await user.callTool({ name: 'mesh.get-status', arguments: { entityRef: 'component:default/backend' } });
      expect(status.isError).toBeFalsy();
      expect(status.structuredContent).toEqual({
        entityRef: 'component:default/backend',
        clusters: [{ cluster: 'gone', ok: false, error: { message: expect.stringContaining('gone') } }],
        // the status cache is on by default: the tab re-reads a cached status this often
        refreshMs: 1500,
      });

      const bad = await user.callTool({
        name: 'mesh.plan',
        arguments: { entityRef: 'backend', change: { action: 'canary', weights: { v1: 90, v2: 20 } } },
      });
      expect(bad.isError).toBe(true);
      expect(text(bad)).toBe('InputError: invalid request: change.weights: must sum to 100 (got 110)');

      const refused = await service.callTool({
        name: 'mesh.apply',
        arguments: { entityRef: 'backend', change: { action: 'canary', preset: '90/10' } },
      });
      expect(refused.isError).toBe(true);
      expect(text(refused)).toMatch(/^NotAllowedError: mesh:apply needs a signed-in user's credentials/);
    } finally {
      await user.close();
      await service.close();
    }
  });
});
