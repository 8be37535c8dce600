/**
 * SIP messages as text: building requests, parsing what comes back, framing a TCP stream.
 * Just what a probing user agent needs (RFC 3261 syntax, compact header names), no dialogs.
 */
import { randomBytes } from 'node:crypto';

export type Transport = 'udp' | 'tcp';

export interface SipRequest {
  kind: 'request';
  method: string;
  uri: string;
  headers: [name: string, value: string][];
  body: string;
}

export interface SipResponse {
  kind: 'response';
  status: number;
  reason: string;
  headers: [name: string, value: string][];
  body: string;
}

export type SipMessage = SipRequest | SipResponse;

const COMPACT: Record<string, string> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
  o: 'event',
  r: 'refer-to',
  u: 'allow-events',
};

function canonical(name: string): string {
  const lower = name.trim().toLowerCase();
  return COMPACT[lower] ?? lower;
}

/** Cryptographically random hex: branches, tags and Call-IDs must not repeat or be guessable. */
export function randomToken(bytes = 8): string {
  return randomBytes(bytes).toString('hex');
}

/** A Via branch with the RFC 3261 magic cookie. */
export function newBranch(): string {
  return `z9hG4bK${randomToken(10)}`;
}

/** `host:port`, with IPv6 literals bracketed. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function serialize(message: SipMessage): string {
  const start =
    message.kind === 'request'
      ? `${message.method} ${message.uri} SIP/2.0`
      : `SIP/2.0 ${message.status} ${message.reason}`;
  const body = message.body ?? '';
  const headers = message.headers.filter(([n]) => canonical(n) !== 'content-length');
  const lines = [start, ...headers.map(([n, v]) => `${n}: ${v}`), `Content-Length: ${Buffer.byteLength(body)}`];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** The request or status line of a serialized message. */
export function firstLine(text: string): string {
  const end = text.indexOf('\r\n');
  return end < 0 ? text : text.slice(0, end);
}

export class SipParseError extends Error {
  override name = 'SipParseError';
}

export function parseMessage(text: string): SipMessage {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 4);
  // Header folding (continuation lines) is obsolete but legal.
  const lines = head.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
  const start = lines.shift() ?? '';
  const headers: [string, string][] = [];
  for (const line of lines) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`bad header line: ${line}`);
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const status = /^SIP\/2\.0 (\d{3})(?: (.*))?$/.exec(start);
  if (status) return { kind: 'response', status: Number(status[1]), reason: status[2] ?? '', headers, body };
  const request = /^([A-Za-z]+) (\S+) SIP\/2\.0$/.exec(start);
  if (request) return { kind: 'request', method: request[1]!.toUpperCase(), uri: request[2]!, headers, body };
  throw new SipParseError(`not a SIP start line: ${start.slice(0, 80)}`);
}

/** Every value of a header, comma-separated values split (outside quotes and <>). */
export function headerValues(message: Pick<SipMessage, 'headers'>, name: string): string[] {
  const wanted = canonical(name);
  const single =
    wanted === 'www-authenticate' ||
    wanted === 'proxy-authenticate' ||
    wanted === 'authorization' ||
    wanted === 'proxy-authorization';
  const values: string[] = [];
  for (const [n, v] of message.headers) {
    if (canonical(n) !== wanted) continue;
    if (single) values.push(v);
    else values.push(...splitList(v));
  }
  return values;
}

/** The first value of a header. */
export function header(message: Pick<SipMessage, 'headers'>, name: string): string | undefined {
  return headerValues(message, name)[0];
}

export function splitList(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quoted) {
      if (ch === '\\') {
        current += ch + (value[i + 1] ?? '');
        i++;
        continue;
      }
      if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '<') depth++;
    else if (ch === '>') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      if (current.trim()) parts.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

export interface NameAddr {
  display?: string;
  uri: string;
  params: Record<string, string>;
}

/** `"Name" <sip:u@h>;tag=x` or `sip:u@h;tag=x` (parameters after a bare URI belong to the header). */
export function parseNameAddr(value: string): NameAddr {
  const trimmed = value.trim();
  const open = trimmed.indexOf('<');
  let uri: string;
  let rest: string;
  let display: string | undefined;
  if (open >= 0) {
    const close = trimmed.indexOf('>', open);
    if (close < 0) throw new SipParseError(`unterminated <> in ${value}`);
    uri = trimmed.slice(open + 1, close);
    rest = trimmed.slice(close + 1);
    display =
      trimmed
        .slice(0, open)
        .trim()
        .replace(/^"(.*)"$/, '$1') || undefined;
  } else {
    const semi = trimmed.indexOf(';');
    uri = semi < 0 ? trimmed : trimmed.slice(0, semi);
    rest = semi < 0 ? '' : trimmed.slice(semi);
  }
  return { display, uri, params: parseParams(rest) };
}

