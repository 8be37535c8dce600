/**
 * The billing sandbox's /_sandbox routes pay any order for free: a sandbox started with the
 * production profile does not mount them, while its /v1 contract still answers.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createBillingSandbox } from '../../sandboxes/billing/app';
import { freePort, untilHealthy } from '../support/http';

const ROOT = path.resolve(__dirname, '..', '..');
const API_KEY = 'bk_2f7c9a1e5d3b8f60';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-production-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('billing sandbox control routes', () => {
  it('are mounted by default and left out on request', async () => {
    const withRoutes = createBillingSandbox({ dataFile: path.join(dir, 'a.json'), apiKey: API_KEY });
    const without = createBillingSandbox({ dataFile: path.join(dir, 'b.json'), apiKey: API_KEY, controlRoutes: false });
    try {
      expect((await request(withRoutes.app).get('/_sandbox/faults')).status).toBe(200);
      expect((await request(withRoutes.app).post('/_sandbox/orders/ord_unknown/pay')).status).toBe(404);
      for (const [method, url] of [
        ['get', '/_sandbox/faults'],
        ['put', '/_sandbox/faults'],
        ['get', '/_sandbox/requests'],
        ['get', '/_sandbox/webhooks'],
        ['post', '/_sandbox/orders/ord_1/pay'],
        ['post', '/_sandbox/webhooks/evt_1/redeliver'],
      ] as const) {
        const res = await request(without.app)[method](url).set('content-type', 'application/json').send('{}');
        expect(res.status, `${method} ${url}`).toBe(404);
        expect(res.body.title ?? res.body.type, `${method} ${url}`).not.toMatch(/order/i);
      }
      // The contract itself is unchanged.
      const prices = await request(without.app).get('/v1/prices').set('authorization', `Bearer ${API_KEY}`);
      expect(prices.status).toBe(200);
    } finally {
      await withRoutes.close();
      await without.close();
    }
  });

  it('are not mounted when the sandbox process runs with APP_PROFILE=production', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'sandboxes/billing/main.ts')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        APP_PROFILE: 'production',
        API_PUBLIC_URL: 'https://onboarding.cc-provider.net',
        DATA_DIR: dir,
        API_TOKENS_FILE: path.join(dir, 'tokens.json'),
        BILLING_HOST: '127.0.0.1',
        BILLING_PORT: String(port),
        BILLING_API_KEY: API_KEY,
        BILLING_WEBHOOK_SECRET: 'wh_8a3c1f9e7b5d2c40',
        CONTACT_CENTER_API_KEY: 'cc_4e2a9c7f1b3d5e60',
        SIP_GATEWAY_MODE: 'manual',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      const base = `http://127.0.0.1:${port}`;
      await untilHealthy(`${base}/healthz`, {
        timeoutMs: 30_000,
        gone: () => (child.exitCode !== null ? `the sandbox exited: ${output}` : undefined),
        late: () => `the sandbox did not start: ${output}`,
      });
      expect((await fetch(`${base}/_sandbox/orders/ord_1/pay`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`${base}/_sandbox/faults`)).status).toBe(404);
      expect((await fetch(`${base}/v1/prices`, { headers: { authorization: `Bearer ${API_KEY}` } })).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 40_000);
});
