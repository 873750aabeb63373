import type { Entity } from '@backstage/catalog-model';
import {
  InvalidTargetError,
  isMeshAvailable,
  resolveMeshTarget,
} from './targets';

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'backend', annotations },
  };
}

describe('resolveMeshTarget', () => {
  it('prefers the label-selector annotation over kubernetes-id', () => {
    const target = resolveMeshTarget(
      entity({
        'backstage.io/kubernetes-id': 'backend',
        'backstage.io/kubernetes-label-selector': 'app=backend',
        'backstage.io/kubernetes-namespace': 'prod',
      }),
    );
    expect(target.labelSelector).toBe('app=backend');
    expect(target.namespace).toBe('prod');
    expect(target.clusters).toBeUndefined();
    expect(target.selector.requirements).toEqual([
      { key: 'app', operator: 'Equals', value: 'backend' },
    ]);
  });

  it('falls back to the Kubernetes plugin convention for kubernetes-id', () => {
    expect(
      resolveMeshTarget(entity({ 'backstage.io/kubernetes-id': 'backend' }))
        .labelSelector,
    ).toBe('backstage.io/kubernetes-id=backend');
  });

  it('splits cluster lists', () => {
    expect(
      resolveMeshTarget(
        entity({
          'backstage.io/kubernetes-id': 'backend',
          'backstage.io/kubernetes-cluster': 'east, west,east',
        }),
      ).clusters,
    ).toEqual(['east', 'west']);
  });

  it.each([
    [{}, 'backstage.io/kubernetes-id'],
    [
      { 'backstage.io/kubernetes-label-selector': 'app in (a' },
      'backstage.io/kubernetes-label-selector',
    ],
    [
      { 'backstage.io/kubernetes-id': 'has space' },
      'backstage.io/kubernetes-id',
    ],
    [
      {
        'backstage.io/kubernetes-id': 'ok',
        'backstage.io/kubernetes-namespace': 'Prod',
      },
      'backstage.io/kubernetes-namespace',
    ],
    [
      {
        'backstage.io/kubernetes-id': 'ok',
        'backstage.io/kubernetes-cluster': 'a,,b',
      },
      'backstage.io/kubernetes-cluster',
    ],
  ])(
    'throws InvalidTargetError naming the annotation for %p',
    (annotations, annotation) => {
      let error: unknown;
      try {
        resolveMeshTarget(entity(annotations));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidTargetError);
      expect((error as InvalidTargetError).annotation).toBe(annotation);
      expect((error as Error).message).toContain(annotation);
    },
  );
});

describe('isMeshAvailable', () => {
  it('is true with either annotation and false without', () => {
    expect(
      isMeshAvailable(entity({ 'backstage.io/kubernetes-id': 'backend' })),
    ).toBe(true);
    expect(
      isMeshAvailable(
        entity({ 'backstage.io/kubernetes-label-selector': 'app=backend' }),
      ),
    ).toBe(true);
    expect(
      isMeshAvailable(entity({ 'backstage.io/kubernetes-namespace': 'prod' })),
    ).toBe(false);
  });
});
