/**
 * The web console's server side: its static assets under /console/, sign-in with an API token
 * into a server-held session (HttpOnly, SameSite=Strict cookie), a CSRF token required on every
 * state-changing request made with that cookie, sign-out, and the few reads the console needs
 * beyond the public API (the support queue, the documents' bytes, form metadata). The API keeps
 * accepting bearer tokens; a bearer header always wins over a cookie.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Express, type Request, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { DocumentStore } from '../storage/documents';
import { requireRole, type Principal, type TokenRegistry } from './auth';
import { CaseService } from './cases';
import { mountConsolePages } from './console-pages';
import { mountConsoleReads } from './console-reads';
import { createSessionStore } from '../storage';
import { SESSION_MAX_MS, type SessionStore } from '../storage/sessions';
import { HttpProblem, parseOr400 } from './problem';

/**
 * The session cookie: `__Host-` (this host only, path /, never a Domain) and `Secure`, always,
 * but for one named exception below.
 */
export const SESSION_COOKIE = '__Host-console_session';
/**
 * The development exception: outside production, when the console is served over plain http on
 * localhost (`npm start`, the tests), the cookie is `console_session` without `Secure`, which
 * browsers would not send over http. Production requires an https API_PUBLIC_URL (config/).
 */
export const DEVELOPMENT_LOCALHOST_COOKIE = 'console_session';

