/**
 * The worker is killed with SIGKILL again and again while 200 onboardings run (100 enterprises:
 * a verification, then a number purchase each), and restarted: each kill interrupts running
 * activities, which complete on a later attempt; every case completes, billing performs exactly
 * one charge per purchase, and the inbox holds exactly one email per transition.
 * `test/chaos/worker-kill-smoke.test.ts` is the same run, short, in `npm test`.
 */
import { it } from 'vitest';
import { atLeastOne, chaosRun, scenario, workerKillRun } from './support';

const ENTERPRISES = atLeastOne('CHAOS_ENTERPRISES', 100);
const KILLS = atLeastOne('CHAOS_KILLS', 5);
const KILL_EVERY_MS = Number(process.env.CHAOS_KILL_EVERY_MS ?? 12_000);

const run = chaosRun('k', ENTERPRISES);

it(
  `completes ${ENTERPRISES * 2} onboardings while the worker is killed with SIGKILL ${KILLS} times, each kill interrupting running activities`,
  async () => {
    await scenario(
      `worker SIGKILL ×${KILLS} during ${ENTERPRISES * 2} onboardings (${ENTERPRISES} verifications + ${ENTERPRISES} purchases)`,
      () => workerKillRun(run.stack, run.list, { kills: KILLS, killEveryMs: KILL_EVERY_MS, concurrency: 25 }),
    );
  },
  15 * 60_000,
);
