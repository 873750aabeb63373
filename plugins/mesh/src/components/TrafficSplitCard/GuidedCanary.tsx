import { useState } from 'react';
import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import {
  Box,
  LinearProgress,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import {
  ACTIVE_CANARY_RUN_STATES,
  DEFAULT_CANARY_RUN_INTERVAL_SECONDS,
  DEFAULT_CANARY_STEP_WEIGHTS,
  type CanaryRun,
  type CanaryRunStep,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { useMeshApplyPermission } from '../../hooks';
import {
  ActionError,
  GuardedButton,
  MeshTable,
  NoWrapCell,
  OneLineTextField,
} from '../shared';
import {
  useCanaryRunActions,
  type CanaryRunActions,
  type CanaryRunsState,
} from './useCanaryRuns';

const isActive = (run: CanaryRun) =>
  ACTIVE_CANARY_RUN_STATES.includes(run.state);

/** The runs of one split, newest first: its cluster, its service, its VirtualService. */
export function runsOfSplit(
  runs: CanaryRun[] | undefined,
  split: { cluster: string; service: string; virtualService?: string },
): CanaryRun[] {
  return (runs ?? []).filter(
    r =>
      r.cluster === split.cluster &&
      r.service === split.service &&
      (!r.virtualService ||
        !split.virtualService ||
        r.virtualService === split.virtualService),
  );
}

/** Why the manual editor may not apply while a guided run steps the split. */
export function guidedRunLock(runs: CanaryRun[]): string | undefined {
  const active = runs.find(isActive);
  return active
    ? `A guided canary run is ${active.state} on this split: abort it before setting weights by hand.`
    : undefined;
}
const percent = (n?: number) =>
  n === undefined ? '—' : `${Number(n.toFixed(2))} %`;
const millis = (n?: number) => (n === undefined ? '—' : `${Math.round(n)} ms`);
const time = (iso: string) => new Date(iso).toLocaleTimeString();
const userName = (ref: string) => ref.replace(/^user:(default\/)?/, '');

/**
 * Reads the steps field (`10, 25, 50, 100`): whole percentages, strictly increasing, ending at
 * 100. Returns the steps, or why they cannot be used (the backend checks the same).
 */
export function parseSteps(text: string): { steps?: number[]; error?: string } {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return { error: 'Name at least one step.' };
  const steps = parts.map(Number);
  const bad = parts.find(
    (_part, i) => !Number.isInteger(steps[i]) || steps[i] < 1 || steps[i] > 100,
  );
  if (bad !== undefined)
    return { error: `Step ${bad} is not a whole percentage from 1 to 100.` };
  const i = steps.findIndex((s, k) => k > 0 && s <= steps[k - 1]);
  if (i > 0)
    return { error: `Step ${steps[i]} must be greater than ${steps[i - 1]}.` };
  if (steps[steps.length - 1] !== 100)
    return { error: 'The last step must be 100 (the promotion).' };
  return { steps };
}

/** Reads the interval field: whole seconds from 10 to 3600. */
export function parseInterval(text: string): {
  seconds?: number;
  error?: string;
} {
  const seconds = Number(text);
  if (
    text.trim() === '' ||
    !Number.isInteger(seconds) ||
    seconds < 10 ||
    seconds > 3600
  ) {
    return { error: 'The interval must be whole seconds from 10 to 3600.' };
  }
  return { seconds };
}

const StateLine = ({ run }: { run: CanaryRun }) => {
  const text = (
    <Typography variant="body2" component="span">
      {describeState(run)}
    </Typography>
  );
  switch (run.state) {
    case 'running':
      return <StatusRunning>{text}</StatusRunning>;
    case 'paused':
      return <StatusPending>{text}</StatusPending>;
    case 'completed':
      return <StatusOK>{text}</StatusOK>;
    case 'aborted':
      return <StatusAborted>{text}</StatusAborted>;
    case 'rolled-back':
      return <StatusWarning>{text}</StatusWarning>;
    default:
      return <StatusError>{text}</StatusError>;
  }
};

/** One line for people: where the run is, or how it ended and why. */
export function describeState(run: CanaryRun): string {
  const split = `${run.canary} at ${run.weight} %, ${run.stable} at ${
    100 - run.weight
  } %`;
  switch (run.state) {
    case 'running':
      return `Running: ${split}`;
    case 'paused':
      return `Paused: ${split}`;
    case 'completed':
      return `Completed: ${run.outcome ?? `${run.canary} carries 100 %`}`;
    case 'rolled-back':
      return `Rolled back: ${run.outcome ?? ''}`;
    case 'aborted':
      return `Aborted: ${run.outcome ?? ''}`;
    default:
      return `Failed: ${run.outcome ?? ''}`;
  }
}

const StepRow = ({ step }: { step: CanaryRunStep }) => (
  <TableRow>
    <NoWrapCell>{time(step.at)}</NoWrapCell>
    <TableCell align="right">{step.weight} %</TableCell>
    <TableCell align="right">{percent(step.successRate)}</TableCell>
    <TableCell align="right">{millis(step.p99Ms)}</TableCell>
    <NoWrapCell>{step.decision}</NoWrapCell>
    <TableCell>
      {[step.reason, step.actor && `by ${userName(step.actor)}`]
        .filter(Boolean)
        .join(' — ') || '—'}
    </TableCell>
  </TableRow>
);

const RunView = (props: {
  run: CanaryRun;
  actions: CanaryRunActions;
  /** Why the user may not pause, resume or abort (undefined when allowed). */
  deniedReason?: string;
}) => {
  const { run, actions, deniedReason } = props;
  const active = isActive(run);
  return (
    <Box>
      <StateLine run={run} />
      <Typography variant="caption" color="textSecondary" component="p">
        Started by {userName(run.actor)} at {time(run.createdAt)} · steps{' '}
        {run.steps.join(' → ')} % · {run.intervalSeconds} s healthy at each
      </Typography>
      {active && (
        <Box display="flex" my={1}>
          <Box mr={1}>
            <GuardedButton
              onClick={() =>
                actions.act(run.id, run.state === 'paused' ? 'resume' : 'pause')
              }
              disabled={Boolean(actions.busy)}
              disabledReason={deniedReason}
            >
              {run.state === 'paused' ? 'Resume' : 'Pause'}
            </GuardedButton>
          </Box>
          <GuardedButton
            color="secondary"
            onClick={() => actions.act(run.id, 'abort')}
            disabled={Boolean(actions.busy)}
            disabledReason={deniedReason}
          >
            Abort and roll back
          </GuardedButton>
        </Box>
      )}
      <MeshTable label={`Steps of the guided canary of ${run.service}`}>
        <TableHead>
          <TableRow>
            <TableCell>Time</TableCell>
            <TableCell align="right">Weight</TableCell>
            <TableCell align="right">Success</TableCell>
            <TableCell align="right">p99</TableCell>
            <TableCell>Decision</TableCell>
            <TableCell>Reason</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {run.history.map((step, i) => (
            <StepRow key={i} step={step} />
          ))}
        </TableBody>
      </MeshTable>
    </Box>
  );
};

const StartForm = (props: {
  cluster: string;
  service: string;
  virtualService?: string;
  stable: string;
  canary: string;
  actions: CanaryRunActions;
}) => {
  const { cluster, service, virtualService, stable, canary, actions } = props;
  const [stepsText, setStepsText] = useState(
    DEFAULT_CANARY_STEP_WEIGHTS.join(', '),
  );
  const [intervalText, setIntervalText] = useState(
    String(DEFAULT_CANARY_RUN_INTERVAL_SECONDS),
  );
  const steps = parseSteps(stepsText);
  const interval = parseInterval(intervalText);
  const invalid = steps.error ?? interval.error;
  const id = `mesh-guided-${cluster}-${service}-${virtualService ?? ''}`;
  return (
    <Box mt={1}>
      <Box display="flex" flexWrap="wrap" alignItems="flex-start">
        <Box mr={2} mb={1} width={220}>
          <OneLineTextField
            id={`${id}-steps`}
            label={`Steps (% to ${canary})`}
            value={stepsText}
            onChange={e => setStepsText(e.target.value)}
          />
        </Box>
        <Box mr={2} mb={1} width={176}>
          <OneLineTextField
            id={`${id}-interval`}
            label="Seconds per step"
            type="number"
            value={intervalText}
            inputProps={{ min: 10, max: 3600, step: 1 }}
            onChange={e => setIntervalText(e.target.value)}
          />
        </Box>
        <Box alignSelf="center" mb={1}>
          <GuardedButton
            variant="contained"
            disabled={Boolean(actions.busy)}
            disabledReason={invalid}
            onClick={() =>
              actions.start({
                service,
                ...(virtualService ? { virtualService } : {}),
                stable,
                canary,
                cluster,
                steps: steps.steps!,
                intervalSeconds: interval.seconds!,
              })
            }
          >
            Start guided canary
          </GuardedButton>
        </Box>
      </Box>
      {invalid && (
        <Typography variant="body2" color="error" role="alert">
          {invalid}
        </Typography>
      )}
      <Typography variant="caption" color="textSecondary" component="p">
        The portal moves {canary} through the steps while its success rate and
        p99 stay within the thresholds, and rolls back to {stable} when they do
        not (or when Prometheus stays unreachable).
      </Typography>
    </Box>
  );
};

/**
 * Guided canary of one split: the current run with its steps and pause / resume / abort, or
 * the start form (for users who may apply) with the last run's outcome.
 */
export const GuidedCanary = (props: {
  cluster: string;
  service: string;
  /** The split's VirtualService: a run shows beside the split it steps. */
  virtualService?: string;
  /** The status's stable subset (the canary plan's own derivation), if any runs. */
  stable?: string;
  /** The status's canary subset, if a second version runs. */
  canary?: string;
  state: CanaryRunsState;
}) => {
  const { cluster, service, virtualService, stable, canary, state } = props;
  const permission = useMeshApplyPermission();
  const actions = useCanaryRunActions(state.refresh);
  const runs = runsOfSplit(state.runs, { cluster, service, virtualService });
  const active = runs.find(isActive);
  const shown = active ?? runs[0];
  if (!(stable && canary) && !shown) return null;
  return (
    <Box mt={2}>
      <Typography variant="subtitle2" component="h4" gutterBottom>
        Guided canary
      </Typography>
      {state.loading && <LinearProgress />}
      {state.error && (
        <Typography variant="caption" color="textSecondary" component="p">
          Guided canary runs unavailable: {state.error.message}
        </Typography>
      )}
      {shown && (
        <RunView
          run={shown}
          actions={actions}
          deniedReason={permission.reason}
        />
      )}
      {!active && stable && canary && permission.allowed && !state.loading && (
        <StartForm
          cluster={cluster}
          service={service}
          virtualService={virtualService}
          stable={stable}
          canary={canary}
          actions={actions}
        />
      )}
      {actions.busy && <LinearProgress />}
      {actions.error && <ActionError error={actions.error} />}
    </Box>
  );
};
