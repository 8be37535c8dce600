/**
 * The billing sandbox: the HTTP contract of the provider's billing back office, backed by a JSON
 * file, with switchable faults so clients can be tested against latency, outages and timeouts.
 *
 * /v1 routes need `Authorization: Bearer <api key>`; every write under /v1 needs an
 * `Idempotency-Key`, and its first response is stored and replayed for retries. Faults strike
 * before any state is touched, so retrying a failed or timed-out write with its key is safe.
 * /_sandbox routes control and inspect the sandbox itself and are not part of the contract.
 *
 * Business rules live in `operations.ts`; this module is the HTTP side: auth, faults,
 * idempotency, answers, and the timers that issue invoices and deliver webhooks.
 */
import type express from 'express';
import { z } from 'zod';
import { PRICES, seedInventory } from './catalog';
import { renderInvoicePdf } from './invoice-pdf';
import {
  chargeOrder,
  chargesQuerySchema,
  createCharge,
  createCreditSchema,
  creditCustomer,
  createChargeSchema,
  createInvoice,
  createInvoiceSchema,
  createOrder,
  createOrderSchema,
  createReservation,
  createReservationSchema,
  emptyBodySchema,
  expireReservations,
  filterBy,
  getNumber,
  hasExpiredReservations,
  importNumbers,
  importNumbersSchema,
  invoicesQuerySchema,
  issueInvoice,
  listNumbers,
  numbersQuerySchema,
  ordersQuerySchema,
  payOrderOnline,
  quarantineNumber,
  quarantineNumberSchema,
  refundOrder,
  refundOrderSchema,
  releaseNumbers,
  releaseNumbersSchema,
  createRecoveryOrder,
  recoveryOrderSchema,
  cancelByOperator,
  releaseQuarantine,
  releaseQuarantineSchema,
  releaseReservation,
  reservationsQuerySchema,
  voidOrder,
  type Tx,
} from './operations';
import {
  FaultSwitches,
  createSandboxHttp,
  escapeHtml,
  faultSwitchesShape,
  param,
  type Faults as BaseFaults,
  type SandboxOptions,
} from '../common/http';
import { ProblemError, notFound, parseOrThrow } from '../common/problem';
import { BillingStore, newId, type BillingData, type Customer, type Invoice } from './store';
import { WebhookDispatcher, deliveryOf, recordEvent, type WebhookDelivery } from './webhooks';
import {
  createUsageCharge,
  createUsageChargeSchema,
  listUsageCharges,
  seedUsagePrices,
  setUsagePrices,
  setUsagePricesSchema,
  usageChargesQuerySchema,
  usagePrices,
  DEFAULT_USAGE_PRICES,
} from './usage';

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

export const DEFAULT_INVOICE_DELAY_MS = 5_000;

const faultsPatchSchema = z.strictObject({
  ...faultSwitchesShape,
  webhookDropRate: z.number().min(0).max(1).optional(),
  webhookDuplicateRate: z.number().min(0).max(1).optional(),
});

const text = (max: number) => z.string().trim().min(1).max(max);

const createCustomerSchema = z.strictObject({
  enterpriseId: text(100),
  name: text(200),
  contactEmail: z.email().optional(),
});

const customerQuerySchema = z.strictObject({ enterpriseId: text(100) });

const webhooksQuerySchema = z.strictObject({ type: z.string().optional() });

