// The Kubernetes and Istio objects of bench workloads: kwok pods on the bench nodes, a Service
// per workload, and the Istio objects the status reads.
import { BENCH_POD_PLACEMENT } from './benchNodes.mjs';

/** A Deployment of `replicas` kwok pods labelled app=<name>, version=v1, on the bench nodes. */
export function benchDeployment({ name, namespace, replicas }) {
  const labels = { app: name, version: 'v1' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          ...BENCH_POD_PLACEMENT,
          containers: [
            {
              name,
              image: 'gcr.io/google-samples/hello-app:1.0',
              ports: [{ containerPort: 8080, name: 'http' }],
              resources: { requests: { cpu: '10m', memory: '16Mi' } },
            },
          ],
        },
      },
    },
  };
}

/** A Service on port 80 (http) to the pods' 8080. */
export function httpService({ name, namespace, app, selector = { app } }) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: { app } },
    spec: {
      selector,
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    },
  };
}

/** A DestinationRule with subset v1 (version=v1) for host `host`. */
export function v1DestinationRule({ name, namespace, host = name }) {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name, namespace },
    spec: { host, subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
  };
}

/** A VirtualService sending all of `host`'s HTTP traffic to its subset v1. */
export function v1VirtualService({ name, namespace, host = name }) {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace },
    spec: {
      hosts: [host],
      http: [
        {
          route: [
            {
              destination: { host, subset: 'v1', port: { number: 80 } },
              weight: 100,
            },
          ],
        },
      ],
    },
  };
}

/** The namespace's default PeerAuthentication (PERMISSIVE). */
export function defaultPeerAuthentication(namespace) {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'default', namespace },
    spec: { mtls: { mode: 'PERMISSIVE' } },
  };
}

/** A Component entity whose workload is Deployment `app` in `namespace` (selector app=<app>). */
export function componentEntity({
  name,
  namespace,
  app,
  description,
  annotations = {},
}) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      description,
      annotations: {
        'backstage.io/kubernetes-id': app,
        'backstage.io/kubernetes-namespace': namespace,
        'backstage.io/kubernetes-label-selector': `app=${app}`,
        ...annotations,
      },
    },
    spec: {
      type: 'service',
      lifecycle: 'experimental',
      owner: 'group:default/mesh-admins',
    },
  };
}
