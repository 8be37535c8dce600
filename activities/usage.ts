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
  type UnreconciledCall,
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
     * The month's answered calls on the enterprise's numbers, rated by each number's origin when
     * the call was made (purchased: billing's prices; supplier lines: the platform usage fee; own
     * lines: nothing), per number and direction, minutes rounded up per call. Calls answered in the
     * month (China time) count in it; a call without a closed record is reported (unreconciled)
     * and billed by a later re-run once it closes.
     */
    async rateUsageMonth(input: { enterpriseId: string; month: string }): Promise<RatedMonth> {
      const { start, end } = monthBounds(input.month);
      const ratedAt = new Date(now()).toISOString();
      const empty = { month: input.month, calls: 0, minutes: 0, amountFen: 0, lines: [], unfinishedCalls: 0, ratedAt };
      if (!deps.gateway.observes?.calls || !deps.gateway.answeredCalls) return { ...empty, observable: false };

      const range = { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
      // Every number the enterprise held at any time in the month, with its origin then (a number
      // released mid-month still bills the calls it made).
      const instances = new Set(await deps.instancesOf(input.enterpriseId));
      const held = deps.gateway.assignmentHistory
        ? (await deps.gateway.assignmentHistory(range)).filter(
            (p) => p.enterpriseId === input.enterpriseId || instances.has(p.instanceId),
          )
        : [];
      const answered = await deps.gateway.answeredCalls(range);
      const calls: RatedCall[] = [];
      const unreconciled: UnreconciledCall[] = [];
      for (const call of answered) {
        const number = call.number ?? numberKey(call.direction === 'inbound' ? call.callee : call.caller);
        const period = held.find(
          (p) => p.number === number && p.from <= call.answeredAt && (p.to === null || call.answeredAt < p.to),
        );
        if (!period) continue;
        if (call.seconds === null) {
          // No end seen: reported, billed once the record closes (a re-run).
          unreconciled.push({ callId: call.callId, number, answeredAt: call.answeredAt });
          continue;
        }
        calls.push({
          number,
          numberType: usageNumberType(number),
          direction: call.direction,
          seconds: call.seconds,
          origin: period.origin,
        });
      }
      const unfinishedCalls = unreconciled.length;
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
        ...(unreconciled.length ? { unreconciled: unreconciled.slice(0, 100) } : {}),
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
