import { startTestBackend } from '@backstage/backend-test-utils';
import {
  scaffolderActionsExtensionPoint,
  type TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import { scaffolderModuleMesh } from './module';

describe('scaffolderModuleMesh', () => {
  it('registers mesh:manifests:generate and mesh:apply with the scaffolder', async () => {
    const added: TemplateAction<any, any, any>[] = [];
    await startTestBackend({
      extensionPoints: [
        [
          scaffolderActionsExtensionPoint,
          {
            addActions: (...actions: TemplateAction<any, any, any>[]) =>
              added.push(...actions),
          },
        ],
      ],
      features: [scaffolderModuleMesh],
    });
    expect(added.map(a => a.id)).toEqual([
      'mesh:manifests:generate',
      'mesh:apply',
    ]);
    expect(added.every(a => a.supportsDryRun)).toBe(true);
    expect(added.every(a => (a.examples ?? []).length > 0)).toBe(true);
  });
});
