/**
 * HTTP digest as SIP uses it (RFC 2617 with MD5, qop=auth): the SBC stores HA1 digests of
 * account passwords, and a probing call answers a 401/407 challenge.
 */
import { createHash, randomBytes } from 'node:crypto';
import { splitList } from './message';

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** HA1 = MD5(username:realm:password), what Kamailio's `subscriber.ha1` holds. */
export function ha1(username: string, realm: string, password: string): string {
  return md5(`${username}:${realm}:${password}`);
}

/** HA1 for clients that send `user@domain` as the username (`subscriber.ha1b`). */
export function ha1b(username: string, domain: string, realm: string, password: string): string {
  return md5(`${username}@${domain}:${realm}:${password}`);
}

export interface Challenge {
  scheme: string;
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm?: string;
  qop?: string[];
  stale?: boolean;
}

/** Parses a WWW-Authenticate or Proxy-Authenticate value. */
export function parseChallenge(value: string): Challenge {
  const space = value.indexOf(' ');
  const scheme = (space < 0 ? value : value.slice(0, space)).trim();
  const params: Record<string, string> = {};
  for (const part of splitList(space < 0 ? '' : value.slice(space + 1))) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    params[part.slice(0, eq).trim().toLowerCase()] = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/s, '$1');
  }
  if (scheme.toLowerCase() !== 'digest') throw new Error(`unsupported authentication scheme ${scheme}`);
  if (params.realm === undefined || params.nonce === undefined)
    throw new Error('digest challenge without realm or nonce');
  return {
    scheme,
    realm: params.realm,
    nonce: params.nonce,
    opaque: params.opaque,
    algorithm: params.algorithm,
    qop: params.qop
      ?.split(',')
      .map((q) => q.trim().toLowerCase())
      .filter(Boolean),
    stale: params.stale?.toLowerCase() === 'true',
  };
}

export interface DigestInput {
  method: string;
  uri: string;
  username: string;
  /** The password, or its HA1 when only that is known. */
  password?: string;
  ha1?: string;
  challenge: Challenge;
  /** Fixed in tests; random otherwise. */
  cnonce?: string;
  nc?: number;
}

/** The Authorization / Proxy-Authorization value answering `challenge`. */
export function digestAuthorization(input: DigestInput): string {
  const { challenge } = input;
  if (challenge.algorithm && challenge.algorithm.toUpperCase() !== 'MD5')
    throw new Error(`unsupported digest algorithm ${challenge.algorithm}`);
  const key =
    input.ha1 ?? (input.password !== undefined ? ha1(input.username, challenge.realm, input.password) : undefined);
  if (!key) throw new Error('digest needs a password or its HA1');
  const ha2 = md5(`${input.method}:${input.uri}`);
  const useQop = challenge.qop?.includes('auth');
  const nc = (input.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = input.cnonce ?? randomBytes(8).toString('hex');
  const response = useQop
    ? md5(`${key}:${challenge.nonce}:${nc}:${cnonce}:auth:${ha2}`)
    : md5(`${key}:${challenge.nonce}:${ha2}`);
  const parts = [
    `username="${input.username}"`,
    `realm="${challenge.realm}"`,
    `nonce="${challenge.nonce}"`,
    `uri="${input.uri}"`,
    `response="${response}"`,
    'algorithm=MD5',
  ];
  if (challenge.opaque !== undefined) parts.push(`opaque="${challenge.opaque}"`);
  if (useQop) parts.push('qop=auth', `nc=${nc}`, `cnonce="${cnonce}"`);
  return `Digest ${parts.join(', ')}`;
}
