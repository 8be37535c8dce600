/**
 * Bearer tokens mapped to roles and tenants. Only SHA-256 hashes of tokens are held; production
 * reads them from API_TOKENS_FILE, development makes demo tokens and prints them at start.
 */
import { createHash } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { ConfigError, type Config } from '../config';
import { roleSchema, type Actor, type Role } from '../domain/onboarding';
import { enterpriseIdSchema } from '../domain/common';
import { HttpProblem, parseOr400 } from './problem';
import type { Principal } from '../domain/principal';

export type { Principal } from '../domain/principal';

const tokenEntrySchema = z
  .strictObject({
    name: z.string().min(1),
    role: roleSchema,
    enterpriseId: z.string().min(1).optional(),
    tokenSha256: z.string().regex(/^[0-9a-f]{64}$/, 'hex SHA-256 of the token'),
  })
  .refine((t) => (t.role === 'enterprise') === (t.enterpriseId !== undefined), {
    message: 'enterprise tokens carry an enterpriseId, and only they do',
  });

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

type TokenEntry = { principal: Principal; tokenSha256: string };

export class TokenRegistry {
  private byHash = new Map<string, Principal>();

  constructor(entries: TokenEntry[]) {
    this.replace(entries);
  }

  resolve(token: string): Principal | undefined {
    return this.byHash.get(sha256Hex(token));
  }

  /** The principal of a token known only by its hash (a console session's), while it is still valid. */
  resolveSha256(tokenSha256: string): Principal | undefined {
    return this.byHash.get(tokenSha256);
  }

  get size(): number {
    return this.byHash.size;
  }

  /** Swaps every principal at once: a request sees the old set or the new one. */
  protected replace(entries: TokenEntry[]): void {
    this.byHash = new Map(entries.map((e) => [e.tokenSha256, e.principal]));
  }

  static fromFile(file: string, options: { production?: boolean } = {}): TokenRegistry {
    return new TokenRegistry(readTokensFile(file, options));
  }
}

/**
 * Parses a tokens file. Production refuses entries whose hash is a demo token's (named in the
 * error, as the configuration check names default secrets). Errors never quote the file.
 */
