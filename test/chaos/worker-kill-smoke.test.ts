/**
 * The worker-kill chaos run, short, in `npm test` (its own vitest project): one SIGKILL of the
 * worker while 50 onboardings run (25 verifications, 25 purchases), aimed at a billing charge in
 * flight. The kill interrupts running activities, they complete on a later attempt, billing sees
 * the retried charge and still charges each purchase once, and every case completes with one
 * email per transition. `npm run chaos` (worker-kill.test.ts) runs the long one for figures.
 */
import { it } from 'vitest';
import { chaosRun, workerKillRun } from './support';

const run = chaosRun('s', 25);

it(
  'completes 50 onboardings across a worker SIGKILL that interrupts running activities',
  async () => {
    const figures = await workerKillRun(run.stack, run.list, { kills: 1, killEveryMs: 0, concurrency: 25 });
    console.log(`[chaos smoke] ${figures}`);
  },
  5 * 60_000,
);
