/**
 * Usage: reads an enterprise's answered calls for a month from the SBC's accounting (the calls on
 * the numbers assigned to its instances) and rates them with the per-minute prices billing
 * publishes. Reads only; the charge is posted by the billing activity.
 */
import { ApplicationFailure } from '@temporalio/common';
import { formatNumber } from '../domain/numbers';
import {
  monthBounds,
  numberKey,
  rateCalls,
  usageNumberType,
  type RatedCall,
  type RatedMonth,
  type UsagePrice,
} from '../domain/usage';
import type { BillingClient } from './billing';
import type { SipGateway } from './sip-gateway';

export interface UsageDeps {
  gateway: SipGateway;
  billing: Pick<BillingClient, 'request'>;
  /** The enterprise's contact-center instances (their ids). */
  instancesOf: (enterpriseId: string) => Promise<string[]>;
  now?: () => number;
}

export function createUsageActivities(deps: UsageDeps) {
  const now = deps.now ?? Date.now;
  return {
    /**
     * The month's answered calls on the enterprise's numbers, rated: per number and direction,
     * minutes rounded up per call. Calls answered in the month (China time) count in it; a call
     * whose end is not accounted yet is counted as unfinished and billed by a later re-run.
     */
    async rateUsageMonth(input: { enterpriseId: string; month: string }): Promise<RatedMonth> {
      const { start, end } = monthBounds(input.month);
      const ratedAt = new Date(now()).toISOString();
      const empty = { month: input.month, calls: 0, minutes: 0, amountFen: 0, lines: [], unfinishedCalls: 0, ratedAt };
      if (!deps.gateway.observes?.calls || !deps.gateway.answeredCalls) return { ...empty, observable: false };

      const instances = new Set(await deps.instancesOf(input.enterpriseId));
      const own = new Set(
        (await deps.gateway.assignments())
          .filter((a) => a.enterpriseId === input.enterpriseId || instances.has(a.instanceId))
          .map((a) => numberKey(a.number)),
      );
      const answered = await deps.gateway.answeredCalls({
        from: new Date(start).toISOString(),
        to: new Date(end).toISOString(),
      });
      const calls: RatedCall[] = [];
      let unfinishedCalls = 0;
      for (const call of answered) {
        const number = numberKey(call.direction === 'inbound' ? call.callee : call.caller);
        if (!own.has(number)) continue;
        if (call.seconds === null) {
          unfinishedCalls++;
          continue;
        }
        calls.push({ number, numberType: usageNumberType(number), direction: call.direction, seconds: call.seconds });
      }
      const prices = calls.length > 0 ? await usagePrices(deps.billing) : [];
      const rated = rateCalls(calls, prices);
      return {
        ...empty,
        observable: true,
        calls: rated.calls,
        minutes: rated.minutes,
        amountFen: rated.amountFen,
        lines: rated.lines.map((l) => ({ ...l, display: formatNumber(l.number) })),
        unfinishedCalls,
      };
    },
  };
}

/** Billing's per-minute price list. */
async function usagePrices(billing: Pick<BillingClient, 'request'>): Promise<UsagePrice[]> {
  const list = await billing.request<{ prices?: UsagePrice[] }>('GET', '/v1/prices/usage');
  if (!Array.isArray(list.prices))
    throw ApplicationFailure.create({
      type: 'BillingRejected',
      message: 'billing published no per-minute prices',
      nonRetryable: true,
    });
  return list.prices;
}

export type UsageActivities = ReturnType<typeof createUsageActivities>;
