import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { NotAllowedError } from '@backstage/errors';
import type { z as zod3 } from 'zod/v3';
import { MeshPlan } from '@mesh-portal/backstage-plugin-mesh-common';
import { parseRequest } from '../requests';
import { AuthorizedMeshService } from '../services/AuthorizedMeshService';
import {
  actionEntityRef,
  applyInput,
  getStatusInput,
  planInput,
  registryInputSchema,
} from './actionSchemas';

/** Heads the audit message of an apply made through an action (the actor is still the user). */
export const ACTION_APPLY_REASON = 'through the mesh:apply action';

/**
 * The mesh actions for assistants (the actions registry, served over MCP by
 * `@backstage/plugin-mcp-actions-backend`): `mesh:get-status`, `mesh:plan` (read-only) and
 * `mesh:apply` (destructive). They run as the calling principal through the same permission
 * checks, services and audit rows as the routes; apply needs a user.
 */
export function registerMeshActions(options: {
  actionsRegistry: ActionsRegistryService;
  auth: AuthService;
  mesh: AuthorizedMeshService;
}) {
  const { actionsRegistry, auth, mesh } = options;

  actionsRegistry.register({
    name: 'get-status',
    title: 'Mesh status of a catalog entity',
    description:
      "Whether the entity's workloads are in the Istio mesh, per cluster: namespaces and their injection, workloads and pods (sidecar or ambient), services and ports, traffic splits between versions (with the weights each canary preset would set), effective mTLS mode, and findings. The same answer as the entity's Mesh tab; needs mesh.entity.read.",
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: registryInputSchema(getStatusInput),
      output: z =>
        z
          .object({
            entityRef: z.string(),
            clusters: z.array(z.any()),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) => {
      const { entityRef } = parseRequest(getStatusInput, input);
      const status = await mesh.status(actionEntityRef(entityRef), credentials);
      return { output: { ...status } };
    },
  });

  actionsRegistry.register({
    name: 'plan',
    title: 'Plan a mesh change (changes nothing)',
    description:
      'What a mesh change to the entity would do, without doing it: the Istio and Kubernetes objects in apply order with their YAML and a diff against the live objects (server-side dry run), the findings (errors, warnings, hints), and whether a blocking finding stops apply. Changes: onboard (into the mesh), canary (traffic split between versions), mtls (PeerAuthentication mode), expose (ingress gateway), resilience (timeouts, retries, outlier detection, connection pool), access (AuthorizationPolicy for declared callers). Needs mesh.entity.read.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: registryInputSchema(planInput),
      output: z => planOutput(z),
    },
    examples: [
      {
        title: 'A 90/10 canary on backend',
        input: {
          entityRef: 'component:default/backend',
          change: { action: 'canary', weights: { v1: 90, v2: 10 } },
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const { entityRef, change } = parseRequest(planInput, input);
      const plan = await mesh.plan(
        actionEntityRef(entityRef),
        change,
        credentials,
      );
      return { output: planForAssistant(plan) };
    },
  });

  actionsRegistry.register({
    name: 'apply',
    title: 'Apply a mesh change',
    description:
      "Applies a mesh change to the entity's cluster, as the Mesh tab's apply does: plans it again, refuses when a finding blocks, applies in make-before-break order and records an audit row with the user as actor. Only for a signed-in user's credentials with mesh.entity.apply on the entity (its owners); force needs mesh.entity.force. Plan first with mesh:plan and show the plan to the user.",
    attributes: { destructive: true, readOnly: false, idempotent: false },
    schema: {
      input: registryInputSchema(applyInput),
      output: z =>
        z
          .object({
            auditId: z.string(),
            applied: z.array(z.any()),
            plan: planOutput(z),
          })
          .passthrough(),
    },
    action: async ({ input, credentials }) => {
      // Service principals pass every permission check (the permission framework trusts
      // them), so the user is checked here, first, as the apply route's httpAuth does.
      if (!auth.isPrincipal(credentials, 'user')) {
        throw new NotAllowedError(
          `mesh:apply needs a signed-in user's credentials (recorded as the actor in the audit); a ${principalType(
            credentials,
          )} principal, such as a static token, may only read and plan`,
        );
      }
      const { entityRef, change, force, takeOver } = parseRequest(
        applyInput,
        input,
      );
      const result = await mesh.apply(
        actionEntityRef(entityRef),
        change,
        credentials,
        { force: force ?? false, takeOver, reason: ACTION_APPLY_REASON },
      );
      return { output: { ...result, plan: planForAssistant(result.plan) } };
    },
  });
}

/** Output schema of a plan: loose (the types are shared TypeScript, checked by the compiler). */
function planOutput(z: typeof zod3) {
  return z
    .object({
      blocked: z.boolean(),
      summary: z.string(),
      yaml: z.string(),
      findings: z.array(z.any()),
      objects: z.array(z.any()),
    })
    .passthrough();
}

/**
 * The plan as POST …/plans answers it, with all objects' YAML as one multi-document string, and
 * without each object's live copy (the diff shows what changes; the live objects would only
 * fill the assistant's context).
 */
function planForAssistant(plan: MeshPlan) {
  return {
    ...plan,
    objects: plan.objects.map(({ live: _live, ...object }) => object),
    yaml: plan.objects.map(object => object.yaml.trimEnd()).join('\n---\n'),
  };
}

function principalType(credentials: BackstageCredentials) {
  return (credentials.principal as { type?: string }).type ?? 'unknown';
}
