import {
  createContext,
  ReactNode,
  useCallback,
  useContext,
  useEffect,
  useState,
} from 'react';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { MeshStatusResponse } from '@mesh-portal/backstage-plugin-mesh-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { meshApiRef } from '../api';

/** How often the status is re-read while watching a change roll out. */
export const POLL_INTERVAL_MS = 3000;

/** The entity's mesh status, shared by the cards of the Mesh tab. */
export interface MeshStatusState {
  status?: MeshStatusResponse;
  /** True only for the first load; re-reads keep showing the last status. */
  loading: boolean;
  error?: Error;
  refresh(): void;
  /** Re-read the status every few seconds for `durationMs` (e.g. while pods restart). */
  poll(durationMs: number): void;
  /** True while {@link MeshStatusState.poll} is active. */
  polling: boolean;
}

const MeshStatusContext = createContext<MeshStatusState | undefined>(undefined);

function useMeshStatusState(): MeshStatusState {
  const { entity } = useEntity();
  const meshApi = useApi(meshApiRef);
  const [pollUntil, setPollUntil] = useState(0);
  const { value, loading, error, retry } = useAsyncRetry(
    () => meshApi.getStatus(getCompoundEntityRef(entity)),
    [meshApi, entity],
  );

  const polling = pollUntil > 0;
  useEffect(() => {
    if (!polling) {
      return undefined;
    }
    const timer = setInterval(() => {
      if (Date.now() > pollUntil) {
        setPollUntil(0);
      } else {
        retry();
      }
    }, POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [polling, pollUntil, retry]);

  // A status from the backend's watch cache is cheap: re-read it while the tab is visible, so a
  // change in the cluster shows within ~2 s. A short poll rather than server push (signals):
  // one request per refresh against memory, no new backend route or event bus, and it stops by
  // itself with the tab hidden or closed. Kept across a failed re-read (value is then unset) so
  // the tab recovers by itself.
  const [refreshMs, setRefreshMs] = useState<number | undefined>();
  useEffect(() => {
    if (value) setRefreshMs(value.refreshMs);
  }, [value]);
  useEffect(() => {
    if (!refreshMs) {
      return undefined;
    }
    const refreshIfVisible = () => {
      if (document.visibilityState === 'visible') {
        retry();
      }
    };
    const timer = setInterval(refreshIfVisible, refreshMs);
    document.addEventListener('visibilitychange', refreshIfVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', refreshIfVisible);
    };
  }, [refreshMs, retry]);

  const poll = useCallback(
    (durationMs: number) => {
      setPollUntil(Date.now() + durationMs);
      retry();
    },
    [retry],
  );

  return {
    status: value,
    loading: loading && !value,
    error: value ? undefined : error,
    refresh: retry,
    poll,
    polling,
  };
}

/** Loads the entity's mesh status once for all the cards below it. */
export const MeshStatusProvider = (props: { children?: ReactNode }) => {
  const state = useMeshStatusState();
  return (
    <MeshStatusContext.Provider value={state}>
      {props.children}
    </MeshStatusContext.Provider>
  );
};

/**
 * Makes a card work on its own (legacy entity pages) as well as inside the
 * Mesh tab: provides the status only when no provider is above.
 */
export const MeshStatusBoundary = (props: { children?: ReactNode }) => {
  const existing = useContext(MeshStatusContext);
  if (existing) {
    return <>{props.children}</>;
  }
  return <MeshStatusProvider>{props.children}</MeshStatusProvider>;
};

/** The mesh status of the current entity; use under a {@link MeshStatusBoundary}. */
export function useMeshStatus(): MeshStatusState {
  const state = useContext(MeshStatusContext);
  if (!state) {
    throw new Error('useMeshStatus must be used inside a MeshStatusBoundary');
  }
  return state;
}
