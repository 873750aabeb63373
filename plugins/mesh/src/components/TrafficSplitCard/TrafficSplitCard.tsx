import { InfoCard } from '@backstage/core-components';
import { Box, Chip, Divider, Typography } from '@material-ui/core';
import type {
  ClusterMeshStatusOk,
  TrafficSplit,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { MeshStatusBoundary } from '../../hooks';
import { ClusterSections, MeshCardBody } from '../shared';
import { TrafficSplitEditor } from './TrafficSplitEditor';
import { WeightBar } from './WeightBar';

/** Short service name of a host (`backend.shop.svc.cluster.local` → `backend`). */
const serviceOf = (host: string) => host.split('.')[0];
const routeName = (r: { subset?: string; host: string }) =>
  r.subset ?? serviceOf(r.host);

const SplitView = (props: { cluster: string; split: TrafficSplit }) => {
  const { cluster, split } = props;
  const weights = split.routes.map(r => ({
    name: routeName(r),
    weight: r.weight,
  }));
  return (
    <Box mb={3}>
      <Box display="flex" alignItems="center" mb={1} flexWrap="wrap">
        <Typography variant="subtitle1" component="h3">
          {split.host}
        </Typography>
        {split.canaryInProgress && (
          <Box ml={1}>
            <Chip size="small" color="secondary" label="Canary in progress" />
          </Box>
        )}
      </Box>
      <Typography
        variant="caption"
        color="textSecondary"
        component="p"
        gutterBottom
      >
        VirtualService {split.virtualService ?? '—'} · DestinationRule{' '}
        {split.destinationRule ?? '—'}
        {split.gateways.length > 0
          ? ` · gateways ${split.gateways.join(', ')}`
          : ''}
        {' · '}
        {split.routes
          .map(
            r =>
              `${routeName(r)}: ${r.podCount} pod${
                r.podCount === 1 ? '' : 's'
              }`,
          )
          .join(', ')}
      </Typography>
      <WeightBar weights={weights} />
      <TrafficSplitEditor
        cluster={cluster}
        service={serviceOf(split.host)}
        subsets={weights.map(w => w.name)}
        initialWeights={Object.fromEntries(
          weights.map(w => [w.name, w.weight]),
        )}
      />
    </Box>
  );
};

/** No split yet: offer one when several versions run, else say what is missing. */
const NoSplit = ({ cluster }: { cluster: ClusterMeshStatusOk }) => {
  const versions = [
    ...new Set(
      cluster.workloads
        .map(w => w.labels.version)
        .filter((v): v is string => Boolean(v)),
    ),
  ].sort();
  const service = cluster.services[0]?.name;
  if (versions.length >= 2 && service) {
    return (
      <Box>
        <Typography variant="body2" paragraph>
          No VirtualService splits traffic for {service} yet. Versions running:{' '}
          {versions.join(', ')}. Set weights to start a canary.
        </Typography>
        <TrafficSplitEditor
          cluster={cluster.cluster}
          service={service}
          subsets={versions}
          initialWeights={{ [versions[0]]: 100 }}
        />
      </Box>
    );
  }
  return (
    <Typography variant="body2" color="textSecondary">
      No traffic split:{' '}
      {versions.length === 1
        ? `only version ${versions[0]} runs`
        : 'no workload carries a version label'}
      {service ? ` for ${service}` : ''}. Deploy a second version with its own{' '}
      <code>version</code> label (and the same <code>app</code> label) to start
      a canary.
    </Typography>
  );
};

/**
 * Current traffic split per service with the canary editor.
 *
 * @public
 */
export const TrafficSplitCard = () => (
  <MeshStatusBoundary>
    <InfoCard title="Traffic split">
      <MeshCardBody>
        {status => (
          <ClusterSections
            clusters={status.clusters}
            render={cluster =>
              cluster.trafficSplits.length === 0 ? (
                <NoSplit cluster={cluster} />
              ) : (
                cluster.trafficSplits.map((split, i) => (
                  <Box key={`${split.namespace}/${split.host}`}>
                    {i > 0 && <Divider />}
                    <SplitView cluster={cluster.cluster} split={split} />
                  </Box>
                ))
              )
            }
          />
        )}
      </MeshCardBody>
    </InfoCard>
  </MeshStatusBoundary>
);
