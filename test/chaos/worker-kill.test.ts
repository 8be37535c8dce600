/**
 * The worker is killed with SIGKILL again and again while 200 onboardings run (100 enterprises:
 * a verification, then a number purchase each), and restarted: each kill interrupts running
 * activities, which complete on a later attempt; every case completes, billing performs exactly
 * one charge per purchase, and the inbox holds exactly one email per transition.
 * `test/chaos/worker-kill-smoke.test.ts` is the same run, short, in `npm test`.
 */
import { afterAll, beforeAll, it } from 'vitest';
import { startTemporalServer, type Stack, type TemporalServer } from '../support/stack';
import { atLeastOne, chaosEnterprises, chaosStack, scenario, workerKillRun } from './support';

const ENTERPRISES = atLeastOne('CHAOS_ENTERPRISES', 100);
const KILLS = atLeastOne('CHAOS_KILLS', 5);
const KILL_EVERY_MS = Number(process.env.CHAOS_KILL_EVERY_MS ?? 12_000);

let server: TemporalServer;
let stack: Stack;
const { list, tokens } = chaosEnterprises(`k${Date.now().toString(36)}`, ENTERPRISES);

beforeAll(async () => {
  server = await startTemporalServer();
  stack = await chaosStack(server, {}, tokens);
});
afterAll(async () => {
  await stack?.stop();
  await server?.stop();
});

it(
  `completes ${ENTERPRISES * 2} onboardings while the worker is killed with SIGKILL ${KILLS} times, each kill interrupting running activities`,
  async () => {
    await scenario(
      `worker SIGKILL ×${KILLS} during ${ENTERPRISES * 2} onboardings (${ENTERPRISES} verifications + ${ENTERPRISES} purchases)`,
      () => workerKillRun(stack, list, { kills: KILLS, killEveryMs: KILL_EVERY_MS, concurrency: 25 }),
    );
  },
  15 * 60_000,
);
