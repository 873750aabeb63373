import { useCallback, useEffect, useRef, useState } from 'react';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type {
  CanaryRun,
  CanaryRunAction,
  CanaryRunStartRequest,
} from '@mesh-portal/backstage-plugin-mesh-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshApiRef } from '../../api';
import { useMeshStatus } from '../../hooks';

/** How often the runs are re-read while one is running (the backend steps every ~15 s). */
export const CANARY_RUNS_POLL_MS = 5000;

/** The entity's guided canary runs as the Traffic split card shows them. */
export interface CanaryRunsState {
  /** Newest first; the last answer stays while a re-read is under way. */
  runs?: CanaryRun[];
  loading: boolean;
  error?: Error;
  /** Re-read now (after a start or an action). */
  refresh(): void;
}

/** Starting a run or acting on one, from one split's Guided canary section. */
export interface CanaryRunActions {
  /** The request in flight, if any. */
  busy?: 'start' | CanaryRunAction;
  /** Why the last start or action failed (the backend's message). */
  error?: Error;
  start(request: CanaryRunStartRequest): Promise<void>;
  act(runId: string, action: CanaryRunAction): Promise<void>;
}

/**
 * Reads the entity's runs, and re-reads them every few seconds while one is running. When a
 * run moves the split (its weight or state changes), the mesh status is re-read too, so the
 * weight bar and the health follow.
 */
export function useCanaryRuns(): CanaryRunsState {
  const { entity } = useEntity();
  const meshApi = useApi(meshApiRef);
  const { refresh: refreshStatus } = useMeshStatus();
  const { value, loading, error, retry } = useAsyncRetry(
    () => meshApi.getCanaryRuns(getCompoundEntityRef(entity)),
    [meshApi, entity],
  );
  const last = useRef<CanaryRun[]>();
  if (value) last.current = value.items;
  const runs = value?.items ?? last.current;

  const running = Boolean(runs?.some(r => r.state === 'running'));
  useEffect(() => {
    if (!running) return undefined;
    const timer = setInterval(retry, CANARY_RUNS_POLL_MS);
    return () => clearInterval(timer);
  }, [running, retry]);

  const signature = runs?.map(r => `${r.id}:${r.state}:${r.weight}`).join(',');
  const seen = useRef<string>();
  useEffect(() => {
    if (signature === undefined) return;
    if (seen.current !== undefined && seen.current !== signature) refreshStatus();
    seen.current = signature;
  }, [signature, refreshStatus]);

  return {
    runs,
    loading: loading && !runs,
    error: loading || runs ? undefined : error,
    refresh: retry,
  };
}

/** Calls the start and action routes for the current entity; `done` re-reads the runs. */
export function useCanaryRunActions(done: () => void): CanaryRunActions {
  const { entity } = useEntity();
  const meshApi = useApi(meshApiRef);
  const [busy, setBusy] = useState<CanaryRunActions['busy']>();
  const [error, setError] = useState<Error>();
  const call = useCallback(
    async (what: 'start' | CanaryRunAction, request: () => Promise<unknown>) => {
      setBusy(what);
      setError(undefined);
      try {
        await request();
        done();
      } catch (e) {
        setError(e as Error);
      } finally {
        setBusy(undefined);
      }
    },
    [done],
  );
  const start = useCallback(
    (request: CanaryRunStartRequest) =>
      call('start', () =>
        meshApi.startCanaryRun(getCompoundEntityRef(entity), request),
      ),
    [call, meshApi, entity],
  );
  const act = useCallback(
    (runId: string, action: CanaryRunAction) =>
      call(action, () =>
        meshApi.canaryRunAction(getCompoundEntityRef(entity), runId, action),
      ),
    [call, meshApi, entity],
  );
  return { busy, error, start, act };
}
