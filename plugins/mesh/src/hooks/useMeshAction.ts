import { useCallback, useMemo, useState } from 'react';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type {
  MeshActionRequest,
  MeshApplyResult,
  MeshPlan,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { meshApiRef } from '../api';

/**
 * The user's confirmation that apply may take over fields a person applied with kubectl (the
 * plan's `take-over` field conflicts): sent as `takeOver=true` with the apply.
 */
export interface TakeOverConfirmation {
  confirmed: boolean;
  confirm(confirmed: boolean): void;
}

/** Why Apply waits on the plan itself: a blocking finding, or a take-over not yet confirmed. */
export function planApplyReason(
  plan: MeshPlan | undefined,
  takeOverConfirmed: boolean,
  blockedReason = 'Blocked by the findings above.',
): string | undefined {
  if (plan?.blocked) return blockedReason;
  const takesOver = plan?.fieldConflicts?.some(
    c => c.resolution === 'take-over',
  );
  if (takesOver && !takeOverConfirmed) {
    return 'Confirm the take-over of the fields applied with kubectl (above) to apply.';
  }
  return undefined;
}

/** State of a preview → apply flow for one action. */
export interface MeshActionState {
  plan?: MeshPlan;
  result?: MeshApplyResult;
  error?: Error;
  busy: 'preview' | 'apply' | undefined;
  takeOver: TakeOverConfirmation;
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
  const [takeOverConfirmed, setTakeOverConfirmed] = useState(false);

  const preview = useCallback(
    async (request: MeshActionRequest) => {
      setBusy('preview');
      setError(undefined);
      setResult(undefined);
      // A confirmation covers the take-over the user saw, not the next plan's.
      setTakeOverConfirmed(false);
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
        const next = await meshApi.apply(
          getCompoundEntityRef(entity),
          request,
          {
            takeOver: takeOverConfirmed,
          },
        );
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
    [meshApi, entity, takeOverConfirmed],
  );

  const reset = useCallback(() => {
    setPlan(undefined);
    setResult(undefined);
    setError(undefined);
    setTakeOverConfirmed(false);
  }, []);

  const takeOver = useMemo(
    () => ({ confirmed: takeOverConfirmed, confirm: setTakeOverConfirmed }),
    [takeOverConfirmed],
  );

  return { plan, result, error, busy, takeOver, preview, apply, reset };
}
