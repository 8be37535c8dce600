/**
 * The Temporal dev server, persisting to a SQLite file (--db-filename), is stopped mid-run and
 * started again on the same port and file: every onboarding completes, with one charge per
 * purchase and one email per transition.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import { startTemporalServer, type Stack, type TemporalServer } from '../support/stack';
import { atLeastOne, chaosEnterprises, chaosStack, onboardAll, scenario, serverRestartRun } from './support';

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
      () =>
        serverRestartRun(stack, {
          cases: ENTERPRISES * 2,
          downMs: DOWN_MS,
          down: () => server.stop(),
          // On the same port and file: the stack's clients reconnect to it.
          up: async () => {
            server = await startTemporalServer({ port: server.port, dbFilename: server.dbFilename });
          },
          onboardAll: (ctx, answers) => onboardAll(ctx, list, answers, { concurrency: 20 }),
        }),
    );
  },
  12 * 60_000,
);
