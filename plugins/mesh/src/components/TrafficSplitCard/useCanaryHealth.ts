import { useRef } from 'react';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { MeshHealthResponse } from '@mesh-portal/backstage-plugin-mesh-common';
import useAsync from 'react-use/esm/useAsync';
import { meshApiRef } from '../../api';
import { useMeshStatus } from '../../hooks';

/** The entity's canary health as the Traffic split card shows it. */
export interface CanaryHealthState {
  health?: MeshHealthResponse;
  loading: boolean;
  error?: Error;
}

/**
 * Reads the canary health apart from the status (a slow Prometheus never holds the card up)
 * and again whenever the status is re-read, e.g. while a new split rolls out. The last answer
 * stays on screen during a re-read.
 */
export function useCanaryHealth(): CanaryHealthState {
  const { entity } = useEntity();
  const meshApi = useApi(meshApiRef);
  const { status } = useMeshStatus();
  const last = useRef<MeshHealthResponse>();
  const { value, loading, error } = useAsync(
    () => meshApi.getHealth(getCompoundEntityRef(entity)),
    [meshApi, entity, status],
  );
  if (value) last.current = value;
  return {
    health: value ?? last.current,
    loading: loading && !last.current,
    error: loading ? undefined : error,
  };
}
