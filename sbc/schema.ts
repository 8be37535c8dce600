/**
 * The SBC database: Kamailio's own tables from Debian's schema files, then the product's fixes
 * and additions. Safe to run again on every start: module schemas load once (the `version`
 * table says which are there) and every fix is idempotent.
 *
 *   npx tsx sbc/schema.ts [postgres://user@host:port/database]   (default: SBC_DATABASE_URL's)
 */
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { loadConfig } from '../config';
import { OWNERSHIP, unboundedText } from './ownership-sql';
import { loadNumberRegions } from './regions';

export const KAMAILIO_SCHEMA_DIR = '/usr/share/kamailio/postgres';

/** Module schema files in load order, each with a table it creates (its marker in `version`). */
const MODULES: [file: string, marker: string][] = [
  ['standard-create.sql', 'version'],
  ['permissions-create.sql', 'address'],
  ['auth_db-create.sql', 'subscriber'],
  ['usrloc-create.sql', 'location'],
  ['acc-create.sql', 'acc'],
  // Topology hiding's dialogs and transactions, shared by the SBCs of a pair.
  ['topos-create.sql', 'topos_d'],
];

/** Accounting columns the SBC config fills (`db_extra`, `time_attr`, `time_exten`). */
const ACC_EXTRAS = `
  ADD COLUMN IF NOT EXISTS src_ip VARCHAR(64) DEFAULT '' NOT NULL,
  ADD COLUMN IF NOT EXISTS src_port VARCHAR(8) DEFAULT '' NOT NULL,
  ADD COLUMN IF NOT EXISTS caller VARCHAR(128) DEFAULT '' NOT NULL,
  ADD COLUMN IF NOT EXISTS callee VARCHAR(128) DEFAULT '' NOT NULL,
  ADD COLUMN IF NOT EXISTS admitted VARCHAR(1) DEFAULT '0' NOT NULL,
  ADD COLUMN IF NOT EXISTS reason VARCHAR(64) DEFAULT '' NOT NULL,
  ADD COLUMN IF NOT EXISTS time_unix INTEGER,
  ADD COLUMN IF NOT EXISTS time_usec INTEGER`;

const FIXES = [
  // Shipped as SMALLINT: ports above 32767 would not fit.
  `ALTER TABLE address ALTER COLUMN port TYPE INTEGER`,
  // References are case ids, longer than 64 characters at times.
  `ALTER TABLE address ALTER COLUMN tag TYPE VARCHAR(255)`,
  // What the customer declared; `port` is what Kamailio matches (0 for TCP: ephemeral source ports).
  `ALTER TABLE address
     ADD COLUMN IF NOT EXISTS sip_port INTEGER,
     ADD COLUMN IF NOT EXISTS transport VARCHAR(4) DEFAULT 'udp' NOT NULL,
     ADD COLUMN IF NOT EXISTS created_at TIMESTAMPTZ DEFAULT now() NOT NULL`,
  `UPDATE address SET sip_port = port WHERE sip_port IS NULL`,
  `CREATE UNIQUE INDEX IF NOT EXISTS address_entry_idx ON address (grp, ip_addr, sip_port, transport, tag)`,
  `ALTER TABLE subscriber
     ADD COLUMN IF NOT EXISTS instance_id VARCHAR(64),
     ADD COLUMN IF NOT EXISTS reference VARCHAR(255),
     ADD COLUMN IF NOT EXISTS created_at TIMESTAMPTZ DEFAULT now() NOT NULL,
     ADD COLUMN IF NOT EXISTS rotated_at TIMESTAMPTZ`,
  `CREATE UNIQUE INDEX IF NOT EXISTS subscriber_reference_idx ON subscriber (domain, reference)`,
  `ALTER TABLE acc ${ACC_EXTRAS}`,
  `ALTER TABLE missed_calls ${ACC_EXTRAS}`,
  `CREATE INDEX IF NOT EXISTS acc_time_unix_idx ON acc (time_unix)`,
  `CREATE INDEX IF NOT EXISTS acc_src_ip_idx ON acc (src_ip)`,
  // Numbers assigned to contact-center instances: one instance per number.
  `CREATE TABLE IF NOT EXISTS assignment (
     number VARCHAR(32) PRIMARY KEY,
     instance_id VARCHAR(64) NOT NULL,
     ivr_flow_id VARCHAR(128),
     skill_group_id VARCHAR(128),
     caller_id_prefix VARCHAR(32),
     reference VARCHAR(255) NOT NULL,
     assigned_at TIMESTAMPTZ DEFAULT now() NOT NULL
   )`,
  `ALTER TABLE assignment ADD COLUMN IF NOT EXISTS calling_rules JSONB`,
  `CREATE INDEX IF NOT EXISTS assignment_instance_idx ON assignment (instance_id)`,
  `ALTER TABLE assignment ADD COLUMN IF NOT EXISTS enterprise_id VARCHAR(64)`,
  // What Kamailio enforces on calls out from an assigned number (written with the assignment).
  `CREATE TABLE IF NOT EXISTS calling_rule (
     number VARCHAR(32) PRIMARY KEY,
     enterprise_id VARCHAR(64),
     max_concurrent INTEGER NOT NULL,
     per_callee_daily INTEGER NOT NULL,
     count_on VARCHAR(8) DEFAULT 'rung' NOT NULL,
     hours_from SMALLINT,
     hours_to SMALLINT,
     reference VARCHAR(255) NOT NULL,
     updated_at TIMESTAMPTZ DEFAULT now() NOT NULL
   )`,
  // Callees an enterprise's numbers never call (past complainants), in E.164.
  `CREATE TABLE IF NOT EXISTS blocked_callee (
     enterprise_id VARCHAR(64) NOT NULL,
     number VARCHAR(32) NOT NULL,
     reason VARCHAR(500) NOT NULL,
     added_by VARCHAR(200) NOT NULL,
     added_at TIMESTAMPTZ DEFAULT now() NOT NULL,
     PRIMARY KEY (enterprise_id, number)
   )`,
  // Topology hiding stores what parties send (tags, Call-IDs, contacts, routes): no length a caller
  // writes may make its INSERT fail, nor its index entry (hash indexes have no size limit).
  unboundedText(['topos_d', 'topos_t']),
  ...[
    'topos_d_a_callid_idx',
    'topos_d_a_uuid_idx',
    'topos_d_b_uuid_idx',
    'topos_t_a_callid_idx',
    'topos_t_x_vbranch_idx',
    'topos_t_a_uuid_idx',
  ].map((index) => `DROP INDEX IF EXISTS ${index}`),
  `CREATE INDEX IF NOT EXISTS topos_d_a_callid_hash ON topos_d USING hash (a_callid)`,
  `CREATE INDEX IF NOT EXISTS topos_d_a_uuid_hash ON topos_d USING hash (a_uuid)`,
  `CREATE INDEX IF NOT EXISTS topos_d_b_uuid_hash ON topos_d USING hash (b_uuid)`,
  `CREATE INDEX IF NOT EXISTS topos_t_a_callid_hash ON topos_t USING hash (a_callid)`,
  `CREATE INDEX IF NOT EXISTS topos_t_x_vbranch_hash ON topos_t USING hash (x_vbranch)`,
  `CREATE INDEX IF NOT EXISTS topos_t_a_uuid_hash ON topos_t USING hash (a_uuid)`,
  ...OWNERSHIP,
];

