/**
 * Billing misbehaves: 30% of its answers are 5xx and a further share time out, and every case
 * still completes with one charge per purchase; a permanent 4xx (a reservation that expired
 * before the order) fails the purchase cleanly and runs its compensation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../bench/util';
import type { OnboardingResource } from '../../domain/onboarding';
import { eventually, sandboxRequests, startTemporalServer, type Stack, type TemporalServer } from '../support/stack';
import {
  Answers,
  approver,
  chaosEnterprises,
  chaosStack,
  checkOnboarded,
  context,
  onboard,
  onboardAll,
  scenario,
  underFault,
} from './support';

const ENTERPRISES = Number(process.env.CHAOS_BILLING_ENTERPRISES ?? 25);
const FAILURE_RATE = 0.3;
const TIMEOUT_RATE = 0.1;

let server: TemporalServer;
beforeAll(async () => {
  server = await startTemporalServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('billing faults', () => {
  let stack: Stack;
  const { list, tokens } = chaosEnterprises(`b${Date.now().toString(36)}`, ENTERPRISES);
  afterAll(async () => {
    await stack?.stop();
  });

  it(
    `completes every onboarding with billing at ${FAILURE_RATE * 100}% 5xx and ${TIMEOUT_RATE * 100}% timeouts`,
    async () => {
      // Timeouts are held past the client's 10 s request timeout, as an unresponsive billing would be.
      stack = await chaosStack(server, {}, tokens, { billingTimeoutHoldMs: 12_000 });
      await scenario(
        `billing at ${FAILURE_RATE * 100}% 5xx + ${TIMEOUT_RATE * 100}% timeouts during ${ENTERPRISES * 2} onboardings`,
        async () => {
          const { onboarded, seconds } = await underFault(stack, {
            billing: { failureRate: FAILURE_RATE, timeoutRate: TIMEOUT_RATE },
            onboardAll: (ctx, answers) => onboardAll(ctx, list, answers, { concurrency: 25 }),
          });
          const log = await sandboxRequests(stack);
          const faults = {
            failure: log.filter((r) => r.fault === 'failure').length,
            timeout: log.filter((r) => r.fault === 'timeout').length,
          };
          // Both faults landed on the run's requests.
          expect(faults.failure).toBeGreaterThan(0);
          expect(faults.timeout).toBeGreaterThan(0);
          const { figures } = await checkOnboarded(stack, onboarded);
          // One billing customer per enterprise, however many attempts it took.
          const customers = Object.values(stack.billing.store.data.customers).filter((c) =>
            list.some((e) => e.id === c.enterpriseId),
          );
          expect(customers).toHaveLength(ENTERPRISES);
          return [
            `${onboarded.length * 2}/${ENTERPRISES * 2} completed in ${seconds} s`,
            `billing writes: ${log.length} requests, ${faults.failure} answered 503, ${faults.timeout} held past the client's timeout`,
            ...figures,
            `customers: ${customers.length} for ${ENTERPRISES} enterprises`,
          ].join('; ');
        },
      );
    },
    12 * 60_000,
  );
});

describe('a permanent 4xx from billing', () => {
  let stack: Stack;
  const { list, tokens } = chaosEnterprises(`p${Date.now().toString(36)}`, 1);
  afterAll(async () => {
    await stack?.stop();
  });

  it(
    'fails the purchase cleanly and runs its compensation',
    async () => {
      stack = await chaosStack(server, {}, tokens);
      await scenario('permanent 4xx from billing (an order on a reservation that expired meanwhile: 409)', async () => {
        const ctx = context(stack);
        const auto = approver(ctx);
        auto.start();
        const ent = list[0]!;
        const answers = new Answers();
        const onboarding = onboard(ctx, ent, 1, answers, { purchase: true });
        // Once the verification is through, billing slows down (1.5 s an answer) and the purchase's
        // reservation runs out before its order arrives: billing's clock passes the reservation's
        // expiry (set into the past here), so the order is refused with a 409, for good.
        for (;;) {
          const purchases = await stack.client.workflow.count(
            `TaskQueue = '${stack.config.temporal.taskQueue}' AND OnboardingKind = 'number-purchase'`,
          );
          if (purchases.count > 0) break;
          await sleep(100);
        }
        stack.billing.setFaults({ latencyMs: 1_500 });
        const reservation = await (async () => {
          for (;;) {
            const found = Object.values(stack.billing.store.data.reservations).find(
              (r) => r.reference.startsWith('number-purchase-') && r.reference.includes(ent.id),
            );
            if (found) return found;
            await sleep(20);
          }
        })();
        await stack.billing.store.update((data) => {
          data.reservations[reservation.id]!.expiresAt = new Date(Date.now() - 1_000).toISOString();
        });
        const result = await onboarding;
        stack.billing.setFaults({ latencyMs: 0 });
        await auto.stop();

        expect(result.verificationStatus).toBe('COMPLETED');
        expect(result.purchaseStatus).toBe('FAILED');
        const id = result.purchase!;
        const state = (await ctx.api.expect(200, 'GET', `/v1/onboardings/${id}`, ent.token)) as OnboardingResource;
        expect(state.status).toBe('failed');
        expect(state.error?.type).toBe('BillingRejected');
        expect(state.error?.message).toMatch(/POST \/v1\/orders answered 409/);
        const names = state.steps.map((s) => `${s.name}:${s.status}`);
        expect(names).toContain('compensation: undo billing:done');
        // Nothing was ordered or charged, the numbers are free again, the enterprise was told.
        const data = stack.billing.store.data;
        expect(data.reservations[reservation.id]!.status).toBe('expired');
        expect(Object.values(data.orders).filter((o) => o.reference === id)).toEqual([]);
        expect(reservation.numbers.every((n) => data.numbers[n]?.status === 'available')).toBe(true);
        const customer = Object.values(data.customers).find((c) => c.enterpriseId === ent.id)!;
        expect(customer.balanceFen).toBe(1_000_000);
        const mail = await eventually(
          () => stack.mail.forCase(id).find((m) => m.event === 'purchase-failed'),
          30_000,
          'failure email',
        );
        expect(mail).toBeDefined();
        return `case failed with ${state.error?.type}: "${state.error?.message.slice(0, 110)}…"; ${names.filter((n) => n.startsWith('compensation')).join(', ')}; reservation expired, numbers available, no order, balance untouched, purchase-failed email sent`;
      });
    },
    5 * 60_000,
  );
});
