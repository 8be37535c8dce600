/**
 * The product's own PostgreSQL database (`DATABASE_URL`): shared state for deployments with more
 * than one worker or API process. The schema is applied by the product itself at start, in one
 * transaction under an advisory lock, so processes starting together apply it once and a failed
 * change leaves nothing half-made (PostgreSQL's DDL is transactional).
 */
import pg from 'pg';

/** A table of JSON bodies, each belonging to an `<owner>_id`, with an index to read one owner's. */
function ownedJsonTable(table: string, key: string, owner: string, order = ''): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
     ${key},
     ${owner}_id text NOT NULL,
     body jsonb NOT NULL
   )`,
    `CREATE INDEX IF NOT EXISTS ${table}_${owner} ON ${table} (${owner}_id${order})`,
  ];
}

/**
 * The schema, as statements that are each harmless to run again. Append only: a change is a new
 * statement (`ADD COLUMN IF NOT EXISTS`, `CREATE INDEX IF NOT EXISTS`), never an edit of an old one.
 */
export const SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS email_ledger (
     dedup_key text PRIMARY KEY,
     message_id text NOT NULL,
     recipient text NOT NULL,
     template text NOT NULL,
     sent_at timestamptz NOT NULL,
     meta jsonb
   )`,
  `CREATE TABLE IF NOT EXISTS documents (
     document_id text PRIMARY KEY,
     enterprise_id text NOT NULL,
     kind text NOT NULL,
     sha256 text NOT NULL,
     content_type text NOT NULL,
     size integer NOT NULL,
     created_at timestamptz NOT NULL,
     content bytea NOT NULL
   )`,
  // Out of line and uncompressed (scans and photos do not compress): reading a document's first
  // bytes fetches one TOAST chunk, not the whole file.
  `ALTER TABLE documents ALTER COLUMN content SET STORAGE EXTERNAL`,
  `CREATE INDEX IF NOT EXISTS documents_enterprise ON documents (enterprise_id)`,
  // The console's sessions, by the hash of the cookie's value (storage/sessions.ts).
  `CREATE TABLE IF NOT EXISTS console_sessions (
     id_sha256 text PRIMARY KEY,
     principal jsonb NOT NULL,
     token_sha256 text NOT NULL,
     csrf_token text NOT NULL,
     created_at timestamptz NOT NULL,
     last_seen_at timestamptz NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS webhook_events (
     seq bigserial PRIMARY KEY,
     id text NOT NULL UNIQUE,
     enterprise_id text NOT NULL,
     type text NOT NULL,
     occurred_at timestamptz NOT NULL,
     body jsonb NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS webhook_events_enterprise ON webhook_events (enterprise_id, seq)`,
  `CREATE INDEX IF NOT EXISTS webhook_events_occurred ON webhook_events (occurred_at)`,
  ...ownedJsonTable('webhook_endpoints', 'id text PRIMARY KEY', 'enterprise'),
  ...ownedJsonTable('webhook_attempts', 'seq bigserial PRIMARY KEY', 'endpoint', ', seq'),
];

/** Any 64-bit number of our own; other users of the database take other keys. */
const SCHEMA_LOCK = 0x6f6e62_6f617264n;

export class PgDatabase {
  readonly pool: pg.Pool;
  private migrated: Promise<void> | undefined;

  constructor(url: string, options: { max?: number } = {}) {
    this.pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => {});
  }

  /** Applies the schema once per process; every store waits for it before its first query. */
  ready(): Promise<void> {
    this.migrated ??= this.migrate().catch((err: unknown) => {
      this.migrated = undefined;
      throw err;
    });
    return this.migrated;
  }

  /** Runs `work` in one transaction on one connection; rolls back when it throws. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // The server ending the session mid-transaction (restart, failover) is this call's error,
    // reported by the next query; unheard, it would be an uncaught error that ends the process.
    const onError = (err: Error) => (broken = err);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      // A connection that cannot even roll back is dropped rather than handed to the next caller.
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK.toString()]);
      for (const statement of SCHEMA) await client.query(statement);
    });
  }
}

const shared = new Map<string, PgDatabase>();

/** One pool per database URL per process, shared by the stores that use it. */
export function sharedDatabase(url: string): PgDatabase {
  let db = shared.get(url);
  if (!db) {
    db = new PgDatabase(url);
    shared.set(url, db);
  }
  return db;
}

export async function closeSharedDatabases(): Promise<void> {
  const all = [...shared.values()];
  shared.clear();
  await Promise.all(all.map((db) => db.close()));
}
