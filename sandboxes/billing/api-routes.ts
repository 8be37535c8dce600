/**
 * The billing contract under /v1: customers and their balance, prices, usage charges, the number
 * inventory, reservations, orders, charges and invoices. Writes go through the idempotency
 * protocol; reads of the inventory first end reservations past their TTL.
 */
import type { Request, RequestHandler } from 'express';
import type { z } from 'zod';
import { param, type SandboxHttp } from '../common/http';
import { ProblemError, notFound, parseOrThrow } from '../common/problem';
import { PRICES } from './catalog';
import type { Commit } from './commit';
import { createCustomer, findCustomerByEnterprise } from './customers';
import {
  getNumber,
  importNumbers,
  listNumbers,
  quarantineNumber,
  releaseNumbers,
  releaseQuarantine,
} from './inventory';
import { renderInvoicePdf } from './invoice-pdf';
import type { InvoiceTimers } from './invoice-timers';
import { createInvoice } from './invoices';
import { creditCustomer, createCharge } from './ledger';
import { chargeOrder, createOrder, createRecoveryOrder, refundOrder, voidOrder } from './orders';
import { createReservation, releaseReservation } from './reservations';
import {
  chargesQuerySchema,
  createChargeSchema,
  createCreditSchema,
  createCustomerSchema,
  createInvoiceSchema,
  createOrderSchema,
  createReservationSchema,
  customerQuerySchema,
  emptyBodySchema,
  importNumbersSchema,
  invoicesQuerySchema,
  numbersQuerySchema,
  ordersQuerySchema,
  quarantineNumberSchema,
  recoveryOrderSchema,
  refundOrderSchema,
  releaseNumbersSchema,
  releaseQuarantineSchema,
  reservationsQuerySchema,
} from './schemas';
import type { BillingData, BillingStore } from './store';
import { filterBy, type Tx } from './tx';
import {
  createUsageCharge,
  createUsageChargeSchema,
  listUsageCharges,
  usageChargesQuerySchema,
  usagePrices,
} from './usage';

/** What the billing routes work with. */
export interface BillingRouteContext {
  store: BillingStore;
  http: SandboxHttp<Tx>;
  commit: Commit;
  /** Reads see reservations expire on time even when nothing was written since. */
  sweepExpired(): Promise<void>;
  invoiceTimers: InvoiceTimers;
}

type Collection = 'customers' | 'reservations' | 'orders' | 'charges' | 'invoices';

export function mountBillingApi(context: BillingRouteContext): void {
  mountCustomerRoutes(context);
  mountInventoryRoutes(context);
  mountOrderRoutes(context);
  mountInvoiceRoutes(context);
}

/** Reads one record by its `:id`, or answers 404. */
function getById(context: BillingRouteContext, collection: Collection, what: string, sweep = false): RequestHandler {
  return async (req, res) => {
    const id = param(req.params, 'id');
    if (sweep) await context.sweepExpired();
    const record = context.store.data[collection][id];
    if (!record) throw notFound(what, id);
    context.http.respond(req, res, 200, record);
  };
}

/** Lists a collection's records whose fields equal the query's filters. */
function listBy<Q extends Partial<Record<string, string>>>(
  context: BillingRouteContext,
  collection: Exclude<Collection, 'customers'>,
  schema: z.ZodType<Q>,
  sweep = false,
): RequestHandler {
  return async (req, res) => {
    const query = parseOrThrow(schema, req.query, 'query');
    if (sweep) await context.sweepExpired();
    const records: BillingData[typeof collection][string][] = Object.values(context.store.data[collection]);
    context.http.respond(req, res, 200, filterBy(records, query as Partial<Record<string, string>>));
  };
}

function mountCustomerRoutes(context: BillingRouteContext): void {
  const { store, http } = context;
  const { v1, respond, idempotentWrite } = http;
  v1.post(
    '/customers',
    idempotentWrite(createCustomerSchema, (tx) => createCustomer(tx, tx.input)),
  );
  v1.get('/customers', (req, res) => {
    const { enterpriseId } = parseOrThrow(customerQuerySchema, req.query, 'query');
    const customer = findCustomerByEnterprise(store.data, enterpriseId);
    if (!customer) throw notFound('customer for enterprise', enterpriseId);
    respond(req, res, 200, customer);
  });
  v1.get('/customers/:id', getById(context, 'customers', 'customer'));
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
}

function mountInventoryRoutes(context: BillingRouteContext): void {
  const { store, http, sweepExpired } = context;
  const { v1, respond, idempotentWrite } = http;
  const numberOf = (params: Request['params']) => param(params, 'number');
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
    respond(req, res, 200, getNumber(store.data, numberOf(req.params)));
  });
  v1.post(
    '/numbers/:number/recovery-orders',
    idempotentWrite(recoveryOrderSchema, (tx) => createRecoveryOrder(tx, numberOf(tx.params), tx.input)),
  );
  v1.post(
    '/numbers/:number/quarantine',
    idempotentWrite(quarantineNumberSchema, (tx) => quarantineNumber(tx, numberOf(tx.params), tx.input)),
  );
  v1.post(
    '/numbers/:number/release-quarantine',
    idempotentWrite(releaseQuarantineSchema, (tx) => releaseQuarantine(tx, numberOf(tx.params), tx.input)),
  );
  v1.post(
    '/reservations',
    idempotentWrite(createReservationSchema, (tx) => createReservation(tx, tx.input)),
  );
  v1.get('/reservations', listBy(context, 'reservations', reservationsQuerySchema, true));
  v1.get('/reservations/:id', getById(context, 'reservations', 'reservation', true));
  v1.delete(
    '/reservations/:id',
    idempotentWrite(emptyBodySchema, (tx) => releaseReservation(tx, param(tx.params, 'id'))),
  );
}

function mountOrderRoutes(context: BillingRouteContext): void {
  const { v1, idempotentWrite } = context.http;
  v1.post(
    '/orders',
    idempotentWrite(createOrderSchema, (tx) => createOrder(tx, tx.input)),
  );
  v1.get('/orders', listBy(context, 'orders', ordersQuerySchema));
  v1.get('/orders/:id', getById(context, 'orders', 'order'));
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
  v1.get('/charges', listBy(context, 'charges', chargesQuerySchema));
}

function mountInvoiceRoutes(context: BillingRouteContext): void {
  const { store, http, invoiceTimers } = context;
  const { v1, idempotentWrite } = http;
  v1.post(
    '/invoices',
    idempotentWrite(createInvoiceSchema, (tx) => {
      const result = createInvoice(tx, tx.input);
      const invoice = result.body;
      if (result.status === 201) tx.after(() => invoiceTimers.arm(invoice));
      return result;
    }),
  );
  v1.get('/invoices', listBy(context, 'invoices', invoicesQuerySchema));
  v1.get('/invoices/:id', getById(context, 'invoices', 'invoice'));
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
}
