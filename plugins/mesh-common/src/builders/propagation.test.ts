import type { PlannedObject } from '../api/plan';
import { needsPropagationPause } from './propagation';

const obj = (kind: string, namespace = 'prod'): PlannedObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind,
  name: 'backend',
  namespace,
  operation: 'apply',
  object: {},
  yaml: '',
});

describe('needsPropagationPause', () => {
  it('waits between a DestinationRule and the VirtualService that routes to its subsets, both ways', () => {
    expect(needsPropagationPause(obj('DestinationRule'), obj('VirtualService'))).toBe(true);
    expect(needsPropagationPause(obj('VirtualService'), obj('DestinationRule'))).toBe(true);
  });

  it('does not wait between unrelated objects', () => {
    expect(needsPropagationPause(obj('Gateway'), obj('VirtualService'))).toBe(false);
    expect(needsPropagationPause(obj('VirtualService'), obj('VirtualService'))).toBe(false);
    expect(needsPropagationPause(obj('PeerAuthentication'), obj('DestinationRule'))).toBe(false);
    expect(needsPropagationPause(obj('DestinationRule', 'a'), obj('VirtualService', 'b'))).toBe(false);
  });
});
