// @ts-check

/**
 * The audit trail of everything the portal applied to clusters.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_audit', table => {
    table.comment('One row per apply: who changed what, where, and how it went');
    table.string('id', 36).primary().notNullable();
    table.string('actor').notNullable().comment('User entity ref of who applied');
    table.string('entity_ref').notNullable().comment('The catalog entity acted on');
    table.string('action', 32).notNullable();
    table.string('cluster').notNullable();
    table.string('namespace').notNullable();
    table.text('params').notNullable().comment('The request, JSON');
    table.text('objects').notNullable().comment('Objects applied, JSON');
    table.string('result', 16).notNullable().comment('success or failure');
    table.text('message').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['entity_ref', 'created_at'], 'mesh_audit_entity_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_audit');
};
