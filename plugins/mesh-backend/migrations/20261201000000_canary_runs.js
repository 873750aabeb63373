// @ts-check

/**
 * Guided canary runs: the canary's weight stepped up while it stays healthy, rolled back when
 * it fails. The runner keeps all of a run's state here so any replica (or a restarted one)
 * carries it on.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_canary_runs', table => {
    table.comment('One row per guided canary run');
    table.string('id', 36).primary().notNullable();
    table.string('entity_ref').notNullable().comment('The catalog entity the run is for');
    table.string('cluster').notNullable();
    table.string('namespace').notNullable();
    table.string('service', 63).notNullable();
    table.string('virtual_service', 253).nullable().comment('VirtualService of the split');
    table.string('stable', 63).notNullable().comment('Stable subset');
    table.string('canary', 63).notNullable().comment('Canary subset');
    table.text('steps').notNullable().comment('Canary weights to step through, JSON');
    table.integer('interval_seconds').notNullable();
    table.string('state', 16).notNullable().comment('running, paused, completed, rolled-back, aborted, failed');
    table.integer('weight').notNullable().comment('Canary weight now, percent');
    table.timestamp('last_step_at', { useTz: true }).notNullable().comment('When the weight was last applied');
    table.integer('unavailable_checks').notNullable().defaultTo(0);
    table.string('actor').notNullable().comment('User entity ref of who started the run');
    table.text('outcome').nullable().comment('Why the run ended');
    table
      .string('active_key')
      .nullable()
      .unique({ indexName: 'mesh_canary_runs_active_key' })
      .comment('entity_ref|service while running or paused, else null: one active run per service');
    table
      .timestamp('lease_until', { useTz: true })
      .nullable()
      .comment('A runner tick or a user action works on the run until then');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.index(['entity_ref', 'created_at'], 'mesh_canary_runs_entity_idx');
    table.index(['state'], 'mesh_canary_runs_state_idx');
  });
  await knex.schema.createTable('mesh_canary_run_steps', table => {
    table.comment('History of a guided canary run: each decision with the numbers it was taken on');
    table.increments('id').primary();
    table
      .string('run_id', 36)
      .notNullable()
      .references('id')
      .inTable('mesh_canary_runs')
      .onDelete('CASCADE');
    table.timestamp('at', { useTz: true }).notNullable();
    table.integer('weight').notNullable().comment('Canary weight after the step, percent');
    table.string('decision', 16).notNullable();
    table.string('hold_kind', 16).nullable().comment('For holds: a repeated hold of one kind updates its row');
    table.text('reason').nullable();
    table.double('success_rate').nullable();
    table.double('p99_ms').nullable();
    table.integer('requests').nullable();
    table.string('actor').nullable().comment('User entity ref for user actions');
    table.index(['run_id', 'id'], 'mesh_canary_run_steps_run_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_canary_run_steps');
  await knex.schema.dropTable('mesh_canary_runs');
};
