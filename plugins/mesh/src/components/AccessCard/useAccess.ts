import { useRef } from 'react';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { MeshAccessResponse } from '@mesh-portal/backstage-plugin-mesh-common';
import useAsync from 'react-use/esm/useAsync';
import { meshApiRef } from '../../api';
import { useMeshStatus } from '../../hooks';

/** The entity's access view as the Access card shows it. */
export interface AccessState {
  access?: MeshAccessResponse;
  loading: boolean;
  error?: Error;
}

/**
 * Reads the access view apart from the status (it asks the catalog for the callers and
 * Prometheus for denials, so it never holds the other cards up), and again whenever the status
 * is re-read, e.g. after a policy was applied. The last answer stays on screen meanwhile.
 */
export function useAccess(): AccessState {
  const { entity } = useEntity();
  const meshApi = useApi(meshApiRef);
  const { status } = useMeshStatus();
  const last = useRef<MeshAccessResponse>();
  const { value, loading, error } = useAsync(
    () => meshApi.getAccess(getCompoundEntityRef(entity)),
    [meshApi, entity, status],
  );
  if (value) last.current = value;
  return {
    access: value ?? last.current,
    loading: loading && !last.current,
    error: loading ? undefined : error,
  };
}
