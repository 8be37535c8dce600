/**
 * Billing webhooks reach a case as the `billing-event` signal (the API verifies the signature
 * first). Duplicates are harmless: each event id counts once.
 */
import { setHandler } from '@temporalio/workflow';
import { billingEventSignal, type BillingEvent } from '../../contract/case';

export class BillingEvents {
  private readonly seen = new Set<string>();
  readonly events: BillingEvent[] = [];

  constructor() {
    setHandler(billingEventSignal, (event) => {
      if (!event?.eventId || this.seen.has(event.eventId)) return;
      this.seen.add(event.eventId);
      this.events.push(event);
    });
  }

  has(type: string, match: (e: BillingEvent) => boolean = () => true): boolean {
    return this.events.some((e) => e.type === type && match(e));
  }
}
