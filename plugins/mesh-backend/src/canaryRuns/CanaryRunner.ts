import {
  AuthService,
  BackstageCredentials,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { ApplyInProgressError } from '../applyClaims/ApplyClaims';
import {
  ACTIVE_CANARY_RUN_STATES,
  CanaryActionRequest,
  CanaryRun,
  CanaryRunHealth,
  CanaryRunStart,
  CanaryRunState,
  CanaryThresholds,
  KubeObject,
  canaryRunHealth,
  decideCanaryRunStep,
  detectCanaryController,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { ClusterRequestError } from '../cluster/ClusterGateway';
import { CanaryHealthService } from '../services/CanaryHealthService';
import { MeshService } from '../services/MeshService';
import { CanaryRunsConfig } from './canaryRunsConfig';
import { CanaryRunStore, NewCanaryRunStep } from './CanaryRunStore';

/** Id of the scheduler task that checks the running runs. */
export const CANARY_RUNS_TASK_ID = 'mesh-canary-runs';

export interface CanaryRunnerDeps {
  store: CanaryRunStore;
  mesh: Pick<MeshService, 'plan' | 'apply'>;
  health: Pick<CanaryHealthService, 'health' | 'configured'>;
  auth: Pick<AuthService, 'getOwnServiceCredentials'>;
  logger: LoggerService;
  config: CanaryRunsConfig;
  /** Judges the canary when the health answer carries no thresholds of its own. */
  thresholds: CanaryThresholds;
  now?: () => Date;
  /** How long one tick or user action may hold a run. Default 2 minutes. */
  leaseMs?: number;
  /** How long an abort waits for a tick that holds the run. Default 15 s. */
  leaseWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const message = (error: unknown) => (error as Error)?.message ?? String(error);
const isActive = (state: CanaryRunState) => ACTIVE_CANARY_RUN_STATES.includes(state);

/**
 * Guided canary runs: starts them (first step applied at once), and on every scheduler tick
 * checks each running run's canary health, decides with mesh-common's step machine and carries
 * the decision out through {@link MeshService.apply} — advance, hold, roll back to stable, or
 * complete — recording each step. Users pause, resume and abort runs.
 *
 * The applies of a run are audited as the user who started it; ticks read the catalog with
 * the plugin's own service credentials. All state is in the database, so the run carries on
 * on whichever replica the scheduler picks, and after a restart.
 */
export class CanaryRunner {
  private readonly now: () => Date;
  private readonly leaseMs: number;
  private readonly leaseWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: CanaryRunnerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.leaseMs = deps.leaseMs ?? 120_000;
    this.leaseWaitMs = deps.leaseWaitMs ?? 15_000;
    this.sleep = deps.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms)));
  }

  /** Registers the tick with the scheduler: global, so one replica at a time runs it. */
  async schedule(scheduler: SchedulerService): Promise<void> {
    await scheduler.scheduleTask({
      id: CANARY_RUNS_TASK_ID,
      frequency: { seconds: this.deps.config.tickSeconds },
      timeout: { milliseconds: this.leaseMs },
      scope: 'global',
      fn: () => this.tick(),
    });
  }

  /**
   * Starts a run: refuses when a canary controller drives the split, when the cluster has no
   * Prometheus, when the plan is blocked or the service has an active run (409); then applies
   * the first step as the user.
   */
  async start(
    entityRef: string,
    request: CanaryRunStart,
    credentials: BackstageCredentials,
    actor: string,
  ): Promise<CanaryRun> {
    const first = request.steps[0];
    const action = canaryAction(request, first, request.cluster);
    const plan = await this.deps.mesh.plan(entityRef, action, credentials);
    for (const object of plan.objects) {
      const controller = detectCanaryController(object.live as KubeObject | null | undefined);
      if (controller) {
        throw new ConflictError(
          `${object.kind} ${object.name} is driven by ${controller.name} (${controller.evidence}): run the canary with ${controller.name}, not from the portal`,
        );
      }
    }
    if (!this.deps.health.configured(plan.cluster)) {
      throw new ConflictError(
        `Prometheus is not configured for cluster ${plan.cluster} (mesh.clusters.${plan.cluster}.prometheusUrl): a guided canary needs the canary's health`,
      );
    }
    if (plan.blocked) {
      const reasons = plan.findings.filter(f => f.blocking).map(f => f.message);
      throw new ConflictError(`plan is blocked: ${reasons.join(' ')}`);
    }
    // A run's steps are not confirmed one by one: a person's fields are taken over first,
    // with the user's confirmation, by one split applied from the Mesh tab.
    const takeOver = plan.fieldConflicts?.find(c => c.resolution === 'take-over');
    if (takeOver) {
      throw new ConflictError(
        `${takeOver.resource.kind} ${takeOver.resource.name} has fields a person applied with kubectl (field manager "${takeOver.manager}"): apply a split from the Mesh tab and confirm the take-over, then start the run`,
      );
    }

    const now = this.now();
    const run = await this.deps.store.insert(
      {
        entityRef,
        cluster: plan.cluster,
        namespace: plan.namespace,
        service: request.service,
        virtualService:
          request.virtualService ?? plan.objects.find(o => o.kind === 'VirtualService')?.name,
        stable: request.stable,
        canary: request.canary,
        steps: request.steps,
        intervalSeconds: request.intervalSeconds,
        weight: 0,
        actor,
      },
      now,
      this.leaseUntil(now),
    );
    try {
      const startAction = { ...action, cluster: plan.cluster };
      try {
        await this.deps.mesh.apply(entityRef, startAction, credentials, {
          force: false,
          actor,
          reason: `guided canary run ${run.id}: start at ${first} %`,
        });
      } catch (error) {
        const at = this.now();
        const reason = `first step (${first} %) failed: ${message(error)}`;
        await this.deps.store.update(run.id, { state: 'failed', outcome: reason }, at);
        await this.deps.store.addStep(run.id, { at, weight: 0, decision: 'error', reason, actor });
        throw error;
      }
      const at = this.now();
      await this.deps.store.update(run.id, { weight: first, lastStepAt: at }, at);
      await this.deps.store.addStep(run.id, {
        at,
        weight: first,
        decision: 'start',
        reason: startReason(request),
        actor,
      });
    } finally {
      await this.deps.store.release(run.id);
    }
    return (await this.deps.store.get(run.id))!;
  }

  /** The entity's runs with their steps, newest first. */
  list(entityRef: string): Promise<CanaryRun[]> {
    return this.deps.store.list(entityRef);
  }

  /** Stops stepping; the weight stays where it is. */
  pause(entityRef: string, id: string, actor: string): Promise<CanaryRun> {
    return this.transition(entityRef, id, actor, 'running', 'paused', 'pause');
  }

  /** Steps again from the current weight (unavailable checks start from zero). */
  resume(entityRef: string, id: string, actor: string): Promise<CanaryRun> {
    return this.transition(entityRef, id, actor, 'paused', 'running', 'resume');
  }

  /** Rolls back to stable (as the user) and stops the run. */
  async abort(
    entityRef: string,
    id: string,
    credentials: BackstageCredentials,
    actor: string,
  ): Promise<CanaryRun> {
    const run = await this.owned(entityRef, id);
    if (!isActive(run.state)) {
      throw new ConflictError(`run ${id} is ${run.state}; only a running or paused run can be aborted`);
    }
    if (!(await this.waitForLease(id))) {
      throw new ConflictError(`run ${id} is being stepped right now; try again in a few seconds`);
    }
    try {
      const current = (await this.deps.store.get(id))!;
      if (!isActive(current.state)) {
        throw new ConflictError(`run ${id} is ${current.state}; only a running or paused run can be aborted`);
      }
      const reason = `aborted by ${actor}`;
      try {
        await this.deps.mesh.apply(entityRef, runAction(current, 0), credentials, {
          force: false,
          actor,
          reason: `guided canary run ${id}: ${reason}`,
        });
      } catch (error) {
        await this.deps.store.addStep(id, {
          at: this.now(),
          weight: current.weight,
          decision: 'error',
          reason: `abort: rollback to ${current.stable} failed: ${message(error)}`,
          actor,
        });
        throw error;
      }
      const at = this.now();
      await this.deps.store.update(
        id,
        { state: 'aborted', weight: 0, lastStepAt: at, outcome: `${reason}; ${current.stable} at 100 %` },
        at,
      );
      await this.deps.store.addStep(id, {
        at,
        weight: 0,
        decision: 'abort',
        reason: `${current.stable} at 100 %`,
        actor,
      });
    } finally {
      await this.deps.store.release(id);
    }
    return (await this.deps.store.get(id))!;
  }

  /** One scheduler tick: a step for every running run nobody else holds. */
  async tick(): Promise<void> {
    const ids = await this.deps.store.runnable(this.now());
    for (const id of ids) {
      try {
        await this.step(id);
      } catch (error) {
        // One run's trouble must not keep the others from being checked.
        this.deps.logger.error(`guided canary run ${id}: tick failed: ${message(error)}`);
      }
    }
  }

  private async step(id: string): Promise<void> {
    const { store } = this.deps;
    if (!(await store.tryLease(id, this.now(), this.leaseUntil(this.now())))) return;
    try {
      const run = await store.get(id);
      if (!run || run.state !== 'running') return;
      const credentials = await this.deps.auth.getOwnServiceCredentials();
      const { health, thresholds } = await this.readHealth(run, credentials);
      const now = this.now();
      const decision = decideCanaryRunStep(run, health, now, thresholds ?? this.deps.thresholds, {
        maxUnavailableChecks: this.deps.config.maxUnavailableChecks,
      });
      const numbers = measured(health);
      switch (decision.kind) {
        case 'hold': {
          const unavailableChecks = health.state === 'unavailable' ? run.unavailableChecks + 1 : 0;
          await store.update(id, { unavailableChecks }, now);
          await store.addStep(id, {
            at: now,
            weight: run.weight,
            decision: 'hold',
            hold: decision.hold,
            reason: decision.reason,
            ...numbers,
          });
          return;
        }
        case 'complete': {
          await store.update(id, { state: 'completed', outcome: decision.reason }, now);
          await store.addStep(id, { at: now, weight: run.weight, decision: 'complete', reason: decision.reason });
          return;
        }
        case 'rollback':
          await this.rollBack(run, decision.reason, credentials, numbers);
          return;
        case 'advance': {
          try {
            await this.deps.mesh.apply(run.entityRef, runAction(run, decision.weight), credentials, {
              force: false,
              actor: run.actor,
              reason: `guided canary run ${id}: ${decision.reason}`,
            });
          } catch (error) {
            await this.advanceFailed(run, decision.weight, error, credentials, numbers);
            return;
          }
          const at = this.now();
          await store.update(id, { weight: decision.weight, lastStepAt: at, unavailableChecks: 0 }, at);
          await store.addStep(id, {
            at,
            weight: decision.weight,
            decision: 'advance',
            reason: decision.reason,
            ...numbers,
          });
          return;
        }
        default:
          return;
      }
    } finally {
      await store.release(id);
    }
  }

  /**
   * A step that could not be applied. The cluster not answering or refusing (502/504) is a
   * check without an answer, like a health read: hold at the current weight, try again at the
   * next check (it plans again against the live split), and roll back after
   * `maxUnavailableChecks` in a row. Someone else changing the VirtualService between the step's
   * plan and its write (409) is a collision of intents: the run pauses for a person to resume
   * (from the live split) or abort. Anything else rolls back.
   */
  private async advanceFailed(
    run: CanaryRun,
    weight: number,
    error: unknown,
    credentials: BackstageCredentials,
    numbers: Partial<NewCanaryRunStep>,
  ): Promise<void> {
    const { store } = this.deps;
    const why = `applying ${weight} % failed: ${message(error)}`;
    const now = this.now();
    if (error instanceof ClusterRequestError) {
      const unavailableChecks = run.unavailableChecks + 1;
      const max = this.deps.config.maxUnavailableChecks;
      if (unavailableChecks >= max) {
        await this.rollBack(run, `${why} (${unavailableChecks} checks in a row)`, credentials, numbers);
        return;
      }
      await store.update(run.id, { unavailableChecks }, now);
      await store.addStep(run.id, {
        at: now,
        weight: run.weight,
        decision: 'error',
        reason: `${why}; tried again at the next check (${unavailableChecks} of ${max} before rollback)`,
        ...numbers,
      });
      return;
    }
    // Another apply writing the split at this very moment (a claim, see ApplyClaims) is the same
    // collision, seen a moment earlier.
    if (error instanceof ApplyInProgressError || (error instanceof ConflictError && /changed since the plan/.test(message(error)))) {
      await store.update(run.id, { state: 'paused' }, now, ['running']);
      await store.addStep(run.id, {
        at: now,
        weight: run.weight,
        decision: 'pause',
        reason: `${why}: paused, since someone else changed the split meanwhile; resume to go on from the live split, or abort`,
      });
      return;
    }
    await this.rollBack(run, why, credentials, numbers);
  }

  /** Stable back to 100 %: the run ends `rolled-back`, or `failed` if even that apply fails. */
  private async rollBack(
    run: CanaryRun,
    reason: string,
    credentials: BackstageCredentials,
    numbers: Partial<NewCanaryRunStep>,
  ) {
    const { store } = this.deps;
    try {
      await this.deps.mesh.apply(run.entityRef, runAction(run, 0), credentials, {
        force: false,
        actor: run.actor,
        reason: `guided canary run ${run.id}: rollback: ${reason}`,
      });
    } catch (error) {
      const at = this.now();
      const outcome = `${reason}; rollback to ${run.stable} failed: ${message(error)} — set the split by hand`;
      this.deps.logger.error(`guided canary run ${run.id}: ${outcome}`);
      await store.update(run.id, { state: 'failed', outcome }, at);
      await store.addStep(run.id, { at, weight: run.weight, decision: 'error', reason: outcome, ...numbers });
      return;
    }
    const at = this.now();
    const outcome = `${reason}; ${run.stable} at 100 %`;
    await store.update(run.id, { state: 'rolled-back', weight: 0, lastStepAt: at, outcome }, at);
    await store.addStep(run.id, { at, weight: 0, decision: 'rollback', reason, ...numbers });
  }

  private async readHealth(
    run: CanaryRun,
    credentials: BackstageCredentials,
  ): Promise<{ health: CanaryRunHealth; thresholds?: CanaryThresholds }> {
    try {
      return canaryRunHealth(await this.deps.health.health(run.entityRef, credentials), run);
    } catch (error) {
      return { health: { state: 'unavailable', reason: `health could not be read: ${message(error)}` } };
    }
  }

  private async transition(
    entityRef: string,
    id: string,
    actor: string,
    from: CanaryRunState,
    to: CanaryRunState,
    decision: 'pause' | 'resume',
  ): Promise<CanaryRun> {
    const run = await this.owned(entityRef, id);
    const now = this.now();
    const changes = to === 'running' ? { state: to, unavailableChecks: 0 } : { state: to };
    if (run.state !== from || !(await this.deps.store.update(id, changes, now, [from]))) {
      throw new ConflictError(`run ${id} is ${run.state}; only a ${from} run can ${decision}`);
    }
    await this.deps.store.addStep(id, { at: now, weight: run.weight, decision, actor });
    return (await this.deps.store.get(id))!;
  }

  private async owned(entityRef: string, id: string): Promise<CanaryRun> {
    const run = await this.deps.store.get(id);
    if (!run || run.entityRef !== entityRef) {
      throw new NotFoundError(`no guided canary run ${id} for ${entityRef}`);
    }
    return run;
  }

  private async waitForLease(id: string): Promise<boolean> {
    const pauseMs = 250;
    for (let waited = 0; ; waited += pauseMs) {
      if (await this.deps.store.tryLease(id, this.now(), this.leaseUntil(this.now()))) return true;
      if (waited >= this.leaseWaitMs) return false;
      await this.sleep(pauseMs);
    }
  }

  private leaseUntil(now: Date) {
    return new Date(now.getTime() + this.leaseMs);
  }
}