export function readTokensFile(file: string, options: { production?: boolean } = {}): TokenEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const reason =
      err instanceof SyntaxError
        ? 'not valid JSON'
        : `cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
    throw new ConfigError([{ path: 'API_TOKENS_FILE', message: `${file}: ${reason}` }]);
  }
  const parsed = z.array(tokenEntrySchema).min(1, 'at least one token').safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ path: ['API_TOKENS_FILE', ...i.path].join('.'), message: i.message })),
    );
  }
  if (options.production) {
    const demoHashes = new Map(DEMO_TOKENS.map((d) => [sha256Hex(d.token), d.token]));
    const demo = parsed.data.flatMap((e, i) => {
      const token = demoHashes.get(e.tokenSha256);
      return token
        ? [{ path: `API_TOKENS_FILE.${i}`, message: `"${e.name}" has the hash of the demo token ${token}` }]
        : [];
    });
    if (demo.length) throw new ConfigError(demo);
  }
  return parsed.data.map((e) => ({
    principal: { name: e.name, role: e.role, enterpriseId: e.enterpriseId },
    tokenSha256: e.tokenSha256,
  }));
}

/**
 * A registry read from a file and read again when the file changes (polled, so an editor's
 * rename-and-replace is seen too) or on `reload()` (SIGHUP): revoking a token needs no restart.
 * A file that fails to parse leaves the previous principals in place, and says why.
 */
export class FileTokenRegistry extends TokenRegistry {
  private watching = false;

  constructor(
    readonly file: string,
    private readonly options: { production?: boolean; log?: (line: string) => void; pollMs?: number } = {},
  ) {
    // The first read throws: a process does not start on a bad file.
    super(readTokensFile(file, options));
    this.log(`API tokens: loaded ${this.size} principals from ${file}`);
  }

  /** Reads the file again; false (and the old principals kept) when it is not usable. */
  reload(): boolean {
    try {
      this.replace(readTokensFile(this.file, this.options));
    } catch (err) {
      const reason =
        err instanceof ConfigError ? err.issues.map((i) => `${i.path}: ${i.message}`).join('; ') : String(err);
      this.log(`API tokens: ${this.file} not reloaded, keeping ${this.size} principals: ${reason}`);
      return false;
    }
    this.log(`API tokens: reloaded ${this.size} principals from ${this.file}`);
    return true;
  }

  watch(): this {
    if (!this.watching) {
      this.watching = true;
      watchFile(this.file, { interval: this.options.pollMs ?? 1_000, persistent: false }, (current, previous) => {
        if (current.mtimeMs !== previous.mtimeMs || current.ino !== previous.ino || current.size !== previous.size)
          this.reload();
      });
    }
    return this;
  }

  close(): void {
    if (this.watching) unwatchFile(this.file);
    this.watching = false;
  }

  private log(line: string): void {
    (this.options.log ?? console.log)(line);
  }
}

/** Demo tokens of the development profile: fixed, so the README's curl walkthrough works as written. */
export const DEMO_TOKENS: { token: string; principal: Principal }[] = [
  { token: 'demo-support', principal: { name: 'demo support agent', role: 'support' } },
  { token: 'demo-admin', principal: { name: 'demo admin', role: 'admin' } },
  { token: 'demo-ent-1', principal: { name: 'demo enterprise 1', role: 'enterprise', enterpriseId: 'ent-demo-1' } },
  { token: 'demo-ent-2', principal: { name: 'demo enterprise 2', role: 'enterprise', enterpriseId: 'ent-demo-2' } },
];

export function loadTokens(config: Config, log?: (line: string) => void): { registry: TokenRegistry; demo: boolean } {
  if (config.api.tokensFile) {
    const registry = new FileTokenRegistry(config.api.tokensFile, {
      production: config.profile === 'production',
      log,
    }).watch();
    return { registry, demo: false };
  }
  if (config.profile === 'production') throw new Error('API_TOKENS_FILE is required in production');
  return {
    registry: new TokenRegistry(DEMO_TOKENS.map((d) => ({ principal: d.principal, tokenSha256: sha256Hex(d.token) }))),
    demo: true,
  };
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function authenticate(registry: TokenRegistry): RequestHandler {
  return (req, _res, next) => {
    // Signed in by the console's session cookie (api/console.ts), which checked its CSRF token.
    if (req.principal && req.get('authorization') === undefined) return next();
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = match ? registry.resolve(match[1]!) : undefined;
    if (!principal) return next(new HttpProblem(401, 'Unauthorized', 'a valid bearer token is required'));
    req.principal = principal;
    next();
  };
}

export function requireRole(principal: Principal | undefined, roles: readonly Role[]): Principal {
  if (!principal) throw new HttpProblem(401, 'Unauthorized', 'a valid bearer token is required');
  if (principal.role !== 'admin' && !roles.includes(principal.role)) {
    throw new HttpProblem(403, 'Forbidden', `this needs the role ${roles.join(' or ')}`);
  }
  return principal;
}

/**
 * The enterprise a route's path names, once the caller may see it: owner, support or admin. Another
 * tenant's enterprise is as good as absent (404), as its cases are.
 */
export function enterpriseInPath(req: Request): { principal: Principal; enterpriseId: string } {
  const principal = requireRole(req.principal, ['enterprise', 'support']);
  const enterpriseId = parseOr400(enterpriseIdSchema, req.params.enterpriseId, 'enterpriseId');
  if (principal.role === 'enterprise' && principal.enterpriseId !== enterpriseId)
    throw new HttpProblem(404, 'Not found', `no enterprise ${enterpriseId}`);
  return { principal, enterpriseId };
}

export function actorOf(p: Principal): Actor {
  return { role: p.role, name: p.name, ...(p.enterpriseId ? { enterpriseId: p.enterpriseId } : {}) };
}
