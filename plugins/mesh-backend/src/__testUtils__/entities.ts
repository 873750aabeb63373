import { Entity } from '@backstage/catalog-model';

/** A Component whose workloads are `app=<app>` pods in `namespace`. */
export function component(name: string, namespace: string, extra: Partial<Entity> = {}): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'backstage.io/kubernetes-id': name,
        'backstage.io/kubernetes-namespace': namespace,
        'backstage.io/kubernetes-label-selector': `app=${name}`,
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'group:default/platform-team' },
    ...extra,
  };
}
