/**
 * The documents store and the email ledger, each against both implementations: files (the
 * embedded default) and PostgreSQL (a database of this file's own, dropped after).
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createEmailActivities } from '../../activities/email';
import { loadConfig } from '../../config';
import {
  closeStorage,
  createDocumentStore,
  createEmailLedger,
  createWebhookStore,
  prepareStorage,
} from '../../storage';
import { FileWebhookStore } from '../../storage/webhooks';
import { PgWebhookStore } from '../../storage/webhooks-postgres';
import { FileDocumentStore, UnsupportedContentError, type DocumentStore } from '../../storage/documents';
import { PgDocumentStore } from '../../storage/documents-postgres';
import { FileEmailLedger, type EmailLedger, type SentEmail } from '../../storage/email-ledger';
import { PgEmailLedger } from '../../storage/email-ledger-postgres';
import { SCHEMA } from '../../storage/postgres';
import { useTestDatabase } from '../support/postgres';

const database = useTestDatabase();
/** A fresh process's view of the database: its own pool. */
const connect = () => database.connect();
const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'stores-'));

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(300_000, 0x41), Buffer.from('\n%%EOF\n')]);
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

interface Backend {
  name: string;
  /** Two handles on one store, as two processes would have (the file store: the same directory). */
  documents(): Promise<[DocumentStore, DocumentStore]>;
  ledgers(): Promise<[EmailLedger, EmailLedger]>;
}

const backends: Backend[] = [
  {
    name: 'files',
    documents: async () => {
      const dir = await tempDir();
      return [new FileDocumentStore(dir), new FileDocumentStore(dir)];
    },
    ledgers: async () => {
      const file = path.join(await tempDir(), 'ledger.jsonl');
      return [new FileEmailLedger(file), new FileEmailLedger(file)];
    },
  },
  {
    name: 'postgres',
    documents: async () => [new PgDocumentStore(connect()), new PgDocumentStore(connect())],
    ledgers: async () => [new PgEmailLedger(connect()), new PgEmailLedger(connect())],
  },
];

describe.each(backends)('documents in $name', (backend) => {
  it('keeps the bytes, kind, owner, hash and content type; another handle reads them back', async () => {
    const [writer, reader] = await backend.documents();
    const saved = await writer.save({ enterpriseId: 'ent-a', kind: 'business-licence', bytes: PDF });
    expect(saved).toMatchObject({
      enterpriseId: 'ent-a',
      kind: 'business-licence',
      contentType: 'application/pdf',
      size: PDF.length,
      sha256: (await import('node:crypto')).createHash('sha256').update(PDF).digest('hex'),
    });
    expect(await reader.get(saved.documentId)).toEqual(saved);
    expect((await reader.content(saved.documentId))?.equals(PDF)).toBe(true);
  });

  it('refuses content that is not a PDF, JPEG or PNG, whatever it is called', async () => {
    const [store] = await backend.documents();
    await expect(
      store.save({ enterpriseId: 'ent-a', kind: 'business-licence', bytes: Buffer.from('<html>not a scan</html>') }),
    ).rejects.toBeInstanceOf(UnsupportedContentError);
  });

  it("checks references: another tenant's document reads as missing, a wrong kind and unknown ids are named", async () => {
    const [store, other] = await backend.documents();
    const licence = await store.save({ enterpriseId: 'ent-a', kind: 'business-licence', bytes: PDF });
    const photo = await store.save({ enterpriseId: 'ent-a', kind: 'legal-rep-id', bytes: PNG });
    expect(
      await other.check('ent-a', [
        { kind: 'business-licence', documentId: licence.documentId },
        { kind: 'legal-rep-id', documentId: photo.documentId },
      ]),
    ).toEqual([]);
    const failures = await other.check('ent-b', [{ kind: 'business-licence', documentId: licence.documentId }]);
    expect(failures.map((f) => f.code)).toEqual(['document-not-found']);
    const mixed = await other.check('ent-a', [
      { kind: 'business-licence', documentId: photo.documentId },
      { kind: 'business-licence', documentId: 'doc_00000000-0000-0000-0000-000000000000' },
      { kind: 'business-licence', documentId: "doc_' OR 1=1 --" },
    ]);
    expect(mixed.map((f) => [f.path, f.code])).toEqual([
      ['documents.0.documentId', 'document-kind-mismatch'],
      ['documents.1.documentId', 'document-not-found'],
      ['documents.2.documentId', 'document-not-found'],
    ]);
    expect(await other.get('../../etc/passwd')).toBeNull();
    expect(await other.content('../../etc/passwd')).toBeNull();
  });
});

