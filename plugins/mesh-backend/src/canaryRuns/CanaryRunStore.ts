import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  ACTIVE_CANARY_RUN_STATES,
  CanaryRun,
  CanaryRunHoldKind,
  CanaryRunState,
  CanaryRunStep,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { migratedClient } from '../database/migrate';

const RUNS = 'mesh_canary_runs';
const STEPS = 'mesh_canary_run_steps';

/** What {@link CanaryRunStore.insert} takes: a run before its first step. */
export type NewCanaryRun = Pick<
  CanaryRun,
  | 'entityRef'
  | 'cluster'
  | 'namespace'
  | 'service'
  | 'virtualService'
  | 'stable'
  | 'canary'
  | 'steps'
  | 'intervalSeconds'
  | 'weight'
  | 'actor'
>;

/** Fields of a run that change as it goes. */
export type CanaryRunChanges = Partial<
  Pick<CanaryRun, 'weight' | 'unavailableChecks' | 'outcome'> & {
    lastStepAt: Date;
    /** A terminal state also frees the entity's service for a new run. */
    state: CanaryRunState;
  }
>;

/** A history row to record; `hold` says which kind of hold (repeats refresh one row). */
export type NewCanaryRunStep = Omit<CanaryRunStep, 'at'> & {
  at: Date;
  hold?: CanaryRunHoldKind;
};

const isActive = (state: CanaryRunState) => ACTIVE_CANARY_RUN_STATES.includes(state);
const activeKey = (entityRef: string, service: string) => `${entityRef}|${service}`;
const iso = (value: unknown) => new Date(value as string | number | Date).toISOString();
const optional = <T>(value: T | null | undefined) => (value === null ? undefined : value);

/**
 * Guided canary runs and their history in the plugin's database (SQLite or PostgreSQL through
 * knex). All of a run's state lives here, so whichever replica holds the scheduler's lock
 * carries a run on, also after a restart. A lease column keeps a runner tick and a user's
 * abort from working on one run at the same time.
 */
export class CanaryRunStore {
  static async create(database: DatabaseService): Promise<CanaryRunStore> {
    return new CanaryRunStore(await migratedClient(database));
  }

  private constructor(private readonly db: Knex) {}

  /**
   * Records a new run, `running`, leased until `leaseUntil` (its first step is being applied).
   * Throws a ConflictError naming the active run when the entity's service has one.
   */
  async insert(run: NewCanaryRun, now: Date, leaseUntil: Date): Promise<CanaryRun> {
    const existing = await this.active(run.entityRef, run.service);
    if (existing) throw activeRunConflict(existing);
    const id = randomUUID();
    try {
      await this.db(RUNS).insert({
        id,
        entity_ref: run.entityRef,
        cluster: run.cluster,
        namespace: run.namespace,
        service: run.service,
        virtual_service: run.virtualService ?? null,
        stable: run.stable,
        canary: run.canary,
        steps: JSON.stringify(run.steps),
        interval_seconds: run.intervalSeconds,
        state: 'running',
        weight: run.weight,
        last_step_at: now,
        unavailable_checks: 0,
        actor: run.actor,
        outcome: null,
        active_key: activeKey(run.entityRef, run.service),
        lease_until: leaseUntil,
        created_at: now,
        updated_at: now,
        finished_at: null,
      });
    } catch (error) {
      // Two starts at once: the unique active key lets only one through.
      const winner = await this.active(run.entityRef, run.service);
      if (winner) throw activeRunConflict(winner);
      throw error;
    }
    return (await this.get(id))!;
  }

  /** The run's service's active run (running or paused), if any. */
  async active(entityRef: string, service: string): Promise<CanaryRun | undefined> {
    const row = await this.db(RUNS).where({ active_key: activeKey(entityRef, service) }).first();
    return row ? this.withHistory(row) : undefined;
  }

  async get(id: string): Promise<CanaryRun | undefined> {
    const row = await this.db(RUNS).where({ id }).first();
    return row ? this.withHistory(row) : undefined;
  }

