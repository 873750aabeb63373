import { parseAllDocuments } from 'yaml';
import { toYaml } from './toYaml';

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
});
