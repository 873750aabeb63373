import { InfoCard } from '@backstage/core-components';
import { Box, Chip, Divider, Typography } from '@material-ui/core';
import { useState } from 'react';
import type {
  MeshApplyResult,
  MeshHealthSeriesResponse,
  TrafficSplit,
  VersionSubset,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { MeshStatusBoundary } from '../../hooks';
import { ApplyResultView, ClusterSections, MeshCardBody } from '../shared';
import { ResilienceEditor } from './ResilienceEditor';
import { GuidedCanary, guidedRunLock, runsOfSplit } from './GuidedCanary';
import { HealthSparklines } from './HealthSparklines';
import { SplitHealth } from './SplitHealth';
import { TrafficSplitEditor } from './TrafficSplitEditor';
import {
  HEALTH_SERIES_RANGE,
  useCanaryHealth,
  useHealthSeries,
  type CanaryHealthState,
  type MetricsReadState,
} from './useCanaryHealth';
import { useCanaryRuns, type CanaryRunsState } from './useCanaryRuns';
import { WeightBar } from './WeightBar';

/** A route is shown by its subset, else by its destination host as written. */
const routeName = (r: { subset?: string; host: string }) => r.subset ?? r.host;

/** Version label per subset name, for labels where the two differ (`1-2-0` ← `1.2.0`). */
const versionLabels = (subsets: VersionSubset[]) =>
  Object.fromEntries(subsets.map(s => [s.name, s.version]));

const SplitView = (props: {
  cluster: string;
  split: TrafficSplit;
  health: CanaryHealthState;
  series: MetricsReadState<MeshHealthSeriesResponse>;
  runs: CanaryRunsState;
  /** The result of the apply that created this split from the card, if it just did. */
  created?: MeshApplyResult;
}) => {
  const { cluster, split, health, series, runs } = props;
  const clusterSeries = series.value?.clusters.find(c => c.cluster === cluster);
  const serviceSeries =
    clusterSeries?.state === 'ok'
      ? clusterSeries.services.find(
          s => s.host === split.host && s.namespace === split.namespace,
        )
      : undefined;
  const clusterHealth = health.health?.clusters.find(
    c => c.cluster === cluster,
  );
  // Subset names come from the status (the backend's naming): requests must use them.
  const versions = split.subsets.map(s => s.name);
  const weights = split.routes.map(r => ({
    name: routeName(r),
    weight: r.weight,
  }));
  // Routed subsets first (the first is the stable one), then versions that get no traffic
  // yet (e.g. v1 after v2 was promoted), so every running version can be weighted.
  const subsets = split.routes.some(r => r.subset)
    ? [
        ...weights.map(w => w.name),
        ...versions.filter(v => !weights.some(w => w.name === v)),
      ]
    : weights.map(w => w.name);
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
      <Box mt={1}>
        <SplitHealth cluster={cluster} split={split} state={health} />
        {serviceSeries && (
          <HealthSparklines
            series={serviceSeries}
            thresholds={
              clusterHealth?.state === 'ok'
                ? clusterHealth.thresholds
                : undefined
            }
            range={HEALTH_SERIES_RANGE}
          />
        )}
      </Box>
      <GuidedCanary
        cluster={cluster}
        service={split.service}
        virtualService={split.virtualService}
        stable={split.stable}
        canary={split.canary}
        state={runs}
      />
      {props.created && <ApplyResultView result={props.created} />}
      <TrafficSplitEditor
        cluster={cluster}
        service={split.service}
        virtualService={split.virtualService}
        lockedReason={guidedRunLock(
          runsOfSplit(runs.runs, {
            cluster,
            service: split.service,
            virtualService: split.virtualService,
          }),
        )}
        subsets={subsets}
        versions={versionLabels(split.subsets)}
        initialWeights={Object.fromEntries(
          weights.map(w => [w.name, w.weight]),
        )}
        presets={split.presets}
        stable={split.stable}
        canary={split.canary}
      />
      <ResilienceEditor
        cluster={cluster}
        service={split.service}
        virtualService={split.virtualService}
        current={split.resilience}
      />
    </Box>
  );
};

/**
 * No split yet for a Service: offer one when several versions run, else say
 * what is missing.
 */
const NoSplit = ({
  cluster,
  split,
  onCreated,
}: {
  cluster: string;
  split?: TrafficSplit;
  onCreated?: (result: MeshApplyResult) => void;
}) => {
  const service = split?.service;
  const subsets = split?.subsets ?? [];
  const versions = subsets.map(s => s.version);
  const names = subsets.map(s => s.name);
  if (versions.length >= 2 && split && service) {
    return (
      <Box>
        <Typography variant="body2" paragraph>
          No VirtualService splits traffic for {service} yet. Versions running:{' '}
          {versions.join(', ')}. Set weights to start a canary.
        </Typography>
        <TrafficSplitEditor
          cluster={cluster}
          service={service}
          subsets={names}
          versions={versionLabels(subsets)}
          initialWeights={split.stable ? { [split.stable]: 100 } : {}}
          presets={split.presets}
          stable={split.stable}
          canary={split.canary}
          onApplied={onCreated}
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

const TrafficSplitCardContent = () => {
  const health = useCanaryHealth();
  const series = useHealthSeries();
  const runs = useCanaryRuns();
  // The first split of a Service replaces the "no split" editor with the split's own once the
  // status shows it; its apply result is kept here so that it stays in view.
  const [created, setCreated] = useState<Record<string, MeshApplyResult>>({});
  const keyOf = (cluster: string, split: TrafficSplit) =>
    `${cluster}/${split.namespace}/${split.service}`;
  return (
    <InfoCard title="Traffic split">
      <MeshCardBody>
        {status => (
          <ClusterSections
            clusters={status.clusters}
            render={cluster => {
              // A Service that no VirtualService routes is reported as "100% to itself":
              // that is no split, and the editor then starts from the running versions.
              const splits = cluster.trafficSplits.filter(
                s => s.virtualService || s.routes.some(r => r.subset),
              );
              if (splits.length === 0) {
                const unsplit = cluster.trafficSplits;
                return unsplit.length === 0 ? (
                  <NoSplit cluster={cluster.cluster} />
                ) : (
                  unsplit.map(split => (
                    <NoSplit
                      key={`${split.namespace}/${split.service}`}
                      cluster={cluster.cluster}
                      split={split}
                      onCreated={result =>
                        setCreated(c => ({
                          ...c,
                          [keyOf(cluster.cluster, split)]: result,
                        }))
                      }
                    />
                  ))
                );
              }
              return splits.map((split, i) => (
                <Box
                  key={`${split.namespace}/${split.host}/${split.virtualService}`}
                >
                  {i > 0 && <Divider />}
                  <SplitView
                    cluster={cluster.cluster}
                    split={split}
                    health={health}
                    series={series}
                    runs={runs}
                    created={created[keyOf(cluster.cluster, split)]}
                  />
                </Box>
              ));
            }}
          />
        )}
      </MeshCardBody>
    </InfoCard>
  );
};

/**
 * Current traffic split per service with the canary editor.
 *
 * @public
 */
export const TrafficSplitCard = () => (
  <MeshStatusBoundary>
    <TrafficSplitCardContent />
  </MeshStatusBoundary>
);
