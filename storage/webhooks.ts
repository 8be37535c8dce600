/**
 * Events, webhook endpoints (with their signing secrets) and delivery attempts. Two
 * implementations: files under the data directory (the embedded default; events are appended by
 * the one worker process and read by any) and PostgreSQL (`DATABASE_URL`, `webhooks-postgres.ts`).
 * Events are keyed by their id: appending one twice (a retried activity) keeps the first.
 */
import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  EVENT_RETENTION_MS,
  type DeliveryAttempt,
  type EventType,
  type ProductEvent,
  type StoredEndpoint,
} from '../domain/webhooks';

export type FeedEvent = ProductEvent & { cursor: string };

export interface EventQuery {
  /** Absent: every enterprise (support's feed). */
  enterpriseId?: string;
  after?: string;
  types?: readonly EventType[];
  limit: number;
  /** Events older than this (epoch ms) are past retention and not listed. */
  notBefore?: number;
}

export interface WebhookStore {
  appendEvent(event: ProductEvent): Promise<{ cursor: string; inserted: boolean }>;
  events(query: EventQuery): Promise<{ items: FeedEvent[]; nextCursor: string | null }>;
  event(id: string): Promise<FeedEvent | null>;
  /** The feed's last cursor now ("0" when empty): an endpoint starts delivering after it. */
  head(): Promise<string>;
  saveEndpoint(endpoint: StoredEndpoint): Promise<void>;
  endpoint(id: string): Promise<StoredEndpoint | null>;
  endpoints(enterpriseId: string): Promise<StoredEndpoint[]>;
  deleteEndpoint(id: string): Promise<boolean>;
  addAttempt(attempt: DeliveryAttempt): Promise<void>;
  /** Newest first. */
  attempts(endpointId: string, limit: number): Promise<DeliveryAttempt[]>;
  close(): Promise<void>;
}

/** A page of the feed, oldest first, filtered in memory (the file store's). */
export function page(all: readonly FeedEvent[], q: EventQuery): { items: FeedEvent[]; nextCursor: string | null } {
  const after = q.after === undefined ? 0 : Number(q.after);
  const items: FeedEvent[] = [];
  for (const e of all) {
    if (Number(e.cursor) <= after) continue;
    if (q.enterpriseId !== undefined && e.enterpriseId !== q.enterpriseId) continue;
    if (q.types && q.types.length > 0 && !q.types.includes(e.type)) continue;
    if (q.notBefore !== undefined && Date.parse(e.occurredAt) < q.notBefore) continue;
    items.push(e);
    if (items.length === q.limit) break;
  }
  return { items, nextCursor: items.length ? items[items.length - 1]!.cursor : (q.after ?? null) };
}