const entry = (key: string, to = 'ops@example.cn'): SentEmail => ({
  key,
  messageId: `<${key.replace(/\W/g, '')}@onboarding>`,
  to,
  template: 'verification-approved',
  at: new Date().toISOString(),
  meta: { username: 'gateway01' },
});
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(backends)('email ledger in $name', (backend) => {
  it('sends once per key; the entry and its meta survive a new handle', async () => {
    const [ledger, restarted] = await backend.ledgers();
    let sends = 0;
    const first = await ledger.sendOnce(entry('case-1/a'), async () => void sends++);
    const again = await ledger.sendOnce(entry('case-1/a', 'someone-else@example.cn'), async () => void sends++);
    expect(sends).toBe(1);
    expect(first.sent).toBe(true);
    expect(again).toEqual({ entry: first.entry, sent: false });
    expect(await restarted.find('case-1/a')).toEqual(first.entry);
    expect(await restarted.find('case-1/b')).toBeUndefined();
  });

  it('records nothing when the send fails, so the next attempt sends', async () => {
    const [ledger] = await backend.ledgers();
    await expect(
      ledger.sendOnce(entry('case-2/a'), async () => {
        throw new Error('relay unreachable');
      }),
    ).rejects.toThrow('relay unreachable');
    expect(await ledger.find('case-2/a')).toBeUndefined();
    let sends = 0;
    expect((await ledger.sendOnce(entry('case-2/a'), async () => void sends++)).sent).toBe(true);
    expect(sends).toBe(1);
  });

  it('of two concurrent sends of one key in one process, exactly one sends', async () => {
    const [ledger] = await backend.ledgers();
    let sends = 0;
    const slowSend = async () => {
      sends++;
      await pause(150);
    };
    const results = await Promise.all([
      ledger.sendOnce(entry('case-3/a'), slowSend),
      ledger.sendOnce(entry('case-3/a'), slowSend),
    ]);
    expect(sends).toBe(1);
    expect(results.map((r) => r.sent).sort()).toEqual([false, true]);
  });
});

/** How the password activities use the ledger: a secret is made and set only when none was delivered. */
async function issue(ledger: EmailLedger, key: string, issued: string[], name: string): Promise<string> {
  return ledger.exclusive(key, async () => {
    if (await ledger.find(key)) return 'delivered-earlier';
    issued.push(name); // the platform now holds this worker's password
    await pause(150);
    await ledger.sendOnce(entry(key), async () => {});
    return 'issued';
  });
}

describe.each(backends)('exclusive issuance in $name', (backend) => {
  it('two attempts at one secret: one makes and delivers it, the other finds it delivered', async () => {
    const [ledger] = await backend.ledgers();
    const issued: string[] = [];
    const results = await Promise.all([
      issue(ledger, 'case-4/password/0', issued, 'a'),
      issue(ledger, 'case-4/password/0', issued, 'b'),
    ]);
    expect(results.sort()).toEqual(['delivered-earlier', 'issued']);
    expect(issued).toHaveLength(1);
  });

  it('other keys do not wait, and a failed holder does not block the next', async () => {
    const [ledger] = await backend.ledgers();
    const started = Date.now();
    const slow = ledger.exclusive('case-5/password/0', () => pause(400));
    await ledger.exclusive('case-5/password/1', async () => {});
    expect(Date.now() - started).toBeLessThan(300);
    await slow;
    await expect(
      ledger.exclusive('case-5/password/2', async () => {
        throw new Error('platform down');
      }),
    ).rejects.toThrow('platform down');
    expect(await ledger.exclusive('case-5/password/2', async () => 'next')).toBe('next');
  });
});