/** The canary action that puts `weight` % on the canary and the rest on stable. */
function canaryAction(
  run: Pick<CanaryRun, 'service' | 'virtualService' | 'stable' | 'canary'>,
  weight: number,
  cluster: string | undefined,
): CanaryActionRequest {
  return {
    action: 'canary',
    service: run.service,
    // Every step changes the split the run started on, also once another VirtualService
    // routes the Service too.
    ...(run.virtualService ? { virtualService: run.virtualService } : {}),
    stable: run.stable,
    canary: run.canary,
    weights: { [run.stable]: 100 - weight, [run.canary]: weight },
    ...(cluster ? { cluster } : {}),
  };
}

function startReason({ canary, steps, intervalSeconds }: CanaryRunStart) {
  const [first, ...rest] = steps;
  return rest.length === 0
    ? `${canary} at ${first} %`
    : `${canary} at ${first} %; then ${rest.join(', ')} %, each after ${intervalSeconds} s healthy`;
}

/** The canary action of a run's step, on the run's cluster. */
function runAction(run: CanaryRun, weight: number): CanaryActionRequest {
  return canaryAction(run, weight, run.cluster);
}

/** The canary's numbers at this check, for the history row. */
function measured(health: CanaryRunHealth): Partial<NewCanaryRunStep> {
  if (health.state !== 'ok' || !health.canary) return {};
  const { successRate, p99Ms, samples } = health.canary;
  return { successRate, p99Ms, requests: samples };
}