/** A database name we are willing to put in CREATE/DROP DATABASE. */
const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function databaseOf(url: string): { name: string; adminUrl: string } {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!DATABASE_NAME.test(name)) throw new Error(`not a plain database name in ${redact(url)}: "${name}"`);
  parsed.pathname = '/postgres';
  return { name, adminUrl: parsed.toString() };
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${redact(url)}: ${(err as Error).message}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Whether PostgreSQL answers at the URL's server (any database). */
export async function postgresReachable(url: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await withClient(databaseOf(url).adminUrl, (c) => c.query('SELECT 1'));
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

export interface SchemaResult {
  createdDatabase: boolean;
  /** Module schema files loaded by this run (empty when all were there). */
  loaded: string[];
}

/** Creates the database if needed, loads Kamailio's module schemas once, applies the fixes. */
export async function setupSbcSchema(url: string, options: { schemaDir?: string } = {}): Promise<SchemaResult> {
  const schemaDir = options.schemaDir ?? KAMAILIO_SCHEMA_DIR;
  const { name, adminUrl } = databaseOf(url);
  const createdDatabase = await withClient(adminUrl, async (admin) => {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return false;
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
      return true;
    } catch (err) {
      // Another process created it meanwhile.
      if ((err as { code?: string }).code === '42P04') return false;
      throw err;
    }
  });

  const loaded: string[] = [];
  await withClient(url, async (db) => {
    // Two starts at once (supervisor and a test, say) must not load the files twice.
    await db.query('SELECT pg_advisory_lock(hashtext($1))', ['onboarding-sbc-schema']);
    try {
      for (const [file, marker] of MODULES) {
        if (await hasModule(db, marker)) continue;
        let sql: string;
        try {
          sql = await readFile(`${schemaDir}/${file}`, 'utf8');
        } catch {
          throw new Error(`${schemaDir}/${file} is missing: install kamailio-postgres-modules`);
        }
        await db.query('BEGIN');
        try {
          await db.query(sql);
          await db.query('COMMIT');
        } catch (err) {
          await db.query('ROLLBACK');
          throw new Error(`loading ${file}: ${(err as Error).message}`);
        }
        loaded.push(file);
      }
      for (const fix of FIXES) await db.query(fix);
      await loadNumberRegions(db);
    } finally {
      await db.query('SELECT pg_advisory_unlock(hashtext($1))', ['onboarding-sbc-schema']);
    }
  });
  return { createdDatabase, loaded };
}

async function hasModule(db: pg.Client, marker: string): Promise<boolean> {
  const table = await db.query<{ t: string | null }>(`SELECT to_regclass('public.version')::text AS t`);
  if (!table.rows[0]?.t) return false;
  const row = await db.query('SELECT 1 FROM version WHERE table_name = $1', [marker]);
  return (row.rowCount ?? 0) > 0;
}

/** Drops the database (tests' per-file databases). Connections still open are terminated. */
export async function dropSbcDatabase(url: string): Promise<void> {
  const { name, adminUrl } = databaseOf(url);
  await withClient(adminUrl, async (admin) => {
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
  });
}

if (require.main === module) {
  const url = process.argv[2] ?? loadConfig().sipGateway.sbc.databaseUrl;
  setupSbcSchema(url)
    .then((r) => {
      process.stdout.write(
        `${redact(url)}: ${r.createdDatabase ? 'database created; ' : ''}${r.loaded.length ? `loaded ${r.loaded.join(', ')}; ` : ''}schema up to date\n`,
      );
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
