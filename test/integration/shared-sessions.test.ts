/**
 * Console sessions shared by API processes through PostgreSQL (`DATABASE_URL`): two real API
 * processes (`api/main.ts`, as the cluster and compose run them) on one database, no sticky
 * sessions. Signed in through API 1, the console acts through API 2 with the same cookie and CSRF
 * token; both restarted, the session holds; signed out through one, it is gone from both.
 * The APIs listen on this file's loopback /24.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../api/auth';
import { legalRepApplication } from '../support/fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';
import { loopbackNet } from '../support/net';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

const HOST = `${loopbackNet(93)}.1`;
const ROOT = path.join(__dirname, '..', '..');

class ApiProcess {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://${HOST}:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, API_HOST: HOST, API_PORT: String(this.port), METRICS_HOST: HOST },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    await eventually(
      () => {
        if (child.exitCode !== null) throw new Error(`API ${this.port} exited: ${output}`);
        return output.includes('API listening');
      },
      30_000,
      `API ${this.port}`,
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    child.kill('SIGKILL');
  }
}

let db: TestDatabase;
let h: Harness;
let dir: string;
let api1: ApiProcess;
let api2: ApiProcess;
beforeAll(async () => {
  db = await createTestDatabase();
  h = await startHarness({ DATABASE_URL: db.url });
  dir = await mkdtemp(path.join(os.tmpdir(), 'shared-sessions-'));
  const tokensFile = path.join(dir, 'tokens.json');
  await writeFile(
    tokensFile,
    JSON.stringify([
      {
        name: 'enterprise A',
        role: 'enterprise',
        enterpriseId: h.enterprises.a,
        tokenSha256: sha256Hex(h.tokens.entA),
      },
      { name: 'support', role: 'support', tokenSha256: sha256Hex(h.tokens.support) },
    ]),
  );
  // Both behind one address in production (the load balancer); here each is reached directly.
  const env = { ...h.env, API_TOKENS_FILE: tokensFile, API_PUBLIC_URL: `http://${HOST}:3000` };
  api1 = new ApiProcess(3000, env);
  api2 = new ApiProcess(3001, env);
  await Promise.all([api1.start(), api2.start()]);
}, 90_000);
afterAll(async () => {
  await api1?.stop();
  await api2?.stop();
  await h?.stop();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function call(
  api: ApiProcess,
  method: string,
  url: string,
  options: { cookie?: string; csrf?: string; body?: unknown } = {},
): Promise<{ status: number; body: any; setCookie: string | null }> {
  const res = await fetch(`${api.url}${url}`, {
    method,
    headers: {
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.csrf ? { 'x-csrf-token': options.csrf } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, setCookie: res.headers.get('set-cookie') };
}

describe('console sessions across API processes', () => {
  it('signs in through API 1, acts through API 2, and survives a restart of both', async () => {
    const signedIn = await call(api1, 'POST', '/console/api/session', { body: { token: h.tokens.entA } });
    expect(signedIn.status).toBe(201);
    const cookie = signedIn.setCookie!.split(';')[0]!;
    expect(cookie).toMatch(/^console_session=/);
    const csrf = signedIn.body.csrfToken as string;

    // API 2 never saw the sign-in: it knows the session from the database.
    const seen = await call(api2, 'GET', '/console/api/session', { cookie });
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual({
      principal: expect.objectContaining({ enterpriseId: h.enterprises.a }),
      csrfToken: csrf,
    });
    // The same rules on either process: a write needs the session's CSRF token.
    const body = await legalRepApplication(h, h.enterprises.a, h.tokens.entA);
    expect((await call(api2, 'POST', '/v1/onboardings', { cookie, body })).status).toBe(403);
    const started = await call(api2, 'POST', '/v1/onboardings', { cookie, csrf, body });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const id = started.body.id as string;

    await Promise.all([api1.stop(), api2.stop()]);
    await Promise.all([api1.start(), api2.start()]);
    for (const api of [api1, api2]) {
      const again = await call(api, 'GET', '/console/api/session', { cookie });
      expect(again.status, api.url).toBe(200);
      expect(again.body.csrfToken).toBe(csrf);
      expect((await call(api, 'GET', `/v1/onboardings/${id}`, { cookie })).status, api.url).toBe(200);
    }

    // Signed out through API 2: gone on API 1 too.
    expect((await call(api2, 'DELETE', '/console/api/session', { cookie, csrf })).status).toBe(204);
    const after = await call(api1, 'GET', `/v1/onboardings/${id}`, { cookie });
    expect(after.status).toBe(401);
  }, 120_000);
});
