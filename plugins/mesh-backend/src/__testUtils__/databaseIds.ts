import { TestDatabaseId } from '@backstage/backend-test-utils';

/**
 * The databases the store tests run on: SQLite always, PostgreSQL when scripts/test provides
 * it (BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING). In CI its absence is a failure,
 * not a skip.
 */
export function storeTestDatabaseIds(): TestDatabaseId[] {
  const postgres = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
  if (process.env.CI && !postgres) {
    throw new Error('CI must provide BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING');
  }
  return postgres ? ['SQLITE_3', 'POSTGRES_15'] : ['SQLITE_3'];
}
