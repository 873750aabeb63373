import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';

/**
 * The "Mesh" tab on entity pages, shown for entities with a Kubernetes
 * annotation (`backstage.io/kubernetes-id` or
 * `backstage.io/kubernetes-label-selector`). The filter is a serialisable
 * predicate so app-config can override it.
 *
 * @alpha
 */
export const entityMeshContent = EntityContentBlueprint.make({
  name: 'mesh',
  params: {
    path: '/mesh',
    title: 'Mesh',
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
      import('../components/EntityMeshContent').then(m => (
        <m.EntityMeshContent />
      )),
  },
});
