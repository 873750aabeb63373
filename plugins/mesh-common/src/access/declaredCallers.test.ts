import type { Entity } from '@backstage/catalog-model';
import { checkoutEntity, paymentsEntity, shopPod } from '../__fixtures__/shop';
import {
  declaredCallerRefs,
  providedApiRefs,
  resolveAccessCallers,
} from './declaredCallers';

const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'API',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'openapi' },
  relations: [
    { type: 'apiProvidedBy', targetRef: 'component:default/payments' },
    { type: 'apiConsumedBy', targetRef: 'component:default/checkout' },
    { type: 'apiConsumedBy', targetRef: 'component:default/refunds' },
  ],
};

const withApi: Entity = {
  ...paymentsEntity,
  relations: [
    ...(paymentsEntity.relations ?? []),
    { type: 'providesApi', targetRef: 'api:default/payments-api' },
    { type: 'dependencyOf', targetRef: 'component:default/payments' },
  ],
};

describe('declared callers', () => {
  it('collects dependents and consumers of provided APIs, each once with every reason', () => {
    expect(providedApiRefs(withApi)).toEqual(['api:default/payments-api']);
    expect(declaredCallerRefs(withApi, [paymentsApi, undefined])).toEqual([
      {
        entityRef: 'component:default/checkout',
        declaredBy: [
          { relation: 'dependsOn' },
          { relation: 'consumesApi', api: 'api:default/payments-api' },
        ],
      },
      {
        entityRef: 'component:default/refunds',
        declaredBy: [
          { relation: 'consumesApi', api: 'api:default/payments-api' },
        ],
      },
    ]);
  });

  it('ignores APIs the entity does not provide', () => {
    expect(declaredCallerRefs(paymentsEntity, [paymentsApi])).toEqual([
      {
        entityRef: 'component:default/checkout',
        declaredBy: [{ relation: 'dependsOn' }],
      },
    ]);
  });

  it('resolves callers to one identity per namespace and service account', () => {
    const pods = [
      shopPod('checkout', { suffix: 'a', serviceAccount: 'checkout' }),
      shopPod('checkout', {
        suffix: 'b',
        serviceAccount: 'checkout',
        injected: false,
      }),
      shopPod('checkout', { suffix: 'c', version: 'v2' }),
      shopPod('payments'),
    ];
    const resolved = resolveAccessCallers({
      callers: [
        {
          entityRef: 'component:default/checkout',
          declaredBy: [{ relation: 'dependsOn' }],
          entity: checkoutEntity,
        },
      ],
      pods,
      trustDomain: 'cluster.local',
    });
    const { callers, unresolved } = resolved;
    expect(unresolved).toEqual([]);
    expect(resolved.pods).toEqual(pods.slice(0, 3));
    expect(callers).toEqual([
      {
        entityRef: 'component:default/checkout',
        declaredBy: [{ relation: 'dependsOn' }],
        namespace: 'shop',
        serviceAccount: 'checkout',
        principal: 'cluster.local/ns/shop/sa/checkout',
        hasSidecar: false,
        pods: 2,
        meshedPods: 1,
      },
      {
        entityRef: 'component:default/checkout',
        declaredBy: [{ relation: 'dependsOn' }],
        namespace: 'shop',
        serviceAccount: 'default',
        principal: 'cluster.local/ns/shop/sa/default',
        hasSidecar: true,
        pods: 1,
        meshedPods: 1,
      },
    ]);
  });

  it('says why a declared caller has no identity', () => {
    const noAnnotations: Entity = {
      ...checkoutEntity,
      metadata: { name: 'batch', namespace: 'default' },
    };
    const elsewhere: Entity = {
      ...checkoutEntity,
      metadata: {
        ...checkoutEntity.metadata,
        name: 'eu-checkout',
        annotations: {
          ...checkoutEntity.metadata.annotations,
          'backstage.io/kubernetes-cluster': 'prod-eu-1',
        },
      },
    };
    const declaredBy = [{ relation: 'dependsOn' as const }];
    const { callers, unresolved } = resolveAccessCallers({
      callers: [
        { entityRef: 'component:default/gone', declaredBy },
        {
          entityRef: 'component:default/batch',
          declaredBy,
          entity: noAnnotations,
        },
        {
          entityRef: 'component:default/eu-checkout',
          declaredBy,
          entity: elsewhere,
        },
        {
          entityRef: 'component:default/checkout',
          declaredBy,
          entity: checkoutEntity,
        },
      ],
      pods: [shopPod('payments')],
      trustDomain: 'cluster.local',
      cluster: 'local',
    });
    expect(callers).toEqual([]);
    expect(unresolved.map(u => [u.entityRef, u.reason])).toEqual([
      [
        'component:default/gone',
        'not found in the catalog (deleted, or not visible to you)',
      ],
      [
        'component:default/batch',
        expect.stringContaining('neither backstage.io/kubernetes-id nor'),
      ],
      [
        'component:default/eu-checkout',
        'runs on prod-eu-1, not on local (backstage.io/kubernetes-cluster)',
      ],
      [
        'component:default/checkout',
        'no pod matches app=checkout in namespace shop',
      ],
    ]);
  });
});
