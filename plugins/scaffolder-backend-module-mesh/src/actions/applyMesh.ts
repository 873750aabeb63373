import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  meshActionRequestSchema,
  meshRoutes,
  type EntityRouteRef,
  type MeshActionRequest,
  type MeshApplyResult,
  type MeshPlan,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { z as zv3 } from 'zod/v3';
import { MeshActionInputError, MeshBackendError, formatIssues } from './errors';
import { applyMeshExamples } from './applyMesh.examples';

/**
 * Action id of {@link createMeshApplyAction}.
 *
 * @public
 */
export const MESH_APPLY_ACTION_ID = 'mesh:apply';

/** How long one call to the mesh backend may take (apply waits for server-side applies). */
const REQUEST_TIMEOUT_MS = 120_000;

/**
 * Options of {@link createMeshApplyAction}.
 *
 * @public
 */
export interface MeshApplyActionOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  /** The fetch to call the mesh backend with; default the global one. */
  fetch?: typeof fetch;
}

/** Same syntax the mesh backend's router accepts for the entity path. */
const KIND = /^[a-zA-Z][a-zA-Z0-9-]{0,62}$/;
const NAMESPACE = /^[a-z0-9A-Z_.-]{1,63}$/;
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

function applyInputSchema(z: typeof zv3) {
  return z
    .object({
      entityRef: z
        .string()
        .describe(
          'Entity to act on, as kind:namespace/name (namespace defaults to "default"), e.g. component:default/payments',
        ),
      action: z
        .object({
          action: z
            .enum(['onboard', 'canary', 'mtls', 'expose'])
            .describe('Which mesh action'),
        })
        .passthrough()
        .describe(
          "A mesh action request, as the Mesh tab sends it (validated against mesh-common's schema), e.g. { action: mtls, mode: STRICT, scope: namespace }",
        ),
      dryRun: z
        .boolean()
        .default(false)
        .describe(
          'Only plan (POST …/plans): nothing changes in the cluster. Always true in a scaffolder dry run.',
        ),
    })
    .strict();
}

/**
 * `mesh:apply`: plans or applies a mesh action on an entity through the mesh backend's HTTP
 * API, on behalf of the user who started the task. The mesh backend's router does the
 * permission checks (`mesh.entity.read` to plan, `mesh.entity.apply` / `mesh.entity.force` to
 * apply) and writes the audit entry, exactly as for the Mesh tab — the scaffolder gets no
 * cluster access of its own.
 *
 * @public
 */
