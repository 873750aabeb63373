import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

/**
 * Examples of `mesh:manifests:generate` shown in the scaffolder's action reference.
 *
 * @public
 */
export const generateManifestsExamples: TemplateExample[] = [
  {
    description:
      'HTTP service in its own namespace, one manifest file per object under k8s/',
    example: stringify({
      steps: [
        {
          id: 'manifests',
          name: 'Generate mesh manifests',
          action: 'mesh:manifests:generate',
          input: {
            name: 'payments',
            namespace: 'payments',
            port: 8080,
            protocol: 'http',
            image: 'registry.example.com/payments:1.0.0',
            targetPath: 'k8s',
          },
        },
      ],
    }),
  },
  {
    description:
      'gRPC service, STRICT mTLS, exposed through the ingress gateway, as one multi-document file',
    example: stringify({
      steps: [
        {
          id: 'manifests',
          name: 'Generate mesh manifests',
          action: 'mesh:manifests:generate',
          input: {
            name: 'ledger',
            namespace: 'finance',
            port: 9090,
            protocol: 'grpc',
            version: 'v1',
            image: 'registry.example.com/finance/ledger:2.3.1',
            replicas: 2,
            mtlsMode: 'STRICT',
            expose: true,
            hosts: ['ledger.example.com'],
            output: 'bundle',
            targetPath: 'deploy/k8s',
          },
        },
      ],
    }),
  },
  {
    description: 'Inputs taken from the template form',
    example: stringify({
      steps: [
        {
          id: 'manifests',
          name: 'Generate mesh manifests',
          action: 'mesh:manifests:generate',
          input: {
            name: '${{ parameters.name }}',
            namespace: '${{ parameters.namespace }}',
            port: '${{ parameters.port }}',
            protocol: '${{ parameters.protocol }}',
            image: '${{ parameters.image }}',
            mtlsMode: '${{ parameters.mtlsMode }}',
            expose: '${{ parameters.expose }}',
            // `['${{ parameters.host }}']` would render as [null] when the host is unset.
            hosts: '${{ [parameters.host] if parameters.expose else [] }}',
          },
        },
      ],
    }),
  },
];
