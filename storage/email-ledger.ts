/**
 * Which emails have been sent, by deduplication key, so a retried activity never sends twice.
 * Two implementations: an append-only JSON-lines file (the embedded default: survives worker
 * restarts, one worker process writes it) and a PostgreSQL table (`DATABASE_URL`: any number of
 * workers, one sender per key).
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface SentEmail {
  key: string;
  messageId: string;
  to: string;
  template: string;
  at: string;
  /** Non-secret facts about what the email delivered (e.g. the account a password belongs to). */
  meta?: Record<string, string>;
}

export interface EmailLedger {
  find(key: string): Promise<SentEmail | undefined>;
  /**
   * Runs `send` unless an email with `entry.key` was sent, and records `entry` once it has been.
   * Of callers racing for one key, exactly one sends; the others wait for it and get its entry
   * (`sent: false`). A `send` that throws records nothing, so the next caller sends.
   */
  sendOnce(entry: SentEmail, send: () => Promise<void>): Promise<{ entry: SentEmail; sent: boolean }>;
  /**
   * Runs `work` alone among the callers holding `key`: for an email that delivers a secret made
   * just before it (a password), so two attempts never make two secrets and deliver one.
   */
  exclusive<T>(key: string, work: () => Promise<T>): Promise<T>;
}

/** The embedded default: a JSON-lines file, deduplicating within the one process that writes it. */
export class FileEmailLedger implements EmailLedger {
  private sent: Map<string, SentEmail> | undefined;
  private loading: Promise<Map<string, SentEmail>> | undefined;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly held = new Map<string, Promise<unknown>>();

  constructor(private readonly file: string) {}

  async find(key: string): Promise<SentEmail | undefined> {
    return (await this.load()).get(key);
  }

  async record(entry: SentEmail): Promise<void> {
    const sent = await this.load();
    sent.set(entry.key, entry);
    await appendFile(this.file, `${JSON.stringify(entry)}\n`);
  }

  async sendOnce(entry: SentEmail, send: () => Promise<void>): Promise<{ entry: SentEmail; sent: boolean }> {
    for (;;) {
      const earlier = await this.find(entry.key);
      if (earlier) return { entry: earlier, sent: false };
      const pending = this.inFlight.get(entry.key);
      if (!pending) break;
      // Another call in this process is sending it: wait, then look again (it may have failed).
      await pending.catch(() => {});
    }
    const attempt = (async () => {
      await send();
      await this.record(entry);
    })();
    this.inFlight.set(entry.key, attempt);
    try {
      await attempt;
      return { entry, sent: true };
    } finally {
      this.inFlight.delete(entry.key);
    }
  }

  async exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.held.get(key) ?? Promise.resolve();
    const mine = before.catch(() => {}).then(work);
    const tail = mine.catch(() => {});
    this.held.set(key, tail);
    try {
      return await mine;
    } finally {
      if (this.held.get(key) === tail) this.held.delete(key);
    }
  }

  private load(): Promise<Map<string, SentEmail>> {
    if (this.sent) return Promise.resolve(this.sent);
    this.loading ??= (async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      const sent = new Map<string, SentEmail>();
      const text = await readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return '';
        throw err;
      });
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try {
          const entry = JSON.parse(line) as SentEmail;
          sent.set(entry.key, entry);
        } catch {
          // A torn last line from a crash mid-append: that email is treated as unsent.
        }
      }
      this.sent = sent;
      return sent;
    })();
    return this.loading;
  }
}