export function createMeshApplyAction(options: MeshApplyActionOptions) {
  const { discovery, auth } = options;
  const doFetch = options.fetch ?? globalThis.fetch;
  return createTemplateAction({
    id: MESH_APPLY_ACTION_ID,
    description:
      'Plans or applies a mesh action (onboard, canary, mtls, expose) on a catalog entity through the mesh backend, with the permissions of the user running the template.',
    examples: applyMeshExamples,
    supportsDryRun: true,
    schema: {
      input: z => applyInputSchema(z),
      output: z =>
        z.object({
          auditId: z
            .string()
            .optional()
            .describe('Audit entry of the apply (absent for a plan)'),
          summary: z.string().describe('What the plan does / did'),
        }),
    },
    async handler(ctx) {
      const parsed = applyInputSchema(zv3).safeParse(ctx.input);
      if (!parsed.success) {
        throw new MeshActionInputError(
          `Invalid input to ${MESH_APPLY_ACTION_ID}: ${formatIssues(
            parsed.error.issues,
          )}`,
        );
      }
      const entity = parseEntityRef(parsed.data.entityRef);
      const actionParsed = meshActionRequestSchema.safeParse(
        parsed.data.action,
      );
      if (!actionParsed.success) {
        throw new MeshActionInputError(
          `Invalid input to ${MESH_APPLY_ACTION_ID}: ${formatIssues(
            actionParsed.error.issues,
            'action',
          )}`,
        );
      }
      const action: MeshActionRequest = actionParsed.data;
      const entityRef = `${entity.kind.toLocaleLowerCase('en-US')}:${
        entity.namespace
      }/${entity.name}`;
      const planOnly = parsed.data.dryRun || ctx.isDryRun === true;

      const credentials = await ctx.getInitiatorCredentials();
      const call = async (route: string) => {
        const { token } = await auth.getPluginRequestToken({
          onBehalfOf: credentials,
          targetPluginId: 'mesh',
        });
        const baseUrl = await discovery.getBaseUrl('mesh');
        const signals = [AbortSignal.timeout(REQUEST_TIMEOUT_MS)];
        if (ctx.signal) signals.push(ctx.signal);
        const response = await doFetch(`${baseUrl}${route}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
          },
          body: JSON.stringify(action),
          signal: AbortSignal.any(signals),
        });
        if (!response.ok) {
          throw await backendError(response, {
            entityRef,
            what: planOnly ? 'plan' : 'apply',
            actor: describeActor(credentials, auth),
            action: action.action,
          });
        }
        return (await response.json()) as unknown;
      };

      if (planOnly) {
        const plan = (await call(meshRoutes.plans(entity))) as MeshPlan;
        if (typeof plan?.summary !== 'string') {
          throw new MeshBackendError('mesh backend returned no plan', 502);
        }
        const blockers = (plan.findings ?? []).filter(f => f.blocking);
        const summary = plan.blocked
          ? `${plan.summary} Blocked: ${blockers.map(f => f.message).join(' ')}`
          : plan.summary;
        ctx.logger.info(
          `Planned ${action.action} on ${entityRef}: ${summary} (${
            plan.objects?.length ?? 0
          } object(s), nothing applied)`,
        );
        ctx.output('summary', summary);
        return;
      }

      // A checkpoint, so a task resumed after a restart does not apply (and audit) twice.
      const result = await ctx.checkpoint({
        key: `mesh-apply-${entityRef}-${action.action}`,
        fn: async () => {
          const applied = (await call(
            meshRoutes.apply(entity),
          )) as MeshApplyResult;
          if (typeof applied?.auditId !== 'string') {
            throw new MeshBackendError(
              'mesh backend returned no audit id',
              502,
            );
          }
          const counts = new Map<string, number>();
          for (const object of applied.applied ?? []) {
            counts.set(object.result, (counts.get(object.result) ?? 0) + 1);
          }
          const outcome = [...counts].map(([r, n]) => `${n} ${r}`).join(', ');
          return {
            auditId: applied.auditId,
            summary: `${applied.plan?.summary ?? action.action}${
              outcome ? ` Applied: ${outcome}.` : ''
            }`,
          };
        },
      });
      ctx.logger.info(
        `Applied ${action.action} on ${entityRef} (audit ${result.auditId}): ${result.summary}`,
      );
      ctx.output('auditId', result.auditId);
      ctx.output('summary', result.summary);
    },
  });
}

/**
 * Parses `kind:namespace/name` (namespace optional, default `default`). The kind is required:
 * the mesh backend's routes name it.
 */
function parseEntityRef(ref: string): EntityRouteRef {
  const match = /^([^:/]+):(?:([^:/]+)\/)?([^:/]+)$/.exec(ref.trim());
  const [kind, namespace = 'default', name] = match
    ? [match[1], match[2], match[3]]
    : [];
  if (
    !match ||
    !KIND.test(kind!) ||
    !NAMESPACE.test(namespace) ||
    !NAME.test(name!)
  ) {
    throw new MeshActionInputError(
      `Invalid input to ${MESH_APPLY_ACTION_ID}: entityRef: must be kind:namespace/name (e.g. component:default/payments), got "${ref}"`,
    );
  }
  return { kind: kind!, namespace, name: name! };
}

function describeActor(credentials: BackstageCredentials, auth: AuthService) {
  if (auth.isPrincipal(credentials, 'user')) {
    return credentials.principal.userEntityRef;
  }
  return 'the task initiator';
}

/** Maps a non-2xx answer of the mesh backend to an error the task log explains. */
async function backendError(
  response: Response,
  context: { entityRef: string; what: string; actor: string; action: string },
): Promise<Error> {
  const text = await response.text().catch(() => '');
  let message = text.slice(0, 500) || response.statusText;
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // not Backstage's JSON error body: keep the text
  }
  const { entityRef, what, actor, action } = context;
  switch (response.status) {
    case 400:
      return new MeshActionInputError(
        `mesh backend rejected the ${action} request for ${entityRef}: ${message}`,
      );
    case 401:
      return new MeshBackendError(
        `mesh backend did not accept the task's credentials (only a signed-in user may ${what}): ${message}`,
        401,
        'AuthenticationError',
      );
    case 403:
      return new MeshBackendError(
        `${actor} is not allowed to ${what} mesh changes on ${entityRef} (${message})`,
        403,
        'NotAllowedError',
      );
    case 404:
      return new MeshBackendError(
        `not found: ${message} (is ${entityRef} in the catalog, and the mesh backend installed?)`,
        404,
        'NotFoundError',
      );
    case 409:
      return new MeshBackendError(
        `the ${action} plan for ${entityRef} cannot be applied: ${message}`,
        409,
        'ConflictError',
      );
    default:
      return new MeshBackendError(
        `mesh backend failed to ${what} ${action} on ${entityRef}: HTTP ${response.status} ${message}`,
        response.status,
      );
  }
}
