/**
 * Billing: the provider's back office (customers, and later orders, payments and invoices).
 * Every write carries an idempotency key derived from the case, so retries and worker crashes
 * never repeat a write. 5xx, 429 and timeouts are retried by Temporal; other 4xx are final.
 */
import type { BillingClient } from './billing/client';
import { createBillingCustomerActivities } from './billing/customers';
import { createBillingInventoryActivities } from './billing/inventory';
import { createBillingOrderActivities } from './billing/orders';
import { createBillingQuarantineActivities } from './billing/quarantine';

export {
  BillingClient,
  type BillingCustomer,
  type BillingDeps,
  type ChargeOutcome,
  type Invoice,
  type NumberRecord,
  type Order,
  type Reservation,
} from './billing/client';

/** Raw bytes of a billing document (e.g. an invoice PDF) for attaching to email. */
export async function fetchBillingBytes(client: BillingClient, path: string): Promise<Buffer> {
  return client.bytes(path);
}

/** Billing's activities, one module per concern under `billing/`. */
export function createBillingActivities(client: BillingClient) {
  return {
    ...createBillingCustomerActivities(client),
    ...createBillingInventoryActivities(client),
    ...createBillingQuarantineActivities(client),
    ...createBillingOrderActivities(client),
  };
}

export type BillingActivities = ReturnType<typeof createBillingActivities>;
