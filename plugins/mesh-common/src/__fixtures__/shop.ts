import type { Entity } from '@backstage/catalog-model';
import type {
  IstioAuthorizationPolicy,
  KubePod,
  KubeService,
} from '../kube/types';

/**
 * The sample scenario's shop (catalog/shop.yaml, local-mesh/scenario/shop): checkout dependsOn
 * payments, both in namespace shop, as the catalog returns them (relations filled in).
 */
export const paymentsEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'payments',
      'backstage.io/kubernetes-namespace': 'shop',
      'backstage.io/kubernetes-label-selector': 'app=payments',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'shop-team' },
  relations: [
    { type: 'dependencyOf', targetRef: 'component:default/checkout' },
    { type: 'ownedBy', targetRef: 'group:default/shop-team' },
  ],
};

export const checkoutEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'checkout',
      'backstage.io/kubernetes-namespace': 'shop',
      'backstage.io/kubernetes-label-selector': 'app=checkout',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'shop-team' },
  relations: [{ type: 'dependsOn', targetRef: 'component:default/payments' }],
};

export const paymentsService: KubeService = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name: 'payments',
    namespace: 'shop',
    labels: { app: 'payments' },
  },
  spec: {
    selector: { app: 'payments' },
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
  },
};

/** A pod of the shop, with a sidecar unless `injected: false`. */
export function shopPod(
  app: string,
  options: {
    suffix?: string;
    injected?: boolean;
    serviceAccount?: string;
    namespace?: string;
    version?: string;
  } = {},
): KubePod {
  const injected = options.injected ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${app}-${options.version ?? 'v1'}-${
        options.suffix ?? '7d9f8-abcde'
      }`,
      namespace: options.namespace ?? 'shop',
      labels: { app, version: options.version ?? 'v1' },
    },
    spec: {
      ...(options.serviceAccount
        ? { serviceAccountName: options.serviceAccount }
        : {}),
      containers: [
        { name: app, image: 'hello-app:1.0' },
        ...(injected
          ? [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.28.0' }]
          : []),
      ],
    },
  };
}

/** An AuthorizationPolicy of someone else's in shop. */
export function foreignPolicy(
  name: string,
  spec: IstioAuthorizationPolicy['spec'],
  namespace = 'shop',
): IstioAuthorizationPolicy {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace },
    spec,
  };
}
