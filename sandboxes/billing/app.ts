/**
 * The billing sandbox: the HTTP contract of the provider's billing back office, backed by a JSON
 * file, with switchable faults so clients can be tested against latency, outages and timeouts.
 *
 * /v1 routes need `Authorization: Bearer <api key>`; every write under /v1 needs an
 * `Idempotency-Key`, and its first response is stored and replayed for retries. Faults strike
 * before any state is touched, so retrying a failed or timed-out write with its key is safe.
 * /_sandbox routes control and inspect the sandbox itself and are not part of the contract.
 *
 * Business rules live in the modules per concern (`inventory.ts`, `reservations.ts`, `orders.ts`,
 * `ledger.ts`, `invoices.ts`, `usage.ts`); the routes in `api-routes.ts` and `control-routes.ts`;
 * this module puts them together with the timers that issue invoices and deliver webhooks.
 */
import type express from 'express';
import { z } from 'zod';
import { faultSwitchesFrom, faultSwitchesShape, type Faults as BaseFaults } from '../common/faults';
import { createSandboxHttp, openStore, type SandboxOptions } from '../common/http';
import { mountBillingApi } from './api-routes';
import { seedInventory } from './catalog';
import { billingCommit } from './commit';
import { mountControlRoutes } from './control-routes';
import { InvoiceTimers } from './invoice-timers';
import { hasExpiredReservations } from './reservations';
import { BillingStore } from './store';
import { DEFAULT_USAGE_PRICES, seedUsagePrices } from './usage';
import { WebhookDispatcher, deliveryOf, type WebhookDelivery } from './webhooks';

export { DEFAULT_INVOICE_DELAY_MS } from './invoice-timers';

export interface Faults extends BaseFaults {
  /** Share of webhook events recorded as dropped and never sent. */
  webhookDropRate: number;
  /** Share of webhook events delivered twice, with the same id. */
  webhookDuplicateRate: number;
}

export interface BillingSandboxOptions extends SandboxOptions<BillingStore> {
  webhookDropRate?: number;
  webhookDuplicateRate?: number;
  /** Where signed event notifications go, and the secret they are signed with (both or neither). */
  webhookUrl?: string;
  webhookSecret?: string;
  /** Waits between delivery attempts of one event; one attempt more than waits. */
  webhookRetryDelaysMs?: number[];
  /** How long after its request an invoice is issued. */
  invoiceDelayMs?: number;
  /** Receives one line per webhook delivery attempt. */
  log?: (line: string) => void;
}

export interface BillingSandbox {
  app: express.Express;
  store: BillingStore;
  webhook: { url?: string; secret?: string };
  faults(): Faults;
  /** Changes some switches; invalid values throw a 400 ProblemError and change nothing. */
  setFaults(patch: Partial<Faults>): Faults;
  /** Every webhook event and how its delivery went, oldest first. */
  webhookDeliveries(): WebhookDelivery[];
  /**
   * Drops requests held by simulated timeouts, stops invoice timers and webhook retries (both
   * resume from the file on the next start) and waits for pending writes to reach the file.
   */
  close(): Promise<void>;
}

const faultsPatchSchema = z.strictObject({
  ...faultSwitchesShape,
  webhookDropRate: z.number().min(0).max(1).optional(),
  webhookDuplicateRate: z.number().min(0).max(1).optional(),
});

const FAULTS_OFF: Faults = {
  latencyMs: 0,
  failureRate: 0,
  timeoutRate: 0,
  webhookDropRate: 0,
  webhookDuplicateRate: 0,
};

export function createBillingSandbox(options: BillingSandboxOptions): BillingSandbox {
  const store = openStore('createBillingSandbox', options, (file) => BillingStore.load(file));
  const random = options.random ?? Math.random;
  const clock = options.now ?? (() => new Date());
  if (!options.webhookUrl !== !options.webhookSecret)
    throw new Error('createBillingSandbox needs webhookUrl and webhookSecret together');
  const faults = faultSwitchesFrom<Faults>(faultsPatchSchema, FAULTS_OFF, options);
  const webhooks =
    options.webhookUrl && options.webhookSecret
      ? new WebhookDispatcher({
          store,
          url: options.webhookUrl,
          secret: options.webhookSecret,
          clock,
          retryDelaysMs: options.webhookRetryDelaysMs,
          log: options.log,
        })
      : undefined;
  const commit = billingCommit({ store, clock, faults, random, webhooks });
  const invoiceTimers = new InvoiceTimers(commit, clock, options.invoiceDelayMs);

  const http = createSandboxHttp({
    name: 'billing',
    apiKey: options.apiKey,
    store,
    faults,
    commit,
    clock,
    random,
    timeoutHoldMs: options.timeoutHoldMs,
    bodyLimit: options.bodyLimit,
    // They pay any order for free and rewrite faults, so a production sandbox leaves them out.
    controlRoutes: options.controlRoutes ?? true,
  });
  const sweepExpired = async (): Promise<void> => {
    if (hasExpiredReservations(store.data, clock())) await commit(() => undefined);
  };
  const context = { store, http, commit, sweepExpired, invoiceTimers, webhooks };
  mountControlRoutes(context);
  mountBillingApi(context);
  http.finish();

  seedStore(store);
  // Work left by an earlier run: invoices still to issue, events still to deliver.
  for (const invoice of Object.values(store.data.invoices)) invoiceTimers.arm(invoice);
  webhooks?.resume();

  return {
    app: http.app,
    store,
    webhook: { url: options.webhookUrl, secret: options.webhookSecret },
    faults: () => faults.get(),
    setFaults: (patch) => faults.set(patch),
    webhookDeliveries: () => Object.values(store.data.webhookEvents).map((event) => structuredClone(deliveryOf(event))),
    async close() {
      http.releaseHeld();
      invoiceTimers.close();
      await webhooks?.close();
      await store.flush();
    },
  };
}

/** A fresh store starts with the provider's stock of numbers and the default per-minute prices. */
function seedStore(store: BillingStore): void {
  const failed = (error: unknown) => console.error(`billing sandbox: could not write ${store.file}:`, error);
  if (Object.keys(store.data.numbers).length === 0) store.update(seedInventory).catch(failed);
  // A store from before the price list (or one of its entries) gets the missing prices too.
  if (DEFAULT_USAGE_PRICES.some((p) => !store.data.usagePrices[`${p.numberType}/${p.direction}`]))
    store.update(seedUsagePrices).catch(failed);
}
