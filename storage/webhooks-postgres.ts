/**
 * Events, webhook endpoints and delivery attempts in PostgreSQL. Events are inserted one at a time
 * under a transaction-scoped advisory lock, so sequence numbers commit in order and a reader that
 * has seen cursor N never later finds a smaller one appear. Events past retention are deleted by
 * the writers, a batch at a time.
 */
import type { DeliveryAttempt, ProductEvent, StoredEndpoint } from '../domain/webhooks';
import type { PgDatabase } from './postgres';
import { retentionStart, type EventQuery, type FeedEvent, type WebhookStore } from './webhooks';

const APPEND_LOCK = 'webhook-events-append';

interface EventRow {
  seq: string;
  body: ProductEvent;
}

export class PgWebhookStore implements WebhookStore {
  private appended = 0;

  constructor(private readonly db: PgDatabase) {}

  async appendEvent(event: ProductEvent): Promise<{ cursor: string; inserted: boolean }> {
    await this.db.ready();
    const result = await this.db.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [APPEND_LOCK]);
      const { rows } = await client.query<{ seq: string }>(
        `INSERT INTO webhook_events (id, enterprise_id, type, occurred_at, body) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO NOTHING RETURNING seq`,
        [event.id, event.enterpriseId, event.type, event.occurredAt, event],
      );
      if (rows[0]) return { cursor: String(rows[0].seq), inserted: true };
      const earlier = await client.query<{ seq: string }>('SELECT seq FROM webhook_events WHERE id = $1', [event.id]);
      return { cursor: String(earlier.rows[0]!.seq), inserted: false };
    });
    if (++this.appended % 1000 === 0) {
      await this.db.pool
        .query('DELETE FROM webhook_events WHERE occurred_at < $1', [new Date(retentionStart(Date.now()))])
        .catch(() => undefined);
    }
    return result;
  }

  async events(q: EventQuery): Promise<{ items: FeedEvent[]; nextCursor: string | null }> {
    await this.db.ready();
    const where: string[] = ['seq > $1'];
    const args: unknown[] = [q.after ?? '0'];
    if (q.enterpriseId !== undefined) {
      args.push(q.enterpriseId);
      where.push(`enterprise_id = $${args.length}`);
    }
    if (q.types && q.types.length > 0) {
      args.push(q.types);
      where.push(`type = ANY($${args.length})`);
    }
    if (q.notBefore !== undefined) {
      args.push(new Date(q.notBefore));
      where.push(`occurred_at >= $${args.length}`);
    }
    args.push(q.limit);
    const { rows } = await this.db.pool.query<EventRow>(
      `SELECT seq, body FROM webhook_events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT $${args.length}`,
      args,
    );
    const items = rows.map((r) => ({ ...r.body, cursor: String(r.seq) }));
    return { items, nextCursor: items.length ? items[items.length - 1]!.cursor : (q.after ?? null) };
  }

  async event(id: string): Promise<FeedEvent | null> {
    await this.db.ready();
    const { rows } = await this.db.pool.query<EventRow>('SELECT seq, body FROM webhook_events WHERE id = $1', [id]);
    return rows[0] ? { ...rows[0].body, cursor: String(rows[0].seq) } : null;
  }

  async head(): Promise<string> {
    await this.db.ready();
    const { rows } = await this.db.pool.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM webhook_events');
    return String(rows[0]?.seq ?? '0');
  }

  async saveEndpoint(endpoint: StoredEndpoint): Promise<void> {
    await this.db.ready();
    await this.db.pool.query(
      `INSERT INTO webhook_endpoints (id, enterprise_id, body) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body`,
      [endpoint.id, endpoint.enterpriseId, endpoint],
    );
  }

  async endpoint(id: string): Promise<StoredEndpoint | null> {
    await this.db.ready();
    const { rows } = await this.db.pool.query<{ body: StoredEndpoint }>(
      'SELECT body FROM webhook_endpoints WHERE id = $1',
      [id],
    );
    return rows[0]?.body ?? null;
  }

  async endpoints(enterpriseId: string): Promise<StoredEndpoint[]> {
    await this.db.ready();
    const { rows } = await this.db.pool.query<{ body: StoredEndpoint }>(
      `SELECT body FROM webhook_endpoints WHERE enterprise_id = $1 ORDER BY body->>'createdAt'`,
      [enterpriseId],
    );
    return rows.map((r) => r.body);
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    await this.db.ready();
    const { rowCount } = await this.db.pool.query('DELETE FROM webhook_endpoints WHERE id = $1', [id]);
    return rowCount === 1;
  }

  async addAttempt(attempt: DeliveryAttempt): Promise<void> {
    await this.db.ready();
    await this.db.pool.query('INSERT INTO webhook_attempts (endpoint_id, body) VALUES ($1, $2)', [
      attempt.endpointId,
      attempt,
    ]);
  }

  async attempts(endpointId: string, limit: number): Promise<DeliveryAttempt[]> {
    await this.db.ready();
    const { rows } = await this.db.pool.query<{ body: DeliveryAttempt }>(
      'SELECT body FROM webhook_attempts WHERE endpoint_id = $1 ORDER BY seq DESC LIMIT $2',
      [endpointId, limit],
    );
    return rows.map((r) => r.body);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
