import { parse, parseAllDocuments } from 'yaml';
import { toYaml } from './toYaml';

/** Strings a YAML 1.1 reader (kubectl: sigs.k8s.io/yaml → go-yaml v2) takes for another type. */
const YAML_11_LOOKALIKES = [
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO'],
  ...['on', 'On', 'ON', 'off', 'Off', 'OFF'],
  ...['true', 'True', 'TRUE', 'false', 'False', 'FALSE'],
  ...['~', 'null', 'Null', 'NULL', ''],
  ...['0755', '-0755', '1e3', '1E3', '12e03', '1_000', '.5', '1.', '+1', '-1'],
  ...[
    '0x1F',
    '0X1F',
    '0b101',
    '-0b101',
    '0o17',
    '0O17',
    '1:20',
    '190:20:30.15',
  ],
  ...[
    '.inf',
    '-.Inf',
    '.NaN',
    '2024-01-01',
    '2024-1-1',
    '2024-01-01T10:00:00Z',
  ],
  ...['2024-01-01 10:00:00', '<<', '='],
];

describe('toYaml', () => {
  it('writes one document per object and survives tricky strings', () => {
    const objects = [
      {
        kind: 'A',
        metadata: {
          name: 'a',
          annotations: { note: 'yes: no # not a comment', empty: '' },
        },
      },
      { kind: 'B', spec: { hosts: ['*'], weight: 10, on: 'on' } },
    ];
    const text = toYaml(objects);
    expect(text.split('\n').filter(line => line === '---')).toHaveLength(1);
    expect(parseAllDocuments(text).map(doc => doc.toJS())).toEqual(objects);
  });

  it('quotes a header match value YAML 1.1 reads as a bool', () => {
    const vs = {
      spec: {
        http: [{ match: [{ headers: { 'x-canary': { exact: 'yes' } } }] }],
      },
    };
    const text = toYaml([vs]);
    expect(text).toContain('exact: "yes"');
    expect(parse(text, { version: '1.1' })).toEqual(vs);
  });

  it.each(YAML_11_LOOKALIKES)(
    'keeps %j a string as value, list item and key under YAML 1.1 and 1.2',
    value => {
      const object = {
        metadata: { labels: { version: value }, annotations: { [value]: 'x' } },
        spec: { hosts: [value], weight: 10, enabled: true, none: null },
      };
      const text = toYaml([object]);
      expect(parse(text, { version: '1.1', merge: false })).toEqual(object);
      expect(parse(text)).toEqual(object);
    },
  );

  it.each(['0O17', '0X1F', '0B101', '<<'])(
    'quotes %j, which only Go readers take for a number or merge key',
    value => {
      expect(toYaml([{ version: value }])).toBe(`version: "${value}"\n`);
    },
  );

  it('leaves numbers, booleans and null unquoted', () => {
    const text = toYaml([{ weight: 10, enabled: true, none: null }]);
    expect(text).toBe('weight: 10\nenabled: true\nnone: null\n');
  });
});