export class FileWebhookStore implements WebhookStore {
  private readonly eventsFile: string;
  private readonly endpointsDir: string;
  private readonly attemptsDir: string;
  private feed: FeedEvent[] = [];
  private readonly byId = new Map<string, FeedEvent>();
  /** Bytes of the events file already read: the file only grows, so later reads take the tail. */
  private readBytes = 0;
  private partial = '';
  private appending: Promise<unknown> = Promise.resolve();
  private refreshing: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    this.eventsFile = path.join(dir, 'events.jsonl');
    this.endpointsDir = path.join(dir, 'endpoints');
    this.attemptsDir = path.join(dir, 'attempts');
  }

  /** Reads what was appended since the last read; one read at a time, each going on where the last ended. */
  private refresh(): Promise<void> {
    const run = this.refreshing.then(() => this.readTail());
    this.refreshing = run.catch(() => undefined);
    return run;
  }

  private async readTail(): Promise<void> {
    const size = await stat(this.eventsFile).then(
      (s) => s.size,
      () => 0,
    );
    if (size <= this.readBytes) return;
    const handle = await open(this.eventsFile, 'r');
    try {
      const buf = Buffer.alloc(size - this.readBytes);
      const { bytesRead } = await handle.read(buf, 0, buf.length, this.readBytes);
      this.readBytes += bytesRead;
      const text = this.partial + buf.subarray(0, bytesRead).toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line) continue;
        const e = JSON.parse(line) as FeedEvent;
        if (this.byId.has(e.id)) continue;
        this.byId.set(e.id, e);
        this.feed.push(e);
      }
    } finally {
      await handle.close();
    }
  }

  appendEvent(event: ProductEvent): Promise<{ cursor: string; inserted: boolean }> {
    // One append at a time in this process, so cursors follow file order.
    const run = this.appending.then(async () => {
      await this.refresh();
      const earlier = this.byId.get(event.id);
      if (earlier) return { cursor: earlier.cursor, inserted: false };
      const last = this.feed[this.feed.length - 1];
      const stored: FeedEvent = { ...event, cursor: String(last ? Number(last.cursor) + 1 : 1) };
      await mkdir(path.dirname(this.eventsFile), { recursive: true });
      await appendFile(this.eventsFile, `${JSON.stringify(stored)}\n`);
      await this.refresh();
      return { cursor: stored.cursor, inserted: true };
    });
    this.appending = run.catch(() => undefined);
    return run;
  }

  async events(q: EventQuery): Promise<{ items: FeedEvent[]; nextCursor: string | null }> {
    await this.refresh();
    return page(this.feed, q);
  }

  async event(id: string): Promise<FeedEvent | null> {
    await this.refresh();
    return this.byId.get(id) ?? null;
  }

  async head(): Promise<string> {
    await this.refresh();
    return this.feed[this.feed.length - 1]?.cursor ?? '0';
  }

  async saveEndpoint(endpoint: StoredEndpoint): Promise<void> {
    await mkdir(this.endpointsDir, { recursive: true });
    const file = this.endpointFile(endpoint.id);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(endpoint), { mode: 0o600 });
    await rename(tmp, file);
    // The enterprise's index: recording an event reads its enterprise's endpoints only.
    await mkdir(this.indexDir(endpoint.enterpriseId), { recursive: true });
    await writeFile(path.join(this.indexDir(endpoint.enterpriseId), endpoint.id), '');
  }

  async endpoint(id: string): Promise<StoredEndpoint | null> {
    if (!/^we_[0-9a-f]{32}$/.test(id)) return null;
    return readFile(this.endpointFile(id), 'utf8').then(
      (t) => JSON.parse(t) as StoredEndpoint,
      () => null,
    );
  }

  async endpoints(enterpriseId: string): Promise<StoredEndpoint[]> {
    const ids = await readdir(this.indexDir(enterpriseId)).catch(() => [] as string[]);
    const all = await Promise.all(ids.map((id) => this.endpoint(id)));
    return all
      .filter((e): e is StoredEndpoint => e !== null && e.enterpriseId === enterpriseId)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    const endpoint = await this.endpoint(id);
    if (!endpoint) return false;
    await rm(this.endpointFile(id), { force: true });
    await rm(path.join(this.indexDir(endpoint.enterpriseId), id), { force: true });
    return true;
  }

  async addAttempt(attempt: DeliveryAttempt): Promise<void> {
    await mkdir(this.attemptsDir, { recursive: true });
    await appendFile(path.join(this.attemptsDir, `${attempt.endpointId}.jsonl`), `${JSON.stringify(attempt)}\n`);
  }

  async attempts(endpointId: string, limit: number): Promise<DeliveryAttempt[]> {
    const text = await readFile(path.join(this.attemptsDir, `${endpointId}.jsonl`), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as DeliveryAttempt)
      .reverse()
      .slice(0, limit);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private indexDir(enterpriseId: string): string {
    return path.join(this.endpointsDir, 'by-enterprise', encodeURIComponent(enterpriseId));
  }

  private endpointFile(id: string): string {
    return path.join(this.endpointsDir, `${id}.json`);
  }
}

/** The oldest moment an event may have and still be listed. */
export function retentionStart(now: number): number {
  return now - EVENT_RETENTION_MS;
}
