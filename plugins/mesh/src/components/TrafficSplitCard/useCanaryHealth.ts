import { useRef } from 'react';
import { getCompoundEntityRef, type CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type {
  MeshHealthResponse,
  MeshHealthSeriesResponse,
} from '@mesh-portal/backstage-plugin-mesh-common';
import useAsync from 'react-use/esm/useAsync';
import { meshApiRef, type MeshApi } from '../../api';
import { useMeshStatus } from '../../hooks';

/** A metrics read as the Traffic split card shows it. */
export interface MetricsReadState<T> {
  value?: T;
  loading: boolean;
  error?: Error;
}

/** The entity's canary health as the Traffic split card shows it. */
export interface CanaryHealthState {
  health?: MeshHealthResponse;
  loading: boolean;
  error?: Error;
}

/** How far back the per-version charts reach. */
export const HEALTH_SERIES_RANGE = '15m';

/**
 * Reads metrics apart from the status (a slow Prometheus never holds the card up) and again
 * whenever the status is re-read, e.g. while a new split rolls out. The last answer stays on
 * screen during a re-read.
 */
function useMetricsRead<T>(
  read: (api: MeshApi, entityRef: CompoundEntityRef) => Promise<T>,
): MetricsReadState<T> {
  const { entity } = useEntity();
  const meshApi = useApi(meshApiRef);
  const { status } = useMeshStatus();
  const last = useRef<T>();
  const { value, loading, error } = useAsync(
    () => read(meshApi, getCompoundEntityRef(entity)),
    [read, meshApi, entity, status],
  );
  if (value) last.current = value;
  return {
    value: value ?? last.current,
    loading: loading && !last.current,
    error: loading ? undefined : error,
  };
}

const readHealth = (api: MeshApi, ref: CompoundEntityRef) => api.getHealth(ref);
const readSeries = (api: MeshApi, ref: CompoundEntityRef) =>
  api.getHealthSeries(ref, HEALTH_SERIES_RANGE);

/** The entity's canary health (per-version metrics now, and the advice). */
export function useCanaryHealth(): CanaryHealthState {
  const { value, ...rest } = useMetricsRead(readHealth);
  return { health: value, ...rest };
}

/** The entity's per-version series over {@link HEALTH_SERIES_RANGE}, for the charts. */
export function useHealthSeries(): MetricsReadState<MeshHealthSeriesResponse> {
  return useMetricsRead(readSeries);
}
