/**
 * The email ledger in PostgreSQL, shared by every worker. The key is the table's primary key, and
 * the sender is whoever inserts it: the row is inserted in a transaction that stays open while the
 * email goes out and commits once it has. A second worker's insert of the same key waits on that
 * row: it finds the key taken once the first commits (and does not send), or inserts it and sends
 * itself if the first rolled back (SMTP refused, or the process died and its connection with it).
 */
import type pg from 'pg';
import type { EmailLedger, SentEmail } from './email-ledger';
import type { PgDatabase } from './postgres';

interface Row {
  dedup_key: string;
  message_id: string;
  recipient: string;
  template: string;
  sent_at: Date;
  meta: Record<string, string> | null;
}

export interface PgEmailLedgerOptions {
  /**
   * How long a second sender waits on a key another one is sending before its attempt fails
   * (and Temporal retries it later): a relay that hangs does not pile up waiting workers.
   */
  lockTimeoutMs?: number;
  /**
   * A sender silent this long mid-send (its process frozen, its network gone) loses the key: the
   * server ends its session, and the next attempt sends (with the same Message-ID).
   */
  abandonAfterMs?: number;
}

export class PgEmailLedger implements EmailLedger {
  private readonly lockTimeoutMs: number;
  private readonly abandonAfterMs: number;

  constructor(
    private readonly db: PgDatabase,
    options: PgEmailLedgerOptions = {},
  ) {
    this.lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
    this.abandonAfterMs = options.abandonAfterMs ?? 10 * 60_000;
  }

  async find(key: string): Promise<SentEmail | undefined> {
    await this.db.ready();
    const { rows } = await this.db.pool.query<Row>('SELECT * FROM email_ledger WHERE dedup_key = $1', [key]);
    return rows[0] && fromRow(rows[0]);
  }

  async sendOnce(entry: SentEmail, send: () => Promise<void>): Promise<{ entry: SentEmail; sent: boolean }> {
    await this.db.ready();
    const claimed = await this.db.transaction(async (client) => {
      await this.limits(client);
      const { rowCount } = await client.query(
        `INSERT INTO email_ledger (dedup_key, message_id, recipient, template, sent_at, meta)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (dedup_key) DO NOTHING
         RETURNING dedup_key`,
        [entry.key, entry.messageId, entry.to, entry.template, entry.at, entry.meta ?? null],
      );
      if (rowCount !== 1) return false;
      await send();
      return true;
    });
    if (claimed) return { entry, sent: true };
    const earlier = await this.find(entry.key);
    if (!earlier) throw new Error(`email ${entry.key} neither claimed nor recorded`);
    return { entry: earlier, sent: false };
  }

  /** A transaction-scoped advisory lock on the key: released at the end, or when the holder dies. */
  async exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    await this.db.ready();
    return this.db.transaction(async (client) => {
      await this.limits(client);
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`email-ledger:${key}`]);
      return work();
    });
  }

  private async limits(client: pg.PoolClient): Promise<void> {
    await client.query(
      `SELECT set_config('lock_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $2, true)`,
      [`${this.lockTimeoutMs}ms`, `${this.abandonAfterMs}ms`],
    );
  }
}

function fromRow(row: Row): SentEmail {
  return {
    key: row.dedup_key,
    messageId: row.message_id,
    to: row.recipient,
    template: row.template,
    at: row.sent_at.toISOString(),
    ...(row.meta ? { meta: row.meta } : {}),
  };
}
