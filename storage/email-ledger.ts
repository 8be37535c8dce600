/**
 * Which emails have been sent, by deduplication key, so a retried activity never sends twice.
 * An append-only JSON-lines file: survives worker restarts; one worker process writes it.
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

export class EmailLedger {
  private sent: Map<string, SentEmail> | undefined;
  private loading: Promise<Map<string, SentEmail>> | undefined;

  constructor(private readonly file: string) {}

  async find(key: string): Promise<SentEmail | undefined> {
    return (await this.load()).get(key);
  }

  async record(entry: SentEmail): Promise<void> {
    const sent = await this.load();
    sent.set(entry.key, entry);
    await appendFile(this.file, `${JSON.stringify(entry)}\n`);
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
