import { DatabaseService, resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath('@mesh-portal/backstage-plugin-mesh-backend', 'migrations');

/**
 * The plugin's database client with every migration of `migrations/` applied (unless the
 * deployment runs them itself). Each store asks for it; knex applies a migration only once.
 */
export async function migratedClient(database: DatabaseService): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    await client.migrate.latest({ directory: migrationsDir });
  }
  return client;
}