  /** The entity's runs with their history, newest first. */
  async list(entityRef: string, limit = 20): Promise<CanaryRun[]> {
    const rows = await this.db(RUNS)
      .where({ entity_ref: entityRef })
      .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }])
      .limit(limit);
    const steps = rows.length
      ? await this.db(STEPS).whereIn('run_id', rows.map(r => r.id)).orderBy('id', 'asc')
      : [];
    return rows.map(row => toRun(row, steps.filter(s => s.run_id === row.id)));
  }

  /** Ids of the running runs that no tick or user action holds now. */
  async runnable(now: Date): Promise<string[]> {
    const rows = await this.db(RUNS)
      .where({ state: 'running' })
      .andWhere(q => q.whereNull('lease_until').orWhere('lease_until', '<=', now))
      .orderBy('created_at', 'asc')
      .select('id');
    return rows.map(r => r.id);
  }

  /**
   * Takes the run's lease until `until` when nobody holds it (or their lease ran out, e.g. a
   * replica died mid-tick). True when taken.
   */
  async tryLease(id: string, now: Date, until: Date): Promise<boolean> {
    const updated = await this.db(RUNS)
      .where({ id })
      .andWhere(q => q.whereNull('lease_until').orWhere('lease_until', '<=', now))
      .update({ lease_until: until });
    return updated === 1;
  }

  async release(id: string): Promise<void> {
    await this.db(RUNS).where({ id }).update({ lease_until: null });
  }

  /**
   * Changes the run. With `onlyIn`, only while the run is in one of those states (a pause must
   * not turn a finished run back into a paused one); true when the row changed.
   */
  async update(
    id: string,
    changes: CanaryRunChanges,
    now: Date,
    onlyIn?: CanaryRunState[],
  ): Promise<boolean> {
    const row: Record<string, unknown> = { updated_at: now };
    if (changes.weight !== undefined) row.weight = changes.weight;
    if (changes.unavailableChecks !== undefined) row.unavailable_checks = changes.unavailableChecks;
    if (changes.outcome !== undefined) row.outcome = changes.outcome;
    if (changes.lastStepAt !== undefined) row.last_step_at = changes.lastStepAt;
    if (changes.state !== undefined) {
      row.state = changes.state;
      if (!isActive(changes.state)) {
        row.active_key = null;
        row.finished_at = now;
      }
    }
    const query = this.db(RUNS).where({ id });
    if (onlyIn) query.whereIn('state', onlyIn);
    return (await query.update(row)) === 1;
  }

  /**
   * Adds a history row. A hold of the same kind as the run's last row refreshes that row
   * instead (time, reason, numbers), so a run that waits an hour keeps one row for it.
   */
  async addStep(runId: string, step: NewCanaryRunStep): Promise<void> {
    const row = {
      at: step.at,
      weight: step.weight,
      decision: step.decision,
      hold_kind: step.hold ?? null,
      reason: step.reason ?? null,
      success_rate: step.successRate ?? null,
      p99_ms: step.p99Ms ?? null,
      requests: step.requests ?? null,
      actor: step.actor ?? null,
    };
    if (step.decision === 'hold' && step.hold) {
      const last = await this.db(STEPS).where({ run_id: runId }).orderBy('id', 'desc').first();
      if (last && last.decision === 'hold' && last.hold_kind === step.hold) {
        await this.db(STEPS).where({ id: last.id }).update(row);
        return;
      }
    }
    await this.db(STEPS).insert({ run_id: runId, ...row });
  }

  private async withHistory(row: any): Promise<CanaryRun> {
    const steps = await this.db(STEPS).where({ run_id: row.id }).orderBy('id', 'asc');
    return toRun(row, steps);
  }
}

function activeRunConflict(run: CanaryRun) {
  return new ConflictError(
    `a guided canary run of ${run.service} is already ${run.state} (run ${run.id}, started by ${run.actor}); abort it first`,
  );
}

function toRun(row: any, steps: any[]): CanaryRun {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    cluster: row.cluster,
    namespace: row.namespace,
    service: row.service,
    virtualService: optional(row.virtual_service),
    stable: row.stable,
    canary: row.canary,
    steps: JSON.parse(row.steps),
    intervalSeconds: Number(row.interval_seconds),
    state: row.state,
    weight: Number(row.weight),
    lastStepAt: iso(row.last_step_at),
    unavailableChecks: Number(row.unavailable_checks),
    actor: row.actor,
    createdAt: iso(row.created_at),
    finishedAt: row.finished_at === null ? undefined : iso(row.finished_at),
    outcome: optional(row.outcome),
    history: steps.map(
      (step): CanaryRunStep => ({
        at: iso(step.at),
        weight: Number(step.weight),
        decision: step.decision,
        reason: optional(step.reason),
        successRate: step.success_rate === null ? undefined : Number(step.success_rate),
        p99Ms: step.p99_ms === null ? undefined : Number(step.p99_ms),
        requests: step.requests === null ? undefined : Number(step.requests),
        actor: optional(step.actor),
      }),
    ),
  };
}