function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const part of text.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) params[p.toLowerCase()] = '';
    else
      params[p.slice(0, eq).trim().toLowerCase()] = p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
  }
  return params;
}

export interface SipUri {
  scheme: 'sip' | 'sips';
  user?: string;
  host: string;
  port?: number;
  params: Record<string, string>;
}

export function parseUri(uri: string): SipUri {
  const match = /^(sips?):(?:([^@;?]+)@)?(\[[^\]]+\]|[^:;?>]+)(?::(\d+))?((?:;[^?]*)?)(?:\?.*)?$/i.exec(uri.trim());
  if (!match) throw new SipParseError(`not a SIP URI: ${uri}`);
  const user = match[2]?.split(':')[0];
  return {
    scheme: match[1]!.toLowerCase() as 'sip' | 'sips',
    user: user ? decodeURIComponent(user) : undefined,
    host: match[3]!.replace(/^\[(.*)\]$/, '$1'),
    port: match[4] ? Number(match[4]) : undefined,
    params: parseParams(match[5] ?? ''),
  };
}

/** Where a request to `uri` goes: its host and port (5060 by default), and transport if it says. */
export function uriTarget(uri: string): { host: string; port: number; transport?: Transport } {
  const parsed = parseUri(uri);
  const t = parsed.params.transport?.toLowerCase();
  return { host: parsed.host, port: parsed.port ?? 5060, transport: t === 'udp' || t === 'tcp' ? t : undefined };
}

export interface Via {
  transport: string;
  host: string;
  port?: number;
  params: Record<string, string>;
}

export function parseVia(value: string): Via {
  const match = /^SIP\s*\/\s*2\.0\s*\/\s*(\w+)\s+(\[[^\]]+\]|[^\s:;]+)(?::(\d+))?\s*(.*)$/i.exec(value.trim());
  if (!match) throw new SipParseError(`bad Via: ${value}`);
  return {
    transport: match[1]!.toUpperCase(),
    host: match[2]!.replace(/^\[(.*)\]$/, '$1'),
    port: match[3] ? Number(match[3]) : undefined,
    params: parseParams(match[4] ?? ''),
  };
}

/** CSeq number and method. */
export function parseCSeq(value: string | undefined): { seq: number; method: string } | undefined {
  const match = value ? /^(\d+)\s+([A-Za-z]+)$/.exec(value.trim()) : null;
  return match ? { seq: Number(match[1]), method: match[2]!.toUpperCase() } : undefined;
}

/** The transaction a response belongs to: top Via branch and CSeq method. */
export function transactionKey(message: SipMessage): string | undefined {
  const via = header(message, 'via');
  const cseq = parseCSeq(header(message, 'cseq'));
  if (!via || !cseq) return undefined;
  const branch = parseVia(via).params.branch;
  // ACK to a non-2xx shares the INVITE's transaction.
  return branch ? `${branch}/${cseq.method === 'ACK' ? 'INVITE' : cseq.method}` : undefined;
}

/**
 * Splits a TCP byte stream into SIP messages (Content-Length framing). Keep-alive CRLFs between
 * messages are skipped.
 */
export class StreamFramer {
  private buffer = Buffer.alloc(0);

  push(chunk: Buffer): string[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const out: string[] = [];
    for (;;) {
      let start = 0;
      while (start + 1 < this.buffer.length && this.buffer[start] === 0x0d && this.buffer[start + 1] === 0x0a)
        start += 2;
      if (start > 0) this.buffer = this.buffer.subarray(start);
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.buffer.length > 65_535) throw new SipParseError('header section too large');
        return out;
      }
      const head = this.buffer.subarray(0, end).toString('utf8');
      const lengthHeader = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)/im.exec(head);
      // On a stream a message without Content-Length is a protocol error; treat it as empty-bodied.
      const length = lengthHeader ? Number(lengthHeader[1]) : 0;
      const total = end + 4 + length;
      if (this.buffer.length < total) return out;
      out.push(this.buffer.subarray(0, total).toString('utf8'));
      this.buffer = this.buffer.subarray(total);
    }
  }
}
