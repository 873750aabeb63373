import type { z as zod3 } from 'zod/v3';

/** A JSON Schema (draft 7) node, as zod 4's `z.toJSONSchema` writes them. */
export type JsonSchemaNode = { [keyword: string]: unknown };

/** Keywords that only annotate. */
const ANNOTATIONS = new Set(['$schema', 'description', 'title']);
/** Keywords understood per type; anything else fails loudly so that no rule is dropped silently. */
const KEYWORDS: Record<string, string[]> = {
  string: ['type', 'const', 'enum', 'minLength', 'maxLength', 'pattern'],
  number: ['type', 'minimum', 'maximum'],
  integer: ['type', 'minimum', 'maximum'],
  boolean: ['type'],
  null: ['type'],
  array: ['type', 'items', 'minItems', 'maxItems'],
  object: [
    'type',
    'properties',
    'required',
    'additionalProperties',
    'propertyNames',
  ],
};

/**
 * A zod 3 schema for a JSON Schema, for Backstage's actions registry (which takes zod 3 schemas
 * and publishes them with zod-to-json-schema) when the shapes are zod 4 schemas: publishing the
 * result gives back the same JSON Schema (refinements are not in it; the zod 4 schemas still
 * check them). Covers what `z.toJSONSchema` writes for the mesh actions' inputs: objects (strict
 * or records), arrays, strings, numbers, booleans, null, `const`, `enum`, `oneOf` / `anyOf`.
 * Throws on anything else.
 */
export function zod3FromJsonSchema(
  z: typeof zod3,
  node: JsonSchemaNode,
  at = '(root)',
): zod3.ZodTypeAny {
  const schema = convert(z, node, at);
  return typeof node.description === 'string'
    ? schema.describe(node.description)
    : schema;
}

function convert(
  z: typeof zod3,
  node: JsonSchemaNode,
  at: string,
): zod3.ZodTypeAny {
  const alternatives = (node.oneOf ?? node.anyOf) as
    | JsonSchemaNode[]
    | undefined;
  if (alternatives) {
    const rest = Object.keys(node).filter(
      k => !ANNOTATIONS.has(k) && k !== 'oneOf' && k !== 'anyOf',
    );
    if (rest.length > 0) unsupported(at, rest);
    const options = alternatives.map((alt, i) =>
      zod3FromJsonSchema(z, alt, `${at}[${i}]`),
    );
    if (options.length < 2) return options[0] ?? unsupported(at, ['oneOf']);
    return z.union(options as [zod3.ZodTypeAny, zod3.ZodTypeAny]);
  }
  const type = node.type;
  if (Array.isArray(type) && type.length === 2 && type.includes('null')) {
    // draft 7's nullable primitive, e.g. `timeout: null` removes the timeout
    const other = type.find(t => t !== 'null');
    return convert(z, { ...node, type: other }, at).nullable();
  }
  if (typeof type !== 'string' || !KEYWORDS[type]) {
    return unsupported(at, [`type ${JSON.stringify(type)}`]);
  }
  const extra = Object.keys(node).filter(
    k => !ANNOTATIONS.has(k) && !KEYWORDS[type].includes(k),
  );
  if (extra.length > 0) unsupported(at, extra);

  if (node.const !== undefined) return z.literal(node.const as string);
  switch (type) {
    case 'string': {
      if (node.enum) {
        return z.enum(node.enum as [string, ...string[]]);
      }
      let s = z.string();
      if (typeof node.minLength === 'number') s = s.min(node.minLength);
      if (typeof node.maxLength === 'number') s = s.max(node.maxLength);
      if (typeof node.pattern === 'string')
        s = s.regex(new RegExp(node.pattern));
      return s;
    }
    case 'number':
    case 'integer': {
      let n = type === 'integer' ? z.number().int() : z.number();
      if (typeof node.minimum === 'number') n = n.min(node.minimum);
      if (typeof node.maximum === 'number') n = n.max(node.maximum);
      return n;
    }
    case 'boolean':
      return z.boolean();
    case 'null':
      return z.null();
    case 'array': {
      let a = z.array(
        zod3FromJsonSchema(z, node.items as JsonSchemaNode, `${at}[]`),
      );
      if (typeof node.minItems === 'number') a = a.min(node.minItems);
      if (typeof node.maxItems === 'number') a = a.max(node.maxItems);
      return a;
    }
    default:
      return object(z, node, at);
  }
}

function object(
  z: typeof zod3,
  node: JsonSchemaNode,
  at: string,
): zod3.ZodTypeAny {
  const names = node.propertyNames as JsonSchemaNode | undefined;
  if (names && Object.keys(names).some(k => k !== 'type')) {
    unsupported(at, ['propertyNames']);
  }
  const additional = node.additionalProperties;
  if (!node.properties && additional && typeof additional === 'object') {
    // A record, e.g. canary weights by subset name.
    return z.record(
      z.string(),
      zod3FromJsonSchema(z, additional as JsonSchemaNode, `${at}.*`),
    );
  }
  const required = new Set((node.required as string[] | undefined) ?? []);
  const properties = (node.properties ?? {}) as Record<string, JsonSchemaNode>;
  const shape = Object.fromEntries(
    Object.entries(properties).map(([key, value]) => {
      const schema = zod3FromJsonSchema(z, value, `${at}.${key}`);
      return [key, required.has(key) ? schema : schema.optional()];
    }),
  );
  const result = z.object(shape);
  if (additional === false) return result.strict();
  if (additional === undefined || additional === true) {
    return result.passthrough();
  }
  return result.catchall(
    zod3FromJsonSchema(z, additional as JsonSchemaNode, `${at}.*`),
  );
}

function unsupported(at: string, keywords: string[]): never {
  throw new Error(
    `zod3FromJsonSchema: ${keywords.join(', ')} at ${at} is not supported`,
  );
}
