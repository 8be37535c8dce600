/**
 * Bearer tokens mapped to roles and tenants. Only SHA-256 hashes of tokens are held; production
 * reads them from API_TOKENS_FILE, development makes demo tokens and prints them at start.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { Config } from '../config';
import { roleSchema, type Actor, type Role } from '../domain/onboarding';
import { HttpProblem } from './problem';

export interface Principal {
  name: string;
  role: Role;
  enterpriseId?: string;
}

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

export class TokenRegistry {
  private readonly byHash = new Map<string, Principal>();

  constructor(entries: { principal: Principal; tokenSha256: string }[]) {
    for (const e of entries) this.byHash.set(e.tokenSha256, e.principal);
  }

  resolve(token: string): Principal | undefined {
    return this.byHash.get(sha256Hex(token));
  }

  static fromFile(file: string): TokenRegistry {
    const entries = z.array(tokenEntrySchema).min(1).parse(JSON.parse(readFileSync(file, 'utf8')));
    return new TokenRegistry(
      entries.map((e) => ({ principal: { name: e.name, role: e.role, enterpriseId: e.enterpriseId }, tokenSha256: e.tokenSha256 })),
    );
  }
}

/** Demo tokens of the development profile: fixed, so the README's curl walkthrough works as written. */
export const DEMO_TOKENS: { token: string; principal: Principal }[] = [
  { token: 'demo-support', principal: { name: 'demo support agent', role: 'support' } },
  { token: 'demo-admin', principal: { name: 'demo admin', role: 'admin' } },
  { token: 'demo-ent-1', principal: { name: 'demo enterprise 1', role: 'enterprise', enterpriseId: 'ent-demo-1' } },
  { token: 'demo-ent-2', principal: { name: 'demo enterprise 2', role: 'enterprise', enterpriseId: 'ent-demo-2' } },
];

export function loadTokens(config: Config): { registry: TokenRegistry; demo: boolean } {
  if (config.api.tokensFile) return { registry: TokenRegistry.fromFile(config.api.tokensFile), demo: false };
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

export function actorOf(p: Principal): Actor {
  return { role: p.role, name: p.name, ...(p.enterpriseId ? { enterpriseId: p.enterpriseId } : {}) };
}
