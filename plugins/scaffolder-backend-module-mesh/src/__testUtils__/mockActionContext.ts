import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * `@backstage/plugin-scaffolder-node-test-utils` (createMockActionContext) is not installed
 * in this repository, so this builds the same thing by hand, following the real
 * `ActionContext` type of `@backstage/plugin-scaffolder-node` 1.0: a typed object, so a new
 * required field in that type breaks the build here rather than at run time.
 */
export interface MockActionContext extends ActionContext<any, any> {
  /** Everything passed to `ctx.output`, by name. */
  outputs: Record<string, unknown>;
  /** Keys of the checkpoints run. */
  checkpoints: string[];
}

export async function createMockActionContext(options: {
  input: Record<string, unknown>;
  workspacePath?: string;
  isDryRun?: boolean;
  credentials?: BackstageCredentials;
}): Promise<MockActionContext> {
  const workspacePath =
    options.workspacePath ?? (await tempDir('mesh-scaffolder-ws-'));
  const outputs: Record<string, unknown> = {};
  const checkpoints: string[] = [];
  const credentials =
    options.credentials ?? mockCredentials.user('user:default/jane');
  return {
    input: options.input,
    workspacePath,
    logger: mockServices.logger.mock(),
    secrets: {},
    isDryRun: options.isDryRun,
    task: { id: 'task-1' },
    user: { ref: 'user:default/jane' },
    templateInfo: { entityRef: 'template:default/meshed-service' },
    outputs,
    checkpoints,
    output(name, value) {
      outputs[name as string] = value;
    },
    async checkpoint(opts) {
      checkpoints.push(opts.key);
      return opts.fn();
    },
    async createTemporaryDirectory() {
      return tempDir('mesh-scaffolder-tmp-');
    },
    async getInitiatorCredentials() {
      return credentials;
    },
  };
}

const tempDirs: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

// Workspaces live until the test file ends, then go (the scaffolder deletes its own too).
afterAll(async () => {
  await Promise.all(
    tempDirs.splice(0).map(dir => fs.rm(dir, { recursive: true, force: true })),
  );
});

/** Every file under `dir`, relative, `/`-separated, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, {
    recursive: true,
    withFileTypes: true,
  });
  return entries
    .filter(e => e.isFile())
    .map(e =>
      path
        .relative(dir, path.join(e.parentPath, e.name))
        .split(path.sep)
        .join('/'),
    )
    .sort();
}
