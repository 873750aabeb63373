// @ts-check

/**
 * Objects an apply is writing right now. Backend replicas share the database: a replica claims
 * every object of its plan before writing, so of two applies to one object at the same moment
 * one writes and the other gets a 409 — also when the object is new, where server-side apply
 * has no resourceVersion to make the write conditional.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('mesh_apply_claims', table => {
    table
      .string('object_key', 700)
      .primary()
      .comment('cluster, apiVersion, kind, namespace and name of an object being written');
    table.string('holder', 64).notNullable().comment('id of the apply that holds the claim');
    table
      .bigInteger('expires_at')
      .notNullable()
      .comment('epoch ms after which the claim is void (a replica that stopped mid-apply)');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mesh_apply_claims');
};
