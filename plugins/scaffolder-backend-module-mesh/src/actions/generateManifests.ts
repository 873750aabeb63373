import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  toYaml,
  type JsonObject,
} from '@mesh-portal/backstage-plugin-mesh-common';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z as zv3 } from 'zod/v3';
import { MeshActionInputError, formatIssues } from './errors';
import { generateManifestsExamples } from './generateManifests.examples';
import {
  buildMeshedService,
  generateManifestsInputSchema,
  manifestFileName,
} from './meshedService';

/**
 * Action id of {@link createMeshManifestsGenerateAction}.
 *
 * @public
 */
export const MESH_MANIFESTS_GENERATE_ACTION_ID = 'mesh:manifests:generate';

/**
 * Name of the file written with `output: bundle`.
 *
 * @public
 */
export const BUNDLE_FILE_NAME = 'manifests.yaml';

/**
 * `mesh:manifests:generate`: writes the Kubernetes and Istio manifests of a new meshed
 * service into the task workspace (see `buildMeshedService`). Pure file generation, so a
 * dry run does the same as a real run: the files are the dry run's result.
 *
 * Everything is validated and rendered before the first write; an existing file at a target
 * path is an error (nothing is overwritten).
 *
 * @public
 */
export function createMeshManifestsGenerateAction() {
  return createTemplateAction({
    id: MESH_MANIFESTS_GENERATE_ACTION_ID,
    description:
      'Generates the manifests of a meshed service (Namespace with sidecar injection, PeerAuthentication, Service, Deployment, DestinationRule with the version subset, VirtualService, and optionally an ingress Gateway + VirtualService) into the workspace.',
    examples: generateManifestsExamples,
    supportsDryRun: true,
    schema: {
      input: z => generateManifestsInputSchema(z),
      output: z =>
        z.object({
          files: z
            .array(z.string())
            .describe('Written files, relative to the workspace'),
          objects: z
            .array(z.object({ kind: z.string(), name: z.string() }))
            .describe('Generated objects in apply order'),
        }),
    },
    async handler(ctx) {
      const parsed = generateManifestsInputSchema(zv3).safeParse(ctx.input);
      if (!parsed.success) {
        throw new MeshActionInputError(
          `Invalid input to ${MESH_MANIFESTS_GENERATE_ACTION_ID}: ${formatIssues(
            parsed.error.issues,
          )}`,
        );
      }
      const input = parsed.data;

      const { objects, findings } = buildMeshedService(input);
      for (const finding of findings) {
        ctx.logger.info(
          `${finding.severity} ${finding.code}: ${finding.message}`,
        );
      }

      // Render every file and resolve every path before writing anything.
      let targetDir: string;
      try {
        targetDir = resolveSafeChildPath(ctx.workspacePath, input.targetPath);
      } catch {
        throw new MeshActionInputError(
          `targetPath: ${input.targetPath} resolves outside the workspace`,
        );
      }
      const rendered: Array<{ file: string; content: string }> =
        input.output === 'bundle'
          ? [{ file: BUNDLE_FILE_NAME, content: toYaml(objects) }]
          : objects.map((object, index) => ({
              file: manifestFileName(object, index),
              content: toYaml([object]),
            }));
      const writes = rendered.map(({ file, content }) => ({
        absolute: resolveSafeChildPath(targetDir, file),
        relative: path
          .relative(ctx.workspacePath, path.join(targetDir, file))
          .split(path.sep)
          .join('/'),
        content,
      }));
      for (const { absolute, relative } of writes) {
        if (await exists(absolute)) {
          throw new MeshActionInputError(
            `targetPath: ${relative} already exists in the workspace; pick another targetPath`,
          );
        }
      }

      if (ctx.isDryRun) {
        ctx.logger.info(
          'Dry run: writing the manifests to the dry-run workspace (no side effects outside it).',
        );
      }
      await fs.mkdir(targetDir, { recursive: true });
      for (const { absolute, content } of writes) {
        // `wx`: fail rather than overwrite if something appeared since the check.
        await fs.writeFile(absolute, content, { encoding: 'utf8', flag: 'wx' });
      }

      const files = writes.map(w => w.relative);
      ctx.logger.info(`Wrote ${files.join(', ')}`);
      ctx.output('files', files);
      ctx.output('objects', objects.map(kindAndName));
    },
  });
}

function kindAndName(object: JsonObject): { kind: string; name: string } {
  const metadata = (object.metadata ?? {}) as { name?: string };
  return { kind: String(object.kind), name: metadata.name ?? '' };
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
