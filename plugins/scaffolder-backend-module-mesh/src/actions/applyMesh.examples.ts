import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

/**
 * Examples of `mesh:apply` shown in the scaffolder's action reference.
 *
 * @public
 */
export const applyMeshExamples: TemplateExample[] = [
  {
    description:
      'Switch a service to STRICT mTLS, as the user who runs the template',
    example: stringify({
      steps: [
        {
          id: 'strict',
          name: 'STRICT mTLS',
          action: 'mesh:apply',
          input: {
            entityRef: 'component:default/payments',
            action: { action: 'mtls', mode: 'STRICT', scope: 'namespace' },
          },
        },
      ],
    }),
  },
  {
    description:
      'Plan (no change) a 90/10 canary and show the plan summary in the output',
    example: stringify({
      steps: [
        {
          id: 'canary',
          name: 'Plan canary',
          action: 'mesh:apply',
          input: {
            entityRef: 'component:default/backend',
            action: { action: 'canary', preset: '90/10' },
            dryRun: true,
          },
        },
      ],
      output: {
        text: [
          { title: 'Plan', content: '${{ steps.canary.output.summary }}' },
        ],
      },
    }),
  },
  {
    description: 'Expose a service through the ingress gateway',
    example: stringify({
      steps: [
        {
          id: 'expose',
          name: 'Expose',
          action: 'mesh:apply',
          input: {
            entityRef: 'component:default/frontend',
            action: { action: 'expose', hosts: ['frontend.example.com'] },
          },
        },
      ],
    }),
  },
  {
    description:
      'Lock a service to its declared callers in dry-run (Istio counts the requests it would deny)',
    example: stringify({
      steps: [
        {
          id: 'access',
          name: 'Access policy in dry-run',
          action: 'mesh:apply',
          input: {
            entityRef: 'component:default/payments',
            action: { action: 'access', mode: 'dry-run' },
          },
        },
      ],
    }),
  },
  {
    description:
      'Set a timeout, retries on 5xx and outlier detection on a service',
    example: stringify({
      steps: [
        {
          id: 'resilience',
          name: 'Timeouts and retries',
          action: 'mesh:apply',
          input: {
            entityRef: 'component:default/backend',
            action: {
              action: 'resilience',
              timeout: '2s',
              retries: { attempts: 3, perTryTimeout: '500ms', retryOn: '5xx' },
              outlierDetection: {
                consecutive5xxErrors: 5,
                interval: '10s',
                baseEjectionTime: '30s',
              },
            },
          },
        },
      ],
    }),
  },
];
