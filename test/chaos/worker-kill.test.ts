/**
 * The worker is killed with SIGKILL again and again while 200 onboardings run (100 enterprises:
 * a verification, then a number purchase each), and restarted: every case completes, billing
 * performs exactly one charge per purchase, and the inbox holds exactly one email per transition.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sleep } from '../../bench/util';
import { startTemporalServer, type Stack, type TemporalServer } from '../support/stack';
import {
  Answers,
  approver,
  chaosEnterprises,
  chaosStack,
  checkOnboarded,
  context,
  onboard,
  pool,
  scenario,
} from './support';

const ENTERPRISES = Number(process.env.CHAOS_ENTERPRISES ?? 100);
const KILLS = Number(process.env.CHAOS_KILLS ?? 5);
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
  `completes ${ENTERPRISES * 2} onboardings while the worker is killed with SIGKILL ${KILLS} times`,
  async () => {
    await scenario(
      `worker SIGKILL ×${KILLS} during ${ENTERPRISES * 2} onboardings (${ENTERPRISES} verifications + ${ENTERPRISES} purchases)`,
      async () => {
        const ctx = context(stack);
        const auto = approver(ctx);
        auto.start();
        // Slower billing keeps activities in flight when the kills land.
        stack.billing.setFaults({ latencyMs: 300 });
        const answers = new Answers();
        let finished = false;
        const began = Date.now();
        const kills: string[] = [];
        const killer = (async () => {
          await sleep(5_000);
          for (let k = 0; k < KILLS && !finished; k++) {
            await stack.stopWorker('SIGKILL');
            const q = `TaskQueue = '${stack.config.temporal.taskQueue}' AND OnboardingKind IN ('enterprise-verification', 'number-purchase')`;
            const [closedCount, running] = await Promise.all([
              stack.client.workflow.count(`${q} AND ExecutionStatus = 'Completed'`),
              stack.client.workflow.count(`${q} AND ExecutionStatus = 'Running'`),
            ]);
            kills.push(
              `${Math.round((Date.now() - began) / 1000)} s (${closedCount.count} closed, ${running.count} running)`,
            );
            await sleep(1_500);
            await stack.startWorker();
            await sleep(KILL_EVERY_MS);
          }
        })();
        const onboarded = await pool(list.length, 25, (i) => onboard(ctx, list[i]!, i, answers, { purchase: true }));
        finished = true;
        await killer;
        await auto.stop();
        const seconds = Math.round((Date.now() - began) / 1000);

        expect(kills.length).toBe(KILLS);
        const { charges, emails } = await checkOnboarded(stack, onboarded);
        return [
          `${onboarded.length * 2}/${ENTERPRISES * 2} completed in ${seconds} s`,
          `killed at ${kills.join(', ')}`,
          `charges: ${charges.purchases} purchases, ${charges.debits} debits, ${charges.chargeAttempts} charge requests (retries answered from the idempotency record)`,
          `emails: ${emails.distinct} distinct for ${emails.expected} transitions, ${emails.repeats} repeated deliveries (same Message-ID)`,
          `API 5xx: ${answers.serverErrors}`,
        ].join('; ');
      },
    );
  },
  15 * 60_000,
);
