import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { meshActionRequestSchema } from '@mesh-portal/backstage-plugin-mesh-common';
import { z } from 'zod';
import type { AnyZodObject, z as zod3 } from 'zod/v3';
import { meshEntityRef } from '../requests';
import { zod3FromJsonSchema } from './zod3FromJsonSchema';

const entityRef = z
  .string()
  .min(1)
  .describe(
    'The catalog entity, e.g. "component:default/backend" (kind and namespace default to component and default, so "backend" works too).',
  );

const change = meshActionRequestSchema.describe(
  'The change, as POST …/plans takes it: "action" is one of onboard, canary, mtls, expose, resilience, access. E.g. {"action":"canary","weights":{"v1":90,"v2":10}} or {"action":"canary","preset":"90/10"}.',
);

/** Input of `mesh:get-status`. */
export const getStatusInput = z.strictObject({ entityRef });

/** Input of `mesh:plan`. */
export const planInput = z.strictObject({ entityRef, change });

/** Input of `mesh:apply`. */
export const applyInput = z.strictObject({
  entityRef,
  change,
  force: z
    .boolean()
    .optional()
    .describe(
      'Take over fields another field manager owns (needs mesh.entity.force, like ?force=true on the apply route).',
    ),
  takeOver: z
    .boolean()
    .optional()
    .describe(
      "Confirm the take-over of fields a person applied with kubectl, which the plan lists in fieldConflicts (like ?takeOver=true on the apply route); ask the user first.",
    ),
});

/**
 * The schema callback the actions registry takes, for a zod 4 input schema.
 *
 * The registry (`@backstage/backend-plugin-api` 1.12) wants zod 3 schemas: it publishes them as
 * JSON Schema (the MCP tool's `inputSchema`) and validates the input with them before the
 * action runs, answering a failure with `Invalid input to action "mesh:plan"` and the fields
 * only in an error cause that the MCP backend drops. So the zod 3 schema is built from the zod 4
 * schema's JSON Schema (published exactly), and `.catch` hands the raw input through to the
 * action, which parses it with the zod 4 schema itself (`parseRequest`): a bad argument
 * comes back as `invalid request: change.weights: must sum to 100 (got 110)`.
 */
export function registryInputSchema(schema: z.ZodType) {
  const jsonSchema = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-7',
  }) as Record<string, unknown>;
  let built: AnyZodObject | undefined; // the registry asks on every list and invoke
  return (zod: typeof zod3): AnyZodObject => {
    if (built) return built;
    const published = zod3FromJsonSchema(zod, jsonSchema);
    // ZodCatch publishes as its inner object; the registry only calls safeParse and
    // zod-to-json-schema on it, so the object type is what it needs.
    built = published.catch(
      (ctx: { input: unknown }) => ctx.input,
    ) as unknown as AnyZodObject;
    return built;
  };
}

/**
 * The entity ref the routes would build for `entityRef` (kind lower-cased), or an `InputError`
 * naming the field.
 */
export function actionEntityRef(value: string): string {
  try {
    return meshEntityRef(
      parseEntityRef(value, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    );
  } catch (error) {
    throw new InputError(
      `invalid request: entityRef: ${(error as Error).message}`,
    );
  }
}
