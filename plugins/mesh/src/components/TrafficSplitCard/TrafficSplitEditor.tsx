import { useState } from 'react';
import { Box, Button, Typography } from '@material-ui/core';
import type {
  CanaryActionRequest,
  CanaryPreset,
  MeshApplyResult,
  TrafficSplit,
} from '@mesh-portal/backstage-plugin-mesh-common';
import {
  planApplyReason,
  useMeshAction,
  useMeshApplyPermission,
  useMeshStatus,
} from '../../hooks';
import {
  InlinePlanActions,
  InlinePlanOutcome,
  OneLineTextField,
} from '../shared';

/** The message shown, and the reason Apply is disabled, when weights do not sum to 100. */
export function totalMessage(total: number): string | undefined {
  return total === 100
    ? undefined
    : `Weights must add up to 100 (now ${total}).`;
}

const PRESET_BUTTONS: Array<{ preset: CanaryPreset; label: string }> = [
  { preset: '90/10', label: '90/10' },
  { preset: '50/50', label: '50/50' },
  { preset: 'promote', label: 'Promote' },
  { preset: 'rollback', label: 'Rollback' },
];

/**
 * Weights per subset: number inputs that must sum to 100, presets, promote /
 * rollback, then preview (plan YAML + diff + findings) and apply.
 *
 * The presets, and which subset is stable and which the canary, are the
 * status's (the canary plan's own derivation): the editor only fills them in.
 */
export const TrafficSplitEditor = (props: {
  cluster: string;
  /** The Kubernetes Service, as the status names it: the request's `service`. */
  service: string;
  /**
   * The split's VirtualService (`TrafficSplit.virtualService`): the request's
   * `virtualService`, so the weights go to this split when several route the Service.
   */
  virtualService?: string;
  subsets: string[];
  /** Version label per subset name, shown when it differs from the name (`1.2.0` → `1-2-0`). */
  versions?: Record<string, string>;
  initialWeights: Record<string, number>;
  presets: TrafficSplit['presets'];
  stable?: string;
  canary?: string;
  /** Why weights may not be applied by hand now (a guided canary run steps the split). */
  lockedReason?: string;
  /** Told of each applied result (after the status refresh is asked for). */
  onApplied?: (result: MeshApplyResult) => void;
}) => {
  const {
    cluster,
    service,
    virtualService,
    subsets,
    initialWeights,
    presets,
    stable,
    canary,
  } = props;
  const [weights, setWeights] = useState<Record<string, string>>(() =>
    Object.fromEntries(subsets.map(s => [s, String(initialWeights[s] ?? 0)])),
  );
  const action = useMeshAction();
  const permission = useMeshApplyPermission();
  const { refresh } = useMeshStatus();

  const numeric = Object.fromEntries(
    subsets.map(s => [s, Number(weights[s] === '' ? NaN : weights[s])]),
  );
  const invalid = subsets.filter(
    s => !Number.isInteger(numeric[s]) || numeric[s] < 0 || numeric[s] > 100,
  );
  const total = subsets.reduce(
    (sum, s) => sum + (Number.isFinite(numeric[s]) ? numeric[s] : 0),
    0,
  );
  const validation =
    invalid.length > 0
      ? `Weight for ${invalid[0]} must be a whole number from 0 to 100.`
      : totalMessage(total);

  const set = (values: Record<string, number>) => {
    setWeights(
      Object.fromEntries(subsets.map(s => [s, String(values[s] ?? 0)])),
    );
    action.reset();
  };

  const request: CanaryActionRequest = {
    action: 'canary',
    service,
    ...(virtualService ? { virtualService } : {}),
    cluster,
    weights: numeric,
  };

  const applyReason =
    props.lockedReason ??
    validation ??
    permission.reason ??
    planApplyReason(
      action.plan,
      action.takeOver.confirmed,
      'Blocked by the findings of the plan.',
    );

  return (
    <Box mt={2}>
      <Box display="flex" flexWrap="wrap" alignItems="flex-start">
        {subsets.map(s => (
          <Box key={s} mr={2} mb={1} width={176}>
            <OneLineTextField
              id={`mesh-weight-${cluster}-${service}-${
                virtualService ?? ''
              }-${s}`}
              // The version people know in the label, the subset the request names below it.
              label={`Weight for ${props.versions?.[s] ?? s}`}
              helperText={
                props.versions?.[s] && props.versions[s] !== s
                  ? `subset ${s}`
                  : undefined
              }
              type="number"
              value={weights[s]}
              inputProps={{ min: 0, max: 100, step: 1 }}
              onChange={e => {
                setWeights({ ...weights, [s]: e.target.value });
                action.reset();
              }}
            />
          </Box>
        ))}
        <Box alignSelf="center" mb={1}>
          <Typography
            variant="body2"
            color={validation ? 'error' : 'textPrimary'}
          >
            Total: {total}%
          </Typography>
        </Box>
      </Box>
      {validation && (
        <Typography variant="body2" color="error" role="alert">
          {validation}
        </Typography>
      )}
      {canary !== undefined && (
        <Box display="flex" flexWrap="wrap" my={1}>
          {PRESET_BUTTONS.filter(({ preset }) => presets[preset]).map(
            ({ preset, label }) => (
              <Box key={preset} mr={1} mb={1}>
                <Button
                  size="small"
                  variant="outlined"
                  onClick={() => set(presets[preset]!)}
                >
                  {label}
                </Button>
              </Box>
            ),
          )}
        </Box>
      )}
      {stable !== undefined && (
        <Typography variant="caption" color="textSecondary" component="p">
          Presets: {stable} is the stable version
          {canary !== undefined ? `, ${canary} the canary` : ''}. Promote sends
          all traffic to the canary, Rollback all to stable. Review with
          Preview, then Apply.
        </Typography>
      )}
      <InlinePlanActions
        action={action}
        request={request}
        previewDisabledReason={validation}
        applyDisabledReason={applyReason}
        onApplied={result => {
          refresh();
          props.onApplied?.(result);
        }}
      />
      {props.lockedReason && (
        <Typography variant="caption" color="textSecondary" component="p">
          {props.lockedReason}
        </Typography>
      )}
      {permission.reason && !permission.loading && (
        <Typography variant="caption" color="textSecondary" component="p">
          {permission.reason}
        </Typography>
      )}
      <InlinePlanOutcome action={action} />
    </Box>
  );
};
