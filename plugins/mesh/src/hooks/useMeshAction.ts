import { useCallback, useState } from 'react';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type {
  MeshActionRequest,
  MeshApplyResult,
  MeshPlan,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { meshApiRef } from '../api';

/** State of a preview → apply flow for one action. */
export interface MeshActionState {
  plan?: MeshPlan;
  result?: MeshApplyResult;
  error?: Error;
  busy: 'preview' | 'apply' | undefined;
  preview(request: MeshActionRequest): Promise<MeshPlan | undefined>;
  apply(request: MeshActionRequest): Promise<MeshApplyResult | undefined>;
  reset(): void;
}

/** Calls the plans / apply routes for the current entity and keeps the outcome. */
export function useMeshAction(): MeshActionState {
  const { entity } = useEntity();
  const meshApi = useApi(meshApiRef);
  const [plan, setPlan] = useState<MeshPlan>();
  const [result, setResult] = useState<MeshApplyResult>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState<'preview' | 'apply'>();

  const preview = useCallback(
    async (request: MeshActionRequest) => {
      setBusy('preview');
      setError(undefined);
      setResult(undefined);
      try {
        const next = await meshApi.createPlan(
          getCompoundEntityRef(entity),
          request,
        );
        setPlan(next);
        return next;
      } catch (e) {
        setPlan(undefined);
        setError(e as Error);
        return undefined;
      } finally {
        setBusy(undefined);
      }
    },
    [meshApi, entity],
  );

  const apply = useCallback(
    async (request: MeshActionRequest) => {
      setBusy('apply');
      setError(undefined);
      try {
        const next = await meshApi.apply(getCompoundEntityRef(entity), request);
        setResult(next);
        setPlan(next.plan);
        return next;
      } catch (e) {
        setError(e as Error);
        return undefined;
      } finally {
        setBusy(undefined);
      }
    },
    [meshApi, entity],
  );

  const reset = useCallback(() => {
    setPlan(undefined);
    setResult(undefined);
    setError(undefined);
  }, []);

  return { plan, result, error, busy, preview, apply, reset };
}
