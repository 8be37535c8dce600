/**
 * The stores this deployment uses, chosen from configuration: PostgreSQL when `DATABASE_URL` is
 * set (shared by every process), files under the data directory otherwise (the embedded default).
 */
import type { Config } from '../config';
import { FileDocumentStore, type DocumentStore } from './documents';
import { PgDocumentStore } from './documents-postgres';
import { FileEmailLedger, type EmailLedger } from './email-ledger';
import { PgEmailLedger } from './email-ledger-postgres';
import { closeSharedDatabases, sharedDatabase } from './postgres';
import { MemorySessionStore, PgSessionStore, type SessionStore } from './sessions';
import { FileWebhookStore, type WebhookStore } from './webhooks';
import { PgWebhookStore } from './webhooks-postgres';

export function createDocumentStore(config: Config): DocumentStore {
  return config.database
    ? new PgDocumentStore(sharedDatabase(config.database.url))
    : new FileDocumentStore(config.documents.dir);
}

export function createEmailLedger(config: Config): EmailLedger {
  return config.database
    ? new PgEmailLedger(sharedDatabase(config.database.url))
    : new FileEmailLedger(config.email.ledgerFile);
}

/** The console's sessions: shared by every API process in PostgreSQL, else this process's own. */
export function createSessionStore(config: Config, now?: () => number): SessionStore {
  return config.database ? new PgSessionStore(sharedDatabase(config.database.url), now) : new MemorySessionStore(now);
}

/** Events, webhook endpoints and delivery attempts. */
export function createWebhookStore(config: Config): WebhookStore {
  return config.database
    ? new PgWebhookStore(sharedDatabase(config.database.url))
    : new FileWebhookStore(config.webhooks.dir);
}

/** Applies the database schema now, so a process with a bad `DATABASE_URL` stops at start. */
export async function prepareStorage(config: Config): Promise<string> {
  if (!config.database) return `files under ${config.dataDir}`;
  const where = describeDatabase(config.database.url);
  try {
    await sharedDatabase(config.database.url).ready();
  } catch (err) {
    throw new Error(`DATABASE_URL (${where}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return `PostgreSQL at ${where}`;
}

/** Host, port and database name, never the credentials. */
export function describeDatabase(url: string): string {
  const u = new URL(url);
  return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
}

/** Closes the database pools, so a stopping process is not held open by idle connections. */
export async function closeStorage(): Promise<void> {
  await closeSharedDatabases();
}
