import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgDatabase } from '../../storage/postgres';
import { MemorySessionStore, PgSessionStore, type SessionStore } from '../../storage/sessions';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

const principal = { name: 'agent', role: 'support' as const };

let database: TestDatabase;
let db: PgDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  db = new PgDatabase(database.url);
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

// The same rules in memory (one API) and in PostgreSQL (every API process).
const stores: [string, (now: () => number) => SessionStore][] = [
  ['in memory', (now) => new MemorySessionStore(now)],
  ['in PostgreSQL', (now) => new PgSessionStore(db, now)],
];

describe.each(stores)('console sessions %s', (_where, make) => {
  it('end after two idle hours, and after twelve hours however busy', async () => {
    // A clock of its own per store, far from the other tests' sessions in the shared table.
    const base = Date.parse('2030-01-01T00:00:00Z') + Math.floor(Math.random() * 1e9);
    let now = base;
    const store = make(() => now);
    const idle = await store.create(principal, 'a'.repeat(64));
    const busy = await store.create(principal, 'b'.repeat(64));
    now = base + 2 * 60 * 60 * 1000 - 1;
    expect(await store.get(busy.id)).toBeDefined();
    now += 2;
    expect(await store.get(idle.id)).toBeUndefined();
    // Gone for good: going back in time does not bring it back.
    now = base;
    expect(await store.get(idle.id)).toBeUndefined();
    // A session used every hour still ends at twelve hours.
    for (let hour = 3; hour < 12; hour++) {
      now = base + hour * 60 * 60 * 1000;
      expect(await store.get(busy.id)).toBeDefined();
    }
    now = base + 12 * 60 * 60 * 1000 + 1;
    expect(await store.get(busy.id)).toBeUndefined();
  });

  it('keys sessions by a hash of the cookie value, with a fresh CSRF token each', async () => {
    const store = make(Date.now);
    const one = await store.create(principal, 'a'.repeat(64));
    const two = await store.create(principal, 'a'.repeat(64));
    expect(one.id).not.toBe(two.id);
    expect(one.session.csrfToken).not.toBe(two.session.csrfToken);
    expect(one.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await store.get(`${one.id}x`)).toBeUndefined();
    await store.delete(one.id);
    expect(await store.get(one.id)).toBeUndefined();
    const read = await store.get(two.id);
    expect(read?.principal).toEqual(principal);
    expect(read?.csrfToken).toBe(two.session.csrfToken);
    expect(read?.tokenSha256).toBe('a'.repeat(64));
  });
});

describe('sessions in PostgreSQL', () => {
  it('are shared by every store on the database, and never hold the cookie value', async () => {
    const first = new PgSessionStore(db);
    const otherProcess = new PgDatabase(database.url);
    const second = new PgSessionStore(otherProcess);
    const { id, session } = await first.create(principal, 'c'.repeat(64));
    expect((await second.get(id))?.csrfToken).toBe(session.csrfToken);
    const { rows } = await db.pool.query<{ id_sha256: string }>('SELECT id_sha256 FROM console_sessions');
    expect(rows.some((r) => r.id_sha256.includes(id))).toBe(false);
    await second.delete(id);
    expect(await first.get(id)).toBeUndefined();
    await otherProcess.close();
  });
});
