/**
 * Past one process: the API (this process) and the worker (`worker/main.ts`, its own process) share
 * documents and the email ledger through PostgreSQL, and both expose Prometheus metrics: the
 * API's per route and its count of cases waiting on support, the worker's the SDK's own. The
 * worker's metrics listen on this file's loopback /24.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verificationId } from '../../domain/ids';
import { legalRepApplication } from '../support/fixtures';
import { bearer, eventually, startHarness, type Harness } from '../support/harness';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { loopbackNet } from '../support/net';

const WORKER_METRICS = `${loopbackNet(82)}.1:19464`;
const ROOT = path.join(__dirname, '..', '..');

let db: TestDatabase;
let h: Harness;
let worker: ChildProcess | undefined;

/** The worker as production runs it: `worker/main.ts`, configured by the environment alone. */
async function startWorkerMain(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}: ${out}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('worker polling task queue')) resolve();
    });
  });
  return child;
}

beforeAll(async () => {
  db = await createTestDatabase();
  h = await startHarness({ DATABASE_URL: db.url, METRICS_CASES_CACHE: '0' }, { worker: 'none' });
  worker = await startWorkerMain({ ...h.env, WORKER_METRICS_ADDRESS: WORKER_METRICS });
});
afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker!.once('exit', resolve));
    worker.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    worker.kill('SIGKILL');
  }
  await h?.stop();
  await db?.drop();
});

const awaitingReview = (text: string) =>
  /^onboarding_cases_awaiting_support\{kind="enterprise-verification",stage="awaiting-review"\} (\d+)$/m.exec(
    text,
  )?.[1];

describe('metrics and shared state', () => {
  it('the API counts requests per route template and the cases waiting on support', async () => {
    const before = (await h.metrics.get('/metrics').expect(200)).text;
    expect(awaitingReview(before)).toBe('0');

    const body = await legalRepApplication(h, h.enterprises.a, h.tokens.entA);
    const started = await h.api
      .post('/v1/onboardings')
      .set(...bearer(h.tokens.entA))
      .send(body);
    expect(started.status).toBe(202);
    expect(started.body.stage).toBe('awaiting-review');
    await h.api
      .get(`/v1/onboardings/${verificationId(h.enterprises.a)}`)
      .set(...bearer(h.tokens.entA))
      .expect(200);
    await h.api
      .get('/v1/onboardings/verification-nobody-here')
      .set(...bearer(h.tokens.entA))
      .expect(404);

    const after = await eventually(async () => {
      const text = (await h.metrics.get('/metrics').expect(200)).text;
      return awaitingReview(text) === '1' ? text : undefined;
    });
    expect(after).toMatch(/^http_requests_total\{method="POST",route="\/v1\/onboardings",status="202"\} 1$/m);
    expect(after).toMatch(/^http_requests_total\{method="POST",route="\/v1\/documents",status="201"\} \d+$/m);
    expect(after).toMatch(/^http_requests_total\{method="GET",route="\/v1\/onboardings\/:id",status="200"\} 1$/m);
    expect(after).toMatch(/^http_requests_total\{method="GET",route="\/v1\/onboardings\/:id",status="404"\} 1$/m);
    expect(after).toMatch(
      /^http_request_duration_seconds_bucket\{le="[\d.]+",method="POST",route="\/v1\/onboardings"/m,
    );
    expect(after).not.toContain('nobody-here');
    expect(after).not.toContain(h.enterprises.a);
  });

  it("the worker's uploads and emails go through PostgreSQL", async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const docs = await client.query<{ n: string }>('SELECT count(*) AS n FROM documents WHERE enterprise_id = $1', [
        h.enterprises.a,
      ]);
      expect(Number(docs.rows[0]!.n)).toBeGreaterThan(0);
      // The worker (another process) sent support's review request and recorded it in the shared ledger.
      const sent = await eventually(async () => {
        const { rows } = await client.query<{ template: string; dedup_key: string }>(
          `SELECT template, dedup_key FROM email_ledger WHERE dedup_key LIKE $1`,
          [`${verificationId(h.enterprises.a)}%`],
        );
        return rows.some((r) => r.template === 'verification-submitted') ? rows : undefined;
      });
      expect(sent.length).toBeGreaterThan(0);
      expect(h.mail.forCase(verificationId(h.enterprises.a)).length).toBe(
        sent.filter((r) => r.dedup_key.startsWith(verificationId(h.enterprises.a))).length,
      );
    } finally {
      await client.end();
    }
  });

  it('a production API serves /metrics on its metrics port only, never on the API port', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'metrics-api-'));
    const tokensFile = path.join(dir, 'tokens.json');
    await writeFile(tokensFile, JSON.stringify([{ name: 'ops', role: 'support', tokenSha256: 'a'.repeat(64) }]));
    const host = `${loopbackNet(82)}.2`;
    const api = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        APP_PROFILE: 'production',
        DATA_DIR: dir,
        TEMPORAL_ADDRESS: h.config.temporal.address,
        TEMPORAL_TASK_QUEUE: h.config.temporal.taskQueue,
        PAYLOAD_KEYS: h.env.PAYLOAD_KEYS!,
        API_HOST: host,
        API_PORT: '3000',
        API_PUBLIC_URL: 'https://onboarding.cc-provider.net',
        API_TOKENS_FILE: tokensFile,
        METRICS_HOST: host,
        BILLING_API_KEY: 'bk_9d1f0c6e2a7b4e83b5c1',
        BILLING_WEBHOOK_SECRET: 'wh_3b8e5a0f7c2d9e14a6b2',
        CONTACT_CENTER_API_KEY: 'cc_0e4b7d2a9f1c5e8b3a6d',
        SIP_GATEWAY_MODE: 'manual',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    api.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    api.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    try {
      await eventually(() => output.includes('API metrics on'), 30_000, `the API to start: ${output}`);
      await eventually(async () => (await fetch(`http://${host}:3000/healthz`)).ok, 15_000, 'healthz');
      const onApiPort = await fetch(`http://${host}:3000/metrics`);
      expect(onApiPort.status).toBe(404);
      expect(await onApiPort.text()).not.toContain('http_requests_total');
      // The default metrics port: the API port + 6464.
      const scraped = await fetch(`http://${host}:9464/metrics`);
      expect(scraped.status).toBe(200);
      const text = await scraped.text();
      expect(text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
      expect(text).toMatch(/^http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+$/m);
      // The metrics listener serves nothing else.
      expect((await fetch(`http://${host}:9464/healthz`)).status).toBe(404);
      expect((await fetch(`http://${host}:9464/v1/openapi.json`)).status).toBe(404);
    } finally {
      const exited = new Promise((resolve) => api.once('exit', resolve));
      api.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      api.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the worker exposes the SDK's metrics for Prometheus", async () => {
    const text = await eventually(async () => {
      const res = await fetch(`http://${WORKER_METRICS}/metrics`);
      const body = await res.text();
      return res.ok && /^temporal_workflow_task_schedule_to_start_latency_seconds_bucket\{/m.test(body)
        ? body
        : undefined;
    });
    expect(text).toMatch(/^temporal_workflow_task_execution_latency_seconds_bucket\{/m);
    expect(text).toMatch(/^temporal_activity_schedule_to_start_latency_seconds_bucket\{/m);
    expect(text).toMatch(new RegExp(`task_queue="${h.config.temporal.taskQueue}"`));
  });
});
