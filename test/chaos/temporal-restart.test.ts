/**
 * The Temporal dev server, persisting to a SQLite file (--db-filename), is stopped mid-run and
 * started again on the same port and file: every onboarding completes, with one charge per
 * purchase and one email per transition.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sleep } from '../../bench/util';
import { startTemporalServer, type Stack, type TemporalServer } from '../support/stack';
import {
  Answers,
  approver,
  atLeastOne,
  chaosEnterprises,
  chaosStack,
  checkOnboarded,
  context,
  onboard,
  pool,
  runningCases,
  scenario,
} from './support';

const ENTERPRISES = atLeastOne('CHAOS_RESTART_ENTERPRISES', 40);
const DOWN_MS = Number(process.env.CHAOS_RESTART_DOWN_MS ?? 10_000);

let dir: string;
let server: TemporalServer;
let stack: Stack;
const { list, tokens } = chaosEnterprises(`r${Date.now().toString(36)}`, ENTERPRISES);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'chaos-temporal-'));
  server = await startTemporalServer({ dbFilename: path.join(dir, 'temporal.db') });
  stack = await chaosStack(server, {}, tokens);
});
afterAll(async () => {
  await stack?.stop();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it(
  'completes every onboarding across a restart of the Temporal server',
  async () => {
    await scenario(
      `Temporal dev server (SQLite file) stopped for ${DOWN_MS / 1000} s and restarted during ${ENTERPRISES * 2} onboardings`,
      async () => {
        const ctx = context(stack);
        const auto = approver(ctx);
        auto.start();
        stack.billing.setFaults({ latencyMs: 200 });
        const answers = new Answers();
        const began = Date.now();
        let restartedAt = 0;
        let runningAtStop = 0;
        const restart = (async () => {
          await sleep(8_000);
          runningAtStop = (await runningCases(stack)).length;
          const { port, dbFilename } = server;
          await server.stop();
          await sleep(DOWN_MS);
          server = await startTemporalServer({ port, dbFilename });
          restartedAt = Date.now();
        })();
        const onboarded = await pool(list.length, 20, (i) => onboard(ctx, list[i]!, i, answers, { purchase: true }));
        await restart;
        await auto.stop();
        const seconds = Math.round((Date.now() - began) / 1000);

        expect(restartedAt).toBeGreaterThan(0);
        // The server went down under open cases, not after the run.
        expect(runningAtStop).toBeGreaterThan(0);
        const { charges, emails } = await checkOnboarded(stack, onboarded);
        return [
          `${onboarded.length * 2}/${ENTERPRISES * 2} completed in ${seconds} s (the last ${Math.round((Date.now() - restartedAt) / 1000)} s after the restart; ${runningAtStop} cases running when it stopped)`,
          `charges: ${charges.debits} debits for ${charges.purchases} purchases`,
          `emails: ${emails.distinct} distinct for ${emails.expected} transitions, ${emails.repeats} repeated`,
          `5xx answers to starts: ${answers.serverErrors} (a client retries with the same Idempotency-Key); approver request errors: ${auto.counts.errors}`,
        ].join('; ');
      },
    );
  },
  12 * 60_000,
);
