/** The cluster's databases and namespace: Temporal's schemas, the product's database, the namespace. */
import pg from 'pg';
import type { ClusterLayout } from './cluster-config';
import { POSTGRES } from './prerequisites-policy';
import { capture, log, sleep } from './supervisor';

/** Creates Temporal's two databases and brings their schemas to this server version (a no-op when current). */
export async function setupTemporalSchemas(
  sqlTool: string,
  layout: ClusterLayout,
  signal: AbortSignal = new AbortController().signal,
): Promise<void> {
  const common = ['--plugin', 'postgres12', '--ep', POSTGRES.host, '-p', String(POSTGRES.port), '-u', 'postgres'];
  const steps: [db: string, schema: string][] = [
    [layout.databases.persistence, 'postgresql/v12/temporal'],
    [layout.databases.visibility, 'postgresql/v12/visibility'],
  ];
  for (const [db, schema] of steps) {
    // create-database accepts an existing database; setup-schema leaves a versioned one alone.
    for (const args of [
      ['create-database'],
      ['setup-schema', '-v', '0.0'],
      ['update-schema', '--schema-name', schema],
    ]) {
      const result = await capture(sqlTool, [...common, '--db', db, ...args], { signal });
      if (result.code !== 0) {
        throw new Error(`temporal-sql-tool ${args[0]} on ${db} failed: ${(result.stderr || result.stdout).trim()}`);
      }
    }
  }
}

/** The database in a postgres:// URL, created when missing (the product applies its own schema). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } catch (error) {
    // Two processes racing to create it: the other one won.
    if (!/already exists/.test(String(error))) throw error;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Namespace

/** Registers the namespace when the cluster does not have it yet (the server starts with none). */
export async function ensureNamespace(
  cli: string,
  address: string,
  namespace: string,
  retention: string,
  signal: AbortSignal,
): Promise<void> {
  const common = ['--address', address, '--namespace', namespace];
  // The frontend's port opens before it serves; retry for a while.
  const deadline = Date.now() + 90_000;
  for (;;) {
    const described = await capture(cli, ['operator', 'namespace', 'describe', ...common, '--output', 'json'], {
      signal,
    });
    if (described.code === 0) return;
    if (/not found/i.test(described.stderr)) {
      const created = await capture(cli, ['operator', 'namespace', 'create', ...common, '--retention', retention], {
        signal,
      });
      if (created.code === 0 || /already (exists|registered)/i.test(created.stderr)) {
        log(`registered namespace ${namespace} (retention ${retention})`);
        return;
      }
    }
    if (Date.now() > deadline || signal.aborted)
      throw new Error(`namespace ${namespace} could not be checked or created: ${described.stderr.trim()}`);
    await sleep(1_000, signal);
  }
}