export function createBillingSandbox(options: BillingSandboxOptions): BillingSandbox {
  const store = openStore(options);
  const random = options.random ?? Math.random;
  const clock = options.now ?? (() => new Date());
  const invoiceDelayMs = options.invoiceDelayMs ?? DEFAULT_INVOICE_DELAY_MS;
  if (!Number.isSafeInteger(invoiceDelayMs) || invoiceDelayMs < 0)
    throw new Error(`invoiceDelayMs must be whole milliseconds, got ${invoiceDelayMs}`);
  if (!options.webhookUrl !== !options.webhookSecret)
    throw new Error('createBillingSandbox needs webhookUrl and webhookSecret together');

  const faults = new FaultSwitches<Faults>(faultsPatchSchema, {
    latencyMs: 0,
    failureRate: 0,
    timeoutRate: 0,
    webhookDropRate: 0,
    webhookDuplicateRate: 0,
  });
  faults.set({
    latencyMs: options.latencyMs,
    failureRate: options.failureRate,
    timeoutRate: options.timeoutRate,
    webhookDropRate: options.webhookDropRate,
    webhookDuplicateRate: options.webhookDuplicateRate,
  });

  let closed = false;
  /** Requested invoices waiting to be issued, by invoice id. */
  const invoiceTimers = new Map<string, NodeJS.Timeout>();
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

  /**
   * Applies a change as one store update, after ending reservations past their TTL. Events and
   * follow-ups start once the change is applied (even if writing the file failed: the change
   * stays in memory and goes out with the next write).
   */
  async function commit<T>(change: (tx: Tx) => T): Promise<T> {
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
  }

  /** Reads see reservations expire on time even when nothing was written since. */
  async function sweepExpired(): Promise<void> {
    if (hasExpiredReservations(store.data, clock())) await commit(() => undefined);
  }

  function armInvoice(invoice: Invoice): void {
    if (closed || invoiceTimers.has(invoice.id) || invoice.status !== 'requested') return;
    const dueMs = Date.parse(invoice.requestedAt) + invoiceDelayMs;
    // Bounded by the delay, so a clock set far back cannot postpone an invoice indefinitely.
    const waitMs = Math.min(invoiceDelayMs, Math.max(0, dueMs - clock().getTime()));
    const timer = setTimeout(() => {
      invoiceTimers.delete(invoice.id);
      if (closed) return;
      commit((tx) => issueInvoice(tx, invoice.id)).catch((error: unknown) => {
        console.error(`billing sandbox: could not issue invoice ${invoice.id}:`, error);
      });
    }, waitMs);
    invoiceTimers.set(invoice.id, timer);
  }

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
  const { app, v1, control: sandbox, respond, idempotentWrite } = http;

  sandbox.get('/webhooks', (req, res) => {
    const { type } = parseOrThrow(webhooksQuerySchema, req.query, 'query');
    const deliveries = Object.values(store.data.webhookEvents)
      .filter((event) => type === undefined || event.type === type)
      .map(deliveryOf);
    respond(req, res, 200, { count: deliveries.length, deliveries });
  });
  sandbox.post('/webhooks/:eventId/redeliver', async (req, res) => {
    const eventId = param(req.params, 'eventId');
    if (!store.data.webhookEvents[eventId]) throw notFound('webhook event', eventId);
    if (!webhooks)
      throw new ProblemError(409, 'webhooks-off', 'Webhooks off', 'the sandbox has no webhook URL to deliver to');
    const event = await store.update((data) => {
      const current = data.webhookEvents[eventId] as BillingData['webhookEvents'][string];
      // One more copy; a copy that had given up is replaced rather than added to.
      current.copies = (current.gaveUp ? current.deliveredCopies : current.copies) + 1;
      current.gaveUp = false;
      return current;
    });
    webhooks.kick(eventId);
    respond(req, res, 202, deliveryOf(event));
  });
  // The billing portal's test checkout: the order, its amount, and a button that pays it online.
  sandbox.get('/checkout/:id', (req, res) => {
    const order = store.data.orders[param(req.params, 'id')];
    if (!order) throw notFound('order', param(req.params, 'id'));
    res.type('html').send(checkoutPage(order));
  });
  sandbox.post('/checkout/:id', async (req, res) => {
    const id = param(req.params, 'id');
    await commit((tx) => payOrderOnline(tx, id));
    res.redirect(303, `/_sandbox/checkout/${encodeURIComponent(id)}`);
  });
  // The enterprise pays the order online through the billing portal: no API key, no key.
  sandbox.post('/orders/:id/pay', async (req, res) => {
    const id = param(req.params, 'id');
    const result = await commit((tx) => payOrderOnline(tx, id));
    respond(req, res, result.status, result.body);
  });
  // The 400 or fixed-line operator cancels a released number (its retention over).
  sandbox.post('/numbers/:number/operator-cancel', async (req, res) => {
    const number = param(req.params, 'number');
    const result = await commit((tx) => cancelByOperator(tx, number));
    respond(req, res, result.status, result.body);
  });
  // The back office changing its per-minute prices (kept in the data file like the rest).
  sandbox.put('/prices/usage', async (req, res) => {
    const input = parseOrThrow(setUsagePricesSchema, req.body ?? {});
    await commit((tx) => setUsagePrices(tx.data, input));
    respond(req, res, 200, usagePrices(store.data));
  });

  v1.post(
    '/customers',
    idempotentWrite(createCustomerSchema, ({ input, data, now }) => {
      // One customer per enterprise: creating again updates the existing one.
      const existing = findCustomerByEnterprise(data, input.enterpriseId);
      if (existing) {
        const changed =
          existing.name !== input.name ||
          (input.contactEmail !== undefined && existing.contactEmail !== input.contactEmail);
        if (changed) {
          existing.name = input.name;
          if (input.contactEmail !== undefined) existing.contactEmail = input.contactEmail;
          existing.updatedAt = now;
        }
        return { status: 200, body: existing };
      }
      const customer: Customer = {
        id: newId('cus'),
        enterpriseId: input.enterpriseId,
        name: input.name,
        contactEmail: input.contactEmail ?? null,
        balanceFen: 0,
        createdAt: now,
        updatedAt: now,
      };
      data.customers[customer.id] = customer;
      return { status: 201, body: customer };
    }),
  );

  v1.get('/customers', (req, res) => {
    const { enterpriseId } = parseOrThrow(customerQuerySchema, req.query, 'query');
    const customer = findCustomerByEnterprise(store.data, enterpriseId);
    if (!customer) throw notFound('customer for enterprise', enterpriseId);
    respond(req, res, 200, customer);
  });

  v1.get('/customers/:id', (req, res) => {
    const id = param(req.params, 'id');
    const customer = store.data.customers[id];
    if (!customer) throw notFound('customer', id);
    respond(req, res, 200, customer);
  });

  v1.post(
    '/customers/:id/credits',
    idempotentWrite(createCreditSchema, (tx) => creditCustomer(tx, param(tx.params, 'id'), tx.input)),
  );

  v1.get('/prices', (req, res) => {
    respond(req, res, 200, PRICES);
  });

  v1.get('/prices/usage', (req, res) => {
    respond(req, res, 200, usagePrices(store.data));
  });

  v1.post(
    '/customers/:id/usage-charges',
    idempotentWrite(createUsageChargeSchema, (tx) => createUsageCharge(tx, param(tx.params, 'id'), tx.input)),
  );

  v1.get('/customers/:id/usage-charges', (req, res) => {
    const { month } = parseOrThrow(usageChargesQuerySchema, req.query, 'query');
    respond(req, res, 200, { items: listUsageCharges(store.data, param(req.params, 'id'), month) });
  });

  v1.get('/numbers', async (req, res) => {
    const query = parseOrThrow(numbersQuerySchema, req.query, 'query');
    await sweepExpired();
    respond(req, res, 200, listNumbers(store.data, query));
  });

  v1.post(
    '/numbers/import',
    idempotentWrite(importNumbersSchema, (tx) => importNumbers(tx, tx.input)),
  );

  v1.post(
    '/numbers/release',
    idempotentWrite(releaseNumbersSchema, (tx) => releaseNumbers(tx, tx.input)),
  );

  // One number: whom billing holds it for, or why it is set aside.
  v1.get('/numbers/:number', async (req, res) => {
    await sweepExpired();
    respond(req, res, 200, getNumber(store.data, param(req.params, 'number')));
  });

  v1.post(
    '/numbers/:number/recovery-orders',
    idempotentWrite(recoveryOrderSchema, (tx) => createRecoveryOrder(tx, param(tx.params, 'number'), tx.input)),
  );

  v1.post(
    '/numbers/:number/quarantine',
    idempotentWrite(quarantineNumberSchema, (tx) => quarantineNumber(tx, param(tx.params, 'number'), tx.input)),
  );

  v1.post(
    '/numbers/:number/release-quarantine',
    idempotentWrite(releaseQuarantineSchema, (tx) => releaseQuarantine(tx, param(tx.params, 'number'), tx.input)),
  );

  v1.post(
    '/reservations',
    idempotentWrite(createReservationSchema, (tx) => createReservation(tx, tx.input)),
  );

  v1.get('/reservations', async (req, res) => {
    const query = parseOrThrow(reservationsQuerySchema, req.query, 'query');
    await sweepExpired();
    respond(req, res, 200, filterBy(Object.values(store.data.reservations), query));
  });

  v1.get('/reservations/:id', async (req, res) => {
    const id = param(req.params, 'id');
    await sweepExpired();
    const reservation = store.data.reservations[id];
    if (!reservation) throw notFound('reservation', id);
    respond(req, res, 200, reservation);
  });

  v1.delete(
    '/reservations/:id',
    idempotentWrite(emptyBodySchema, (tx) => releaseReservation(tx, param(tx.params, 'id'))),
  );

  v1.post(
    '/orders',
    idempotentWrite(createOrderSchema, (tx) => createOrder(tx, tx.input)),
  );

  v1.get('/orders', (req, res) => {
    const query = parseOrThrow(ordersQuerySchema, req.query, 'query');
    respond(req, res, 200, filterBy(Object.values(store.data.orders), query));
  });

  v1.get('/orders/:id', (req, res) => {
    const id = param(req.params, 'id');
    const order = store.data.orders[id];
    if (!order) throw notFound('order', id);
    respond(req, res, 200, order);
  });

  v1.post(
    '/orders/:id/charge',
    idempotentWrite(emptyBodySchema, (tx) => chargeOrder(tx, param(tx.params, 'id'))),
  );

  v1.post(
    '/orders/:id/void',
    idempotentWrite(emptyBodySchema, (tx) => voidOrder(tx, param(tx.params, 'id'))),
  );

  v1.post(
    '/orders/:id/refund',
    idempotentWrite(refundOrderSchema, (tx) => refundOrder(tx, param(tx.params, 'id'), tx.input)),
  );

  v1.post(
    '/charges',
    idempotentWrite(createChargeSchema, (tx) => createCharge(tx, tx.input)),
  );

  v1.get('/charges', (req, res) => {
    const query = parseOrThrow(chargesQuerySchema, req.query, 'query');
    respond(req, res, 200, filterBy(Object.values(store.data.charges), query));
  });

  v1.post(
    '/invoices',
    idempotentWrite(createInvoiceSchema, (tx) => {
      const result = createInvoice(tx, tx.input);
      const invoice = result.body;
      if (result.status === 201) tx.after(() => armInvoice(invoice));
      return result;
    }),
  );

  v1.get('/invoices', (req, res) => {
    const query = parseOrThrow(invoicesQuerySchema, req.query, 'query');
    respond(req, res, 200, filterBy(Object.values(store.data.invoices), query));
  });

  v1.get('/invoices/:id', (req, res) => {
    const id = param(req.params, 'id');
    const invoice = store.data.invoices[id];
    if (!invoice) throw notFound('invoice', id);
    respond(req, res, 200, invoice);
  });

  v1.get('/invoices/:id/pdf', (req, res) => {
    const id = param(req.params, 'id');
    const invoice = store.data.invoices[id];
    if (!invoice) throw notFound('invoice', id);
    if (invoice.status !== 'issued')
      throw new ProblemError(
        404,
        'not-found',
        'Not found',
        `invoice ${id} is not issued yet; its PDF appears once it is`,
      );
    const order = store.data.orders[invoice.orderId];
    const customer = store.data.customers[invoice.customerId];
    if (!order || !customer)
      throw new ProblemError(
        500,
        'internal-error',
        'Internal error',
        `invoice ${id} refers to a missing order or customer`,
      );
    res
      .status(200)
      .type('application/pdf')
      .set('Content-Disposition', `inline; filename="${invoice.id}.pdf"`)
      .send(renderInvoicePdf(invoice, order, customer));
  });

  http.finish();

  // A fresh store starts with the provider's stock of numbers.
  if (Object.keys(store.data.numbers).length === 0) {
    store.update(seedInventory).catch((error: unknown) => {
      console.error(`billing sandbox: could not write ${store.file}:`, error);
    });
  }
  // A store from before the price list (or one of its entries), or a fresh one, gets the default per-minute prices.
  if (DEFAULT_USAGE_PRICES.some((p) => !store.data.usagePrices[`${p.numberType}/${p.direction}`])) {
    store.update(seedUsagePrices).catch((error: unknown) => {
      console.error(`billing sandbox: could not write ${store.file}:`, error);
    });
  }
  // Work left by an earlier run: invoices still to issue, events still to deliver.
  for (const invoice of Object.values(store.data.invoices)) armInvoice(invoice);
  webhooks?.resume();

  return {
    app,
    store,
    webhook: { url: options.webhookUrl, secret: options.webhookSecret },
    faults: () => faults.get(),
    setFaults: (patch) => faults.set(patch),
    webhookDeliveries: () => Object.values(store.data.webhookEvents).map((event) => structuredClone(deliveryOf(event))),
    async close() {
      closed = true;
      http.releaseHeld();
      for (const timer of invoiceTimers.values()) clearTimeout(timer);
      invoiceTimers.clear();
      await webhooks?.close();
      await store.flush();
    },
  };
}

