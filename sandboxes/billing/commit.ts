/**
 * How the billing sandbox applies a change: one store update, after ending reservations past
 * their TTL, with the events it records and the follow-ups it asks for started once it is applied.
 */
import type { FaultSwitches } from '../common/faults';
import type { Faults } from './app';
import { expireReservations } from './reservations';
import type { BillingStore } from './store';
import type { Tx } from './tx';
import { recordEvent, type WebhookDispatcher } from './webhooks';

export type Commit = <T>(change: (tx: Tx) => T) => Promise<T>;

export function billingCommit(options: {
  store: BillingStore;
  clock: () => Date;
  faults: FaultSwitches<Faults>;
  random: () => number;
  webhooks?: WebhookDispatcher;
}): Commit {
  const { store, clock, faults, random, webhooks } = options;
  /**
   * Events and follow-ups start once the change is applied (even if writing the file failed: the
   * change stays in memory and goes out with the next write).
   */
  return async <T>(change: (tx: Tx) => T): Promise<T> => {
    const afterwards: (() => void)[] = [];
    let applied = false;
    try {
      return await store.update((data) => {
        const now = clock().toISOString();
        expireReservations(data, now);
        const tx: Tx = {
          data,
          now,
          emit(type, resource) {
            if (!webhooks) return;
            // One draw decides both switches, so their rates add up rather than overlap.
            const { webhookDropRate, webhookDuplicateRate } = faults.get();
            const roll = random();
            const fate =
              roll < webhookDropRate ? 'drop' : roll < webhookDropRate + webhookDuplicateRate ? 'duplicate' : 'deliver';
            const event = recordEvent(data, type, resource, now, fate);
            afterwards.push(() => webhooks.kick(event.id));
          },
          after(fn) {
            afterwards.push(fn);
          },
        };
        const result = change(tx);
        applied = true;
        return result;
      });
    } finally {
      if (applied) for (const fn of afterwards) fn();
    }
  };
}
