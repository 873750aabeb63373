import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';

/**
 * Compact mesh summary on the entity overview (sidecars, mTLS, traffic,
 * findings), for entities with a Kubernetes annotation.
 *
 * @alpha
 */
export const entityMeshSummaryCard = EntityCardBlueprint.make({
  name: 'summary',
  params: {
    type: 'info',
    filter: {
      $any: [
        {
          'metadata.annotations.backstage.io/kubernetes-id': { $exists: true },
        },
        {
          'metadata.annotations.backstage.io/kubernetes-label-selector': {
            $exists: true,
          },
        },
      ],
    },
    loader: () =>
      import('../components/EntityMeshSummaryCard').then(m => (
        <m.EntityMeshSummaryCard />
      )),
  },
});
