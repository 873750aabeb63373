// @ts-check

/**
 * Which fields an apply took over from a person's kubectl, after the user confirmed it.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('mesh_audit', table => {
    table
      .text('take_overs')
      .nullable()
      .comment('Fields taken over from other field managers, JSON: kind, name, namespace, manager, fields');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('mesh_audit', table => {
    table.dropColumn('take_overs');
  });
};
