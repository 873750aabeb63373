import { InputError } from '@backstage/errors';
import { formatZodError } from '@mesh-portal/backstage-plugin-mesh-common';
import { z } from 'zod';

/** The parts of an entity ref, checked before anything is read. */
const entityRefParts = z.strictObject({
  namespace: z
    .string()
    .regex(/^[a-z0-9A-Z_.-]{1,63}$/, 'must be a catalog namespace'),
  kind: z
    .string()
    .regex(/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/, 'must be a catalog kind'),
  name: z
    .string()
    .regex(
      /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/,
      'must be a catalog entity name',
    ),
});

/**
 * The entity ref the mesh service and the permission checks take (`kind:namespace/name`, kind
 * lower-cased), from its parts; throws an `InputError` naming the bad part.
 */
export function meshEntityRef(parts: {
  namespace: string;
  kind: string;
  name: string;
}): string {
  const parsed = entityRefParts.safeParse(parts);
  if (!parsed.success)
    throw new InputError(formatZodError(parsed.error).join('; '));
  const { namespace, kind, name } = parsed.data;
  return `${kind.toLocaleLowerCase('en-US')}:${namespace}/${name}`;
}

/** `value` parsed by `schema`, or an `InputError` with one `field: message` per issue. */
export function parseRequest<T extends z.ZodType>(
  schema: T,
  value: unknown,
): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new InputError(
      `invalid request: ${formatZodError(parsed.error).join('; ')}`,
    );
  }
  return parsed.data;
}