function openStore(options: BillingSandboxOptions): BillingStore {
  if (options.store) return options.store;
  if (options.dataFile) return BillingStore.load(options.dataFile);
  throw new Error('createBillingSandbox needs a store or a dataFile');
}

function findCustomerByEnterprise(data: Readonly<BillingData>, enterpriseId: string): Customer | undefined {
  return Object.values(data.customers).find((customer) => customer.enterpriseId === enterpriseId);
}

/** The test checkout page (development only): what is paid, and one button to pay it. */
function checkoutPage(order: { id: string; amountFen: number; status: string; numbers: string[] }): string {
  const id = escapeHtml(order.id);
  const amount = (order.amountFen / 100).toFixed(2);
  const action =
    order.status === 'unpaid'
      ? `<form method="post" action="/_sandbox/checkout/${encodeURIComponent(order.id)}"><button type="submit">支付 ${amount} 元 / Pay ${amount} yuan</button></form>`
      : `<p role="status">订单状态 Order status: ${escapeHtml(order.status)}</p>`;
  return `<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>支付订单 ${id} / Pay order ${id}</title></head>
<body><main><h1>支付订单 / Pay order ${id}</h1>
<p>金额 Amount: ${amount} 元</p><p>号码 Numbers: ${order.numbers.map(escapeHtml).join(', ')}</p>
<p>测试收银台：不产生真实扣款。Test checkout: no real money moves.</p>${action}</main></body></html>`;
}
