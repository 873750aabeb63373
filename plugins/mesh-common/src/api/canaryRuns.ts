import { z } from 'zod';
import { DEFAULT_CANARY_STEP_WEIGHTS } from '../health/canaryAdvice';
import { dns1123Label, dns1123Subdomain } from './nameSchemas';

/**
 * Seconds a guided run keeps the canary at one weight, healthy, before the next step.
 *
 * @public
 */
export const DEFAULT_CANARY_RUN_INTERVAL_SECONDS = 60;

/**
 * Where a guided canary run is:
 * - `running`: the runner checks health every tick and steps the weight
 * - `paused`: the weight stays where it is until resumed (health is not judged)
 * - `completed`: the canary carries 100 %
 * - `rolled-back`: the canary failed its checks; stable carries 100 %
 * - `aborted`: a user stopped the run; stable carries 100 %
 * - `failed`: the run could not carry out a step or its rollback (the reason says which)
 *
 * @public
 */
export type CanaryRunState =
  | 'running'
  | 'paused'
  | 'completed'
  | 'rolled-back'
  | 'aborted'
  | 'failed';

/**
 * States in which a run still owns the split (at most one such run per entity and service).
 *
 * @public
 */
export const ACTIVE_CANARY_RUN_STATES: readonly CanaryRunState[] = [
  'running',
  'paused',
];

/**
 * What one row of a run's history records:
 * - `start`: the first step was applied
 * - `advance`: the canary was healthy for the interval; the weight went up
 * - `hold`: the weight stays (paused, interval not elapsed, not enough requests, health unavailable)
 * - `rollback`: the canary failed; stable got 100 %
 * - `complete`: the canary carries 100 %; the run is over
 * - `pause` / `resume` / `abort`: a user's action
 * - `error`: a step could not be applied
 *
 * @public
 */
export type CanaryRunDecisionKind =
  | 'start'
  | 'advance'
  | 'hold'
  | 'rollback'
  | 'complete'
  | 'pause'
  | 'resume'
  | 'abort'
  | 'error';

/**
 * One row of a run's history: what the runner (or a user) decided, on which numbers.
 *
 * @public
 */
export interface CanaryRunStep {
  /** ISO 8601. A repeated hold of the same kind updates its row, so this is its last check. */
  at: string;
  /** Canary weight in percent after this step. */
  weight: number;
  decision: CanaryRunDecisionKind;
  /** Why, for people (`success 96.5 % < 99 %`, `next step in 40 s`). */
  reason?: string;
  /** The canary's success rate in percent at this check, when measured. */
  successRate?: number;
  /** The canary's p99 latency in milliseconds at this check, when measured. */
  p99Ms?: number;
  /** Requests the canary answered in the health window. */
  requests?: number;
  /** User entity ref, for the steps users took (start, pause, resume, abort). */
  actor?: string;
}

/**
 * A guided canary run: the canary's weight stepped up while its health holds, rolled back
 * to stable when it fails.
 *
 * @public
 */
export interface CanaryRun {
  id: string;
  entityRef: string;
  cluster: string;
  namespace: string;
  service: string;
  /** The VirtualService the split lives in (as the first step's plan wrote it). */
  virtualService?: string;
  /** Stable subset (gets `100 - weight`). */
  stable: string;
  /** Canary subset (gets `weight`). */
  canary: string;
  /** Canary weights to step through, increasing, ending at 100. */
  steps: number[];
  /** Seconds the canary must stay healthy at one weight before the next step. */
  intervalSeconds: number;
  state: CanaryRunState;
  /** Canary weight now (percent). */
  weight: number;
  /** ISO 8601: when the current weight was applied. */
  lastStepAt: string;
  /** Health checks in a row that found no usable answer (Prometheus down, slow, …). */
  unavailableChecks: number;
  /** User entity ref of who started the run; the runner's applies are audited as theirs. */
  actor: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601, once the run is over. */
  finishedAt?: string;
  /** Why the run ended (rollback reason, `aborted by …`, `canary at 100 %`). */
  outcome?: string;
  /** Oldest first. */
  history: CanaryRunStep[];
}

/**
 * Body of `POST /entities/:namespace/:kind/:name/canary-runs`.
 *
 * @public
 */
export interface CanaryRunStartRequest {
  /** Service name (DNS-1123 label). */
  service: string;
  /**
   * The VirtualService whose split the run steps (`TrafficSplit.virtualService`); required
   * when several VirtualServices route the Service.
   */
  virtualService?: string;
  /** Stable subset. */
  stable: string;
  /** Canary subset. */
  canary: string;
  /** Canary weights, whole percentages, strictly increasing, ending at 100. Default [10, 25, 50, 100]. */
  steps?: number[];
  /** Seconds at each weight (10–3600). Default 60. */
  intervalSeconds?: number;
  /** Required when the entity runs on several clusters. */
  cluster?: string;
}

/**
 * Response of `GET /entities/:namespace/:kind/:name/canary-runs`: newest first.
 *
 * @public
 */
export interface CanaryRunsResponse {
  items: CanaryRun[];
}

/**
 * What a user can do to an active run (`POST …/canary-runs/:id/<action>`).
 *
 * @public
 */
export type CanaryRunAction = 'pause' | 'resume' | 'abort';

/**
 * Zod schema of {@link CanaryRunStartRequest}: strict, defaults filled in
 * (steps [10, 25, 50, 100], 60 s interval).
 *
 * @public
 */
export const canaryRunStartRequestSchema = z
  .strictObject({
    service: dns1123Label,
    virtualService: dns1123Subdomain.optional(),
    stable: dns1123Label,
    canary: dns1123Label,
    steps: z
      .array(
        z
          .number()
          .int('must be an integer')
          .min(1, 'must be at least 1')
          .max(100, 'must be at most 100'),
      )
      .min(1, 'must name at least one weight')
      .max(20, 'at most 20 steps')
      .default(() => [...DEFAULT_CANARY_STEP_WEIGHTS]),
    intervalSeconds: z
      .number()
      .int('must be an integer')
      .min(10, 'must be at least 10 seconds')
      .max(3600, 'must be at most 3600 seconds')
      .default(DEFAULT_CANARY_RUN_INTERVAL_SECONDS),
    cluster: z.string().min(1).max(253).optional(),
  })
  .superRefine((value, ctx) => {
    const { steps } = value;
    for (let i = 1; i < steps.length; i++) {
      if (steps[i] <= steps[i - 1]) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i],
          message: `must be greater than the step before (${steps[i - 1]})`,
        });
      }
    }
    if (steps.length > 0 && steps[steps.length - 1] !== 100) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps'],
        message: `must end at 100 (the promotion), not ${
          steps[steps.length - 1]
        }`,
      });
    }
    if (value.stable === value.canary) {
      ctx.addIssue({
        code: 'custom',
        path: ['canary'],
        message: 'must differ from stable',
      });
    }
  });

/**
 * A start request as the backend works with it: defaults filled in.
 *
 * @public
 */
export type CanaryRunStart = z.output<typeof canaryRunStartRequestSchema>;

// Compile-time guard: what the client sends is what the schema takes.
const requestMatchesSchema = (
  request: CanaryRunStartRequest,
): z.input<typeof canaryRunStartRequestSchema> => request;
void requestMatchesSchema;