describe('email ledger in postgres, two workers', () => {
  it('two workers issuing one password: one sets and sends it, the other finds it delivered', async () => {
    const issued: string[] = [];
    const [a, b] = [new PgEmailLedger(connect()), new PgEmailLedger(connect())];
    const results = await Promise.all([
      issue(a, 'case-race/password/0', issued, 'a'),
      issue(b, 'case-race/password/0', issued, 'b'),
    ]);
    expect(results.sort()).toEqual(['delivered-earlier', 'issued']);
    expect(issued).toHaveLength(1);
  });

  /** The email activity as a worker runs it, with its own pool and its own SMTP connection. */
  function worker(sent: string[], delayMs: number, fail = false) {
    const { sendEmail } = createEmailActivities({
      transport: {
        sendMail: async (message) => {
          await pause(delayMs);
          if (fail) throw new Error('connection reset');
          sent.push(String(message.messageId));
          return {} as never;
        },
      },
      ledger: new PgEmailLedger(connect()),
      from: 'onboarding@test.example',
      supportAddress: 'support@test.example',
      links: (id) => ({ api: `http://api/${id}`, temporalUi: `http://ui/${id}` }),
    });
    return (dedupKey: string) =>
      new MockActivityEnvironment().run(sendEmail, {
        dedupKey,
        to: 'ops@example.cn',
        template: 'verification-approved',
        caseId: 'case-race',
        data: { caseId: 'case-race', companyName: '示例公司' },
      } as Parameters<typeof sendEmail>[0]) as Promise<{ messageId: string; deduplicated: boolean }>;
  }

  it('race for the same key: exactly one sends, both answer with its Message-ID', async () => {
    const sent: string[] = [];
    const [a, b] = [worker(sent, 200), worker(sent, 200)];
    for (let round = 0; round < 5; round++) {
      const key = `case-race/email/approved/${round}`;
      const results = await Promise.all([a(key), b(key)]);
      expect(results.map((r) => r.deduplicated).sort()).toEqual([false, true]);
      expect(results[0]!.messageId).toBe(results[1]!.messageId);
    }
    expect(sent).toHaveLength(5);
    expect(new Set(sent).size).toBe(5);
  });

  it('a worker whose send fails leaves the key to the other, which sends', async () => {
    const sent: string[] = [];
    const failing = worker(sent, 150, true);
    const healthy = worker(sent, 10);
    const key = 'case-race/email/approved/failover';
    const [lost, won] = await Promise.allSettled([failing(key), pause(30).then(() => healthy(key))]);
    expect(lost.status).toBe('rejected');
    expect(won).toMatchObject({ status: 'fulfilled', value: { deduplicated: false } });
    expect(sent).toHaveLength(1);
  });

  it('a sender stuck on a hung relay: the other gives up after the lock timeout without sending, and sends once it is gone', async () => {
    const stuck = new PgEmailLedger(connect(), { abandonAfterMs: 1_500 });
    const waiting = new PgEmailLedger(connect(), { lockTimeoutMs: 300 });
    const key = 'case-race/email/approved/hung';
    let sends = 0;
    // The stuck sender neither finishes nor talks to the database: the server ends its session.
    const hung = stuck.sendOnce(entry(key), () => new Promise<void>((resolve) => setTimeout(resolve, 3_000)));
    await pause(100);
    await expect(waiting.sendOnce(entry(key), async () => void sends++)).rejects.toThrow(/lock/);
    await expect(hung).rejects.toThrow();
    expect(sends).toBe(0);
    expect((await waiting.sendOnce(entry(key), async () => void sends++)).sent).toBe(true);
    expect(sends).toBe(1);
  });

  it('a worker that dies mid-send (its connection gone) leaves the key unsent', async () => {
    const db = connect();
    const ledger = new PgEmailLedger(db);
    const key = 'case-race/email/approved/crash';
    let killed = false;
    await expect(
      ledger.sendOnce(entry(key), async () => {
        // The process dies: its server session ends, and with it the open transaction.
        const { rows } = await db.pool.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state = 'idle in transaction'`,
          [database.current().name],
        );
        const killer = new pg.Client({ connectionString: database.current().url });
        await killer.connect();
        for (const { pid } of rows) await killer.query('SELECT pg_terminate_backend($1)', [pid]);
        await killer.end();
        killed = rows.length > 0;
        throw new Error('process gone');
      }),
    ).rejects.toThrow();
    expect(killed).toBe(true);
    expect(await new PgEmailLedger(connect()).find(key)).toBeUndefined();
  });
});

describe('schema and choice of store', () => {
  it('processes starting together apply the schema once and agree on it', async () => {
    const starts = Array.from({ length: 4 }, () => connect());
    await Promise.all(starts.map((db) => db.ready()));
    const { rows } = await starts[0]!.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(rows.map((r) => r.table_name)).toEqual([
      'console_sessions',
      'documents',
      'email_ledger',
      'webhook_attempts',
      'webhook_endpoints',
      'webhook_events',
    ]);
    const storage = await starts[0]!.pool.query<{ attstorage: string }>(
      `SELECT attstorage FROM pg_attribute WHERE attrelid = 'documents'::regclass AND attname = 'content'`,
    );
    // 'e': EXTERNAL, out of line and uncompressed.
    expect(storage.rows[0]!.attstorage).toBe('e');
    expect(SCHEMA.length).toBeGreaterThan(0);
  });

  it('a database that cannot be prepared stops the process at start, named without its password', async () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://postgres:s3cret-pw@127.0.0.1:5432/onboarding_test_absent',
      DATA_DIR: await tempDir(),
    });
    const failure = await prepareStorage(config).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(failure?.message).toMatch(/^DATABASE_URL \(127\.0\.0\.1:5432\/onboarding_test_absent\): /);
    expect(failure?.message).not.toContain('s3cret-pw');
    await closeStorage();
  });

  it('picks PostgreSQL with DATABASE_URL, the files without', async () => {
    const withDb = loadConfig({ DATABASE_URL: database.current().url, DATA_DIR: await tempDir() });
    const without = loadConfig({ DATA_DIR: await tempDir() });
    expect(createDocumentStore(withDb)).toBeInstanceOf(PgDocumentStore);
    expect(createEmailLedger(withDb)).toBeInstanceOf(PgEmailLedger);
    expect(createDocumentStore(without)).toBeInstanceOf(FileDocumentStore);
    expect(createEmailLedger(without)).toBeInstanceOf(FileEmailLedger);
    expect(createWebhookStore(withDb)).toBeInstanceOf(PgWebhookStore);
    expect(createWebhookStore(without)).toBeInstanceOf(FileWebhookStore);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://db/x' })).toThrow(/DATABASE_URL/);
    await closeStorage();
  });
});
