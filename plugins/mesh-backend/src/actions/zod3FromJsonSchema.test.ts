import { z } from 'zod/v3';
import { zod3FromJsonSchema } from './zod3FromJsonSchema';

describe('zod3FromJsonSchema', () => {
  it('builds strict objects, records, enums, integers with bounds, nullable primitives and unions', () => {
    const schema = zod3FromJsonSchema(z, {
      type: 'object',
      properties: {
        action: { type: 'string', const: 'canary' },
        weights: {
          type: 'object',
          propertyNames: { type: 'string' },
          additionalProperties: { type: 'integer', minimum: 0, maximum: 100 },
        },
        preset: { type: 'string', enum: ['90/10', '50/50'] },
        timeout: { type: ['string', 'null'], minLength: 1 },
        hosts: { type: 'array', items: { type: 'string' }, minItems: 1 },
        mode: { anyOf: [{ type: 'boolean' }, { type: 'null' }] },
      },
      required: ['action'],
      additionalProperties: false,
    });
    expect(
      schema.safeParse({
        action: 'canary',
        weights: { v1: 90, v2: 10 },
        timeout: null,
      }).success,
    ).toBe(true);
    expect(
      schema.safeParse({ action: 'canary', mode: null, hosts: ['a'] }).success,
    ).toBe(true);
    for (const bad of [
      {},
      { action: 'mtls' },
      { action: 'canary', weights: { v1: 101 } },
      { action: 'canary', weights: { v1: 1.5 } },
      { action: 'canary', preset: '10/90' },
      { action: 'canary', timeout: '' },
      { action: 'canary', hosts: [] },
      { action: 'canary', extra: 1 },
    ]) {
      expect([bad, schema.safeParse(bad).success]).toEqual([bad, false]);
    }
  });

  it('keeps descriptions', () => {
    const schema = zod3FromJsonSchema(z, {
      type: 'string',
      description: 'the entity',
    });
    expect(schema.description).toBe('the entity');
  });

  it('fails loudly on a keyword it would otherwise drop', () => {
    expect(() =>
      zod3FromJsonSchema(z, {
        type: 'object',
        properties: { id: { type: 'string', format: 'uuid' } },
      }),
    ).toThrow('format at (root).id is not supported');
    expect(() => zod3FromJsonSchema(z, { $ref: '#/definitions/x' })).toThrow(
      'is not supported',
    );
  });
});
