/**
 * The console's sessions: in PostgreSQL when `DATABASE_URL` is set, so every API process knows
 * every session and a restart keeps them (no sticky sessions); in this process's memory otherwise
 * (the embedded default, one API). Both keep them by the hash of the cookie's value, never the
 * value, and apply the same rules: a session ends after SESSION_IDLE_MS without a request, and in
 * any case SESSION_MAX_MS after sign-in. Revocation (the token gone) is checked by the caller.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '../domain/principal';
import type { PgDatabase } from './postgres';

export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
export const SESSION_MAX_MS = 12 * 60 * 60 * 1000;

export interface Session {
  principal: Principal;
  /** The token's hash: the session lives only as long as the token does (revocation ends it). */
  tokenSha256: string;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionStore {
  /** A new session; `id` goes into the cookie and is kept only as its hash. */
  create(principal: Principal, tokenSha256: string): Promise<{ id: string; session: Session }>;
  /** The live session of this cookie value (its last-seen time moved to now), or undefined once it has expired. */
  get(id: string): Promise<Session | undefined>;
  delete(id: string): Promise<void>;
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function newSession(principal: Principal, tokenSha256: string, at: number): { id: string; session: Session } {
  return {
    id: randomBytes(32).toString('base64url'),
    session: {
      principal,
      tokenSha256,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: at,
      lastSeenAt: at,
    },
  };
}

const expired = (s: Pick<Session, 'createdAt' | 'lastSeenAt'>, at: number) =>
  at - s.lastSeenAt > SESSION_IDLE_MS || at - s.createdAt > SESSION_MAX_MS;

/** Sessions held in this process (one API process, `npm start`). */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  async create(principal: Principal, tokenSha256: string): Promise<{ id: string; session: Session }> {
    const at = this.now();
    for (const [key, s] of this.sessions) if (expired(s, at)) this.sessions.delete(key);
    const created = newSession(principal, tokenSha256, at);
    this.sessions.set(hash(created.id), created.session);
    return created;
  }

  async get(id: string): Promise<Session | undefined> {
    const key = hash(id);
    const session = this.sessions.get(key);
    if (!session) return undefined;
    const at = this.now();
    if (expired(session, at)) {
      this.sessions.delete(key);
      return undefined;
    }
    session.lastSeenAt = at;
    return session;
  }

  async delete(id: string): Promise<void> {
    this.sessions.delete(hash(id));
  }
}

interface Row {
  principal: Principal;
  token_sha256: string;
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
}

/** Sessions in the product's database, shared by every API process (table `console_sessions`). */
export class PgSessionStore implements SessionStore {
  constructor(
    private readonly db: PgDatabase,
    private readonly now: () => number = Date.now,
  ) {}

  async create(principal: Principal, tokenSha256: string): Promise<{ id: string; session: Session }> {
    await this.db.ready();
    const at = this.now();
    const created = newSession(principal, tokenSha256, at);
    await this.db.pool.query(
      `INSERT INTO console_sessions (id_sha256, principal, token_sha256, csrf_token, created_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $5)`,
      [hash(created.id), principal, tokenSha256, created.session.csrfToken, new Date(at)],
    );
    // Expired sessions go as new ones come, as in memory.
    await this.db.pool.query(`DELETE FROM console_sessions WHERE last_seen_at < $1 OR created_at < $2`, [
      new Date(at - SESSION_IDLE_MS),
      new Date(at - SESSION_MAX_MS),
    ]);
    return created;
  }

  async get(id: string): Promise<Session | undefined> {
    await this.db.ready();
    const at = this.now();
    // Touched only while live: the same rule as in memory, in one statement.
    const { rows } = await this.db.pool.query<Row>(
      `UPDATE console_sessions SET last_seen_at = GREATEST(last_seen_at, $2)
       WHERE id_sha256 = $1 AND last_seen_at >= $3 AND created_at >= $4
       RETURNING principal, token_sha256, csrf_token, created_at, last_seen_at`,
      [hash(id), new Date(at), new Date(at - SESSION_IDLE_MS), new Date(at - SESSION_MAX_MS)],
    );
    const row = rows[0];
    if (!row) {
      await this.db.pool.query(`DELETE FROM console_sessions WHERE id_sha256 = $1`, [hash(id)]);
      return undefined;
    }
    return {
      principal: row.principal,
      tokenSha256: row.token_sha256,
      csrfToken: row.csrf_token,
      createdAt: row.created_at.getTime(),
      lastSeenAt: row.last_seen_at.getTime(),
    };
  }

  async delete(id: string): Promise<void> {
    await this.db.ready();
    await this.db.pool.query(`DELETE FROM console_sessions WHERE id_sha256 = $1`, [hash(id)]);
  }
}
