import type { KubePod } from '../kube/types';
import { podLabelGroups } from './podLabelGroups';

const pod = (name: string, namespace: string, labels?: Record<string, string>): KubePod => ({
  metadata: { name, namespace, labels },
});

describe('podLabelGroups', () => {
  it('groups pods with the same namespace and labels, whatever the order of the label keys', () => {
    const pods = [
      pod('a-1', 'prod', { app: 'a', version: 'v1' }),
      pod('b-1', 'prod', { app: 'b' }),
      pod('a-2', 'prod', { version: 'v1', app: 'a' }),
      pod('a-3', 'canary', { app: 'a', version: 'v1' }),
      pod('bare', 'prod'),
      pod('bare-2', 'prod', {}),
    ];
    const groups = podLabelGroups(pods);
    expect(groups.map(g => [g.namespace, g.labels, g.pods.map(p => p.metadata?.name)])).toEqual([
      ['prod', { app: 'a', version: 'v1' }, ['a-1', 'a-2']],
      ['prod', { app: 'b' }, ['b-1']],
      ['canary', { app: 'a', version: 'v1' }, ['a-3']],
      ['prod', {}, ['bare', 'bare-2']],
    ]);
  });

  it('tells labels apart that only a joined string would confuse', () => {
    const groups = podLabelGroups([
      pod('x', 'prod', { 'a,b': 'c' }),
      pod('y', 'prod', { a: 'b,c' }),
    ]);
    expect(groups).toHaveLength(2);
  });
});