/** The cookie's name and whether it is Secure, for this deployment. */
export function sessionCookie(config: Pick<Config, 'profile' | 'api'>): { name: string; secure: boolean } {
  const url = new URL(config.api.publicUrl);
  const localhost = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || /^127\./.test(url.hostname);
  return config.profile !== 'production' && url.protocol === 'http:' && localhost
    ? { name: DEVELOPMENT_LOCALHOST_COOKIE, secure: false }
    : { name: SESSION_COOKIE, secure: true };
}
export const CSRF_HEADER = 'x-csrf-token';
function hash(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A request made by another site is refused before anything else: the browser says so in
 * `Sec-Fetch-Site`, and an `Origin` that is neither this host nor the public URL's is foreign.
 */
function crossSite(req: Request, publicUrl: string): boolean {
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const origin = req.get('origin');
  if (!origin) return false;
  if (origin === 'null') return true;
  try {
    const host = new URL(origin).host;
    return host !== req.get('host') && origin !== new URL(publicUrl).origin;
  } catch {
    return true;
  }
}

export interface ConsoleDeps {
  config: Config;
  client: Client;
  tokens: TokenRegistry;
  documents: DocumentStore;
  /** Default: PostgreSQL when DATABASE_URL is set, else this process's memory (storage/sessions.ts). */
  sessions?: SessionStore;
  now?: () => number;
}

/**
 * Mounts the console: call before `app.use('/v1', v1)`, so a cookie's session is known before the
 * API's bearer check. Adds `GET /v1/documents/{documentId}` to the API router.
 */
export interface MountedConsole {
  sessions: SessionStore;
  /** The principal of the request's console session, if it has a live one (no CSRF check: for reads only). */
  sessionPrincipal(req: Request): Promise<Principal | undefined>;
}

export function mountConsole(app: Express, v1: Router, deps: ConsoleDeps): MountedConsole {
  const { config, tokens, documents } = deps;
  const sessions = deps.sessions ?? createSessionStore(config, deps.now);
  /** The live session of this request's cookie whose token is still valid; a revoked token's session is ended. */
  const liveSession = async (req: Request) => {
    const id = cookieValue(req, cookieName);
    const session = id ? await sessions.get(id) : undefined;
    if (!id || !session) return undefined;
    if (!tokens.resolveSha256(session.tokenSha256)) {
      await sessions.delete(id);
      return undefined;
    }
    return { id, session };
  };
  const cases = new CaseService(deps.client, config);
  const { name: cookieName, secure } = sessionCookie(config);
  const cookie = (value: string, maxAgeSeconds: number) =>
    `${cookieName}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;

  /** Signs the request in by its session cookie (no bearer header), checking CSRF on writes. */
  const sessionAuth: RequestHandler = async (req, res, next) => {
    if (req.get('authorization') !== undefined) return next();
    if (!cookieValue(req, cookieName)) return next();
    // A revoked token ends its sessions at once.
    const live = await liveSession(req);
    const session = live?.session;
    if (!session) {
      res.append('Set-Cookie', cookie('', 0));
      return next(new HttpProblem(401, 'Unauthorized', 'the console session has ended; sign in again'));
    }
    if (!SAFE_METHODS.has(req.method)) {
      if (crossSite(req, config.api.publicUrl))
        return next(new HttpProblem(403, 'Forbidden', 'a cross-site request cannot use the console session'));
      const sent = req.get(CSRF_HEADER);
      if (!sent || !sameText(sent, session.csrfToken))
        return next(new HttpProblem(403, 'Forbidden', `a state-changing request needs the session's ${CSRF_HEADER}`));
    }
    req.principal = session.principal;
    next();
  };
  app.use('/v1', sessionAuth);

  mountDocumentBytes(v1, documents);

  const consoleApi = express.Router();
  consoleApi.use((req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  consoleApi.use(express.json({ limit: '16kb' }));

  consoleApi.post('/session', async (req, res) => {
    // A login form posted from another site would sign the victim into the attacker's account.
    if (crossSite(req, config.api.publicUrl))
      throw new HttpProblem(403, 'Forbidden', 'sign in from the console itself');
    if (!req.is('application/json'))
      throw new HttpProblem(415, 'Unsupported media type', 'send the body as application/json');
    const { token } = parseOr400(z.strictObject({ token: z.string().trim().min(1).max(500) }), req.body ?? {});
    const principal = tokens.resolve(token);
    if (!principal)
      throw new HttpProblem(401, 'Unauthorized', 'that API token is not known', {
        errors: [{ path: 'token', message: 'unknown API token' }],
      });
    const previous = cookieValue(req, cookieName);
    if (previous) await sessions.delete(previous);
    const { id, session } = await sessions.create(principal, hash(token));
    res.append('Set-Cookie', cookie(id, SESSION_MAX_MS / 1000));
    res.status(201).json({ principal, csrfToken: session.csrfToken });
  });

  consoleApi.get('/session', async (req, res) => {
    // Behind an OIDC proxy that injects a bearer token, the console needs no session of its own.
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (bearer) {
      const principal = tokens.resolve(bearer[1]!);
      if (!principal) throw new HttpProblem(401, 'Unauthorized', 'a valid bearer token is required');
      return res.json({ principal, csrfToken: null });
    }
    const session = (await liveSession(req))?.session;
    if (!session) throw new HttpProblem(401, 'Unauthorized', 'not signed in');
    res.json({ principal: session.principal, csrfToken: session.csrfToken });
  });

  /**
   * The load balancer's sign-in check for the Temporal UI it serves at /temporal/ (nginx
   * `auth_request`, deploy/nginx.conf): 204 for a live session of support or admin staff.
   */
  consoleApi.get('/session/staff', async (req, res) => {
    const session = (await liveSession(req))?.session;
    if (!session) throw new HttpProblem(401, 'Unauthorized', 'not signed in');
    requireRole(session.principal, ['support']);
    res.status(204).end();
  });

  consoleApi.delete('/session', async (req, res) => {
    const id = cookieValue(req, cookieName);
    const session = id ? await sessions.get(id) : undefined;
    if (id && session) {
      if (crossSite(req, config.api.publicUrl))
        throw new HttpProblem(403, 'Forbidden', 'a cross-site request cannot sign out');
      const sent = req.get(CSRF_HEADER);
      if (!sent || !sameText(sent, session.csrfToken))
        throw new HttpProblem(403, 'Forbidden', `signing out needs the session's ${CSRF_HEADER}`);
      await sessions.delete(id);
    }
    res.append('Set-Cookie', cookie('', 0));
    res.status(204).end();
  });

  mountConsoleReads(consoleApi, { config, client: deps.client, tokens, cases, sessionAuth, now: deps.now });
  app.use('/console/api', consoleApi);

  mountConsolePages(app);
  return {
    sessions,
    sessionPrincipal: async (req) => (await liveSession(req))?.session.principal,
  };
}

/** Adds `GET /v1/documents/{documentId}`: a document's bytes, for viewing inline. */
function mountDocumentBytes(v1: Router, documents: DocumentStore): void {
  // The bytes of an uploaded document, for viewing inline: owner, support and admin only.
  v1.get('/documents/:documentId', async (req, res) => {
    const principal = requireRole(req.principal, ['enterprise', 'support']);
    const documentId = parseOr400(z.string().max(64), req.params.documentId, 'documentId');
    const doc = await documents.get(documentId);
    // Another tenant's document is as good as absent.
    if (!doc || (principal.role === 'enterprise' && doc.enterpriseId !== principal.enterpriseId))
      throw new HttpProblem(404, 'Not found', `no document ${documentId}`);
    const bytes = await documents.content(doc.documentId);
    if (!bytes) throw new HttpProblem(404, 'Not found', `no document ${documentId}`);
    const ext = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' }[doc.contentType] ?? 'bin';
    res
      .status(200)
      .set({
        'Content-Type': doc.contentType,
        'Content-Disposition': `inline; filename="${doc.kind}.${ext}"`,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'private, no-store',
        'X-Document-Kind': doc.kind,
      })
      .send(bytes);
  });
}
