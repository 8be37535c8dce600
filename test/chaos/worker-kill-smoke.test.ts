/**
 * The worker-kill chaos run, short, in `npm test` (its own vitest project): one SIGKILL of the
 * worker while 50 onboardings run (25 verifications, 25 purchases), aimed at a billing charge in
 * flight. The kill interrupts running activities, they complete on a later attempt, billing sees
 * the retried charge and still charges each purchase once, and every case completes with one
 * email per transition. `npm run chaos` (worker-kill.test.ts) runs the long one for figures.
 */
import { afterAll, beforeAll, it } from 'vitest';
import { startTemporalServer, type Stack, type TemporalServer } from '../support/stack';
import { chaosEnterprises, chaosStack, workerKillRun } from './support';

let server: TemporalServer;
let stack: Stack;
const { list, tokens } = chaosEnterprises(`s${Date.now().toString(36)}`, 25);

beforeAll(async () => {
  server = await startTemporalServer();
  stack = await chaosStack(server, {}, tokens);
});
afterAll(async () => {
  await stack?.stop();
  await server?.stop();
});

it(
  'completes 50 onboardings across a worker SIGKILL that interrupts running activities',
  async () => {
    const figures = await workerKillRun(stack, list, { kills: 1, killEveryMs: 0, concurrency: 25 });
    console.log(`[chaos smoke] ${figures}`);
  },
  5 * 60_000,
);
