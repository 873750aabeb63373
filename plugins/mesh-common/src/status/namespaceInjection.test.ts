import { namespaceInjection } from './namespaceInjection';

const ns = (labels: Record<string, string>) => ({
  metadata: { name: 'prod', labels },
});

describe('namespaceInjection', () => {
  it.each([
    [{ 'istio-injection': 'enabled' }, 'sidecar', undefined],
    [{ 'istio-injection': 'disabled' }, 'disabled', undefined],
    [{ 'istio.io/rev': '1-24-2' }, 'revision', '1-24-2'],
    [{ 'istio.io/dataplane-mode': 'ambient' }, 'ambient', undefined],
    [{ 'istio.io/dataplane-mode': 'none' }, 'none', undefined],
    [{ team: 'shop' }, 'none', undefined],
  ])('%p → %s', (labels, mode, revision) => {
    const result = namespaceInjection(ns(labels));
    expect(result.mode).toBe(mode);
    expect(result.revision).toBe(revision);
    expect(result.conflict).toBeUndefined();
  });

  it('reports a conflict where istio-injection wins over istio.io/rev', () => {
    const result = namespaceInjection(
      ns({ 'istio-injection': 'enabled', 'istio.io/rev': 'canary', team: 'x' }),
    );
    expect(result.mode).toBe('sidecar');
    expect(result.labels).toEqual({
      'istio-injection': 'enabled',
      'istio.io/rev': 'canary',
    });
    expect(result.conflict).toBe(
      'more than one injection label (istio-injection, istio.io/rev); istio-injection wins',
    );
  });
});
