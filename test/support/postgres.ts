/** A throwaway PostgreSQL database per test file on the local server (127.0.0.1:5432, user postgres). */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PgDatabase } from '../../storage/postgres';
import { perFile } from './per-file';

const SERVER = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `onboarding_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: `${SERVER}/${name}`,
    // WITH (FORCE) closes connections a failed test left open.
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * The calling test file's own database, made before its tests and dropped after them, and pools
 * on it (`connect()`: each a fresh process's view of the database), closed after the tests.
 */
export function useTestDatabase(): { current(): TestDatabase; connect(): PgDatabase } {
  const pools: PgDatabase[] = [];
  const current = perFile(
    createTestDatabase,
    async (database) => {
      await Promise.all(pools.map((p) => p.close()));
      await database.drop();
    },
    'the test database',
  );
  const connect = () => {
    const db = new PgDatabase(current().url);
    pools.push(db);
    return db;
  };
  return { current, connect };
}
