/**
 * Billing: the provider's back office (customers, and later orders, payments and invoices).
 * Every write carries an idempotency key derived from the case, so retries and worker crashes
 * never repeat a write. 5xx, 429 and timeouts are retried by Temporal; other 4xx are final.
 */
import { ApplicationFailure } from '@temporalio/common';
import { areaCodeOf, formatNumber, is400Number, toE164, toNational } from '../domain/numbers';
import { HttpServiceClient, type HttpServiceDeps } from './http-client';

export type BillingDeps = HttpServiceDeps;

export interface Invoice {
  id: string;
  customerId: string;
  orderId: string;
  title: string;
  remark?: string;
  amountFen: number;
  status: 'requested' | 'issued';
  requestedAt: string;
  issuedAt: string | null;
  pdfUrl: string | null;
}

export interface BillingCustomer {
  id: string;
  enterpriseId: string;
  name: string;
  contactEmail?: string;
  balanceFen: number;
}

/** Billing's HTTP API: 5xx, 408, 429 and no answer are retried; 404 and other 4xx are final. */
export class BillingClient extends HttpServiceClient {
  constructor(deps: BillingDeps) {
    super('billing', deps, {
      unavailable: (message) => new Error(message),
      refused: ({ status, body, message }) =>
        ApplicationFailure.create({
          type: status === 404 ? 'BillingNotFound' : 'BillingRejected',
          message,
          details: [{ status, body }],
          nonRetryable: true,
        }),
    });
  }
}

export interface NumberRecord {
  number: string;
  status: string;
  customerId?: string | null;
  quarantine?: { reason: string; reference: string };
  /** A released number: whose it was, and when the operator cancelled it, if it has. */
  releasedFrom?: { customerId: string; orderId: string; at: string; cancelledAt?: string };
}

/** Billing's record of a number, or null when billing does not know it. */
async function numberRecord(client: BillingClient, number: string): Promise<NumberRecord | null> {
  try {
    return await client.request<NumberRecord>('GET', `/v1/numbers/${encodeURIComponent(number)}`);
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === 'BillingNotFound') return null;
    throw err;
  }
}

/** Raw bytes of a billing document (e.g. an invoice PDF) for attaching to email. */
export async function fetchBillingBytes(client: BillingClient, path: string): Promise<Buffer> {
  return client.bytes(path);
}

export interface Reservation {
  id: string;
  numbers: string[];
  /** The numbers as people read them (`020-66240001`), for the case's steps and emails. */
  display: string[];
  status: string;
  expiresAt: string;
}

export interface Order {
  id: string;
  customerId: string;
  numbers: string[];
  type: string;
  prepaidMonths: number;
  monthlyRentFen: number;
  amountFen: number;
  status: 'unpaid' | 'paid' | 'void' | 'refunded';
  paidAt: string | null;
  reference: string;
  /** The numbers as people read them. */
  display: string[];
  /** Where the customer pays it online, when billing offers that (absolute). */
  checkoutUrl?: string;
}

/** An order as the product reads it: numbers in their written form, the checkout link absolute. */
function orderOf(client: BillingClient, order: Omit<Order, 'display'>): Order {
  return withDisplay({ ...order, ...(order.checkoutUrl ? { checkoutUrl: client.absolute(order.checkoutUrl) } : {}) });
}

function withDisplay<T extends { numbers: string[] }>(value: T): T & { display: string[] } {
  return { ...value, display: value.numbers.map(formatNumber) };
}

/** A charge either goes through or meets an empty balance; the latter is business, not failure. */
export type ChargeOutcome<T> =
  { status: 'paid'; value: T } | { status: 'insufficient-balance'; balanceFen: number; amountFen: number };

async function orInsufficient<T>(call: () => Promise<T>): Promise<ChargeOutcome<T>> {
  try {
    return { status: 'paid', value: await call() };
  } catch (err) {
    const details =
      err instanceof ApplicationFailure
        ? (err.details?.[0] as { status?: number; body?: { balanceFen?: number; amountFen?: number } } | undefined)
        : undefined;
    if (details?.status === 402) {
      return {
        status: 'insufficient-balance',
        balanceFen: details.body?.balanceFen ?? 0,
        amountFen: details.body?.amountFen ?? 0,
      };
    }
    throw err;
  }
}

export function createBillingActivities(client: BillingClient) {
  return {
    /** Creates or updates the enterprise's billing customer; its name is the only invoice title. */
    async ensureBillingCustomer(input: {
      enterpriseId: string;
      name: string;
      contactEmail: string;
      idempotencyKey: string;
    }): Promise<{ customerId: string }> {
      const customer = await client.request<BillingCustomer>('POST', '/v1/customers', {
        body: { enterpriseId: input.enterpriseId, name: input.name, contactEmail: input.contactEmail },
        idempotencyKey: input.idempotencyKey,
      });
      return { customerId: customer.id };
    },

    async reserveNumbers(input: {
      customerId: string;
      type: string;
      areaCode?: string;
      quantity: number;
      ttlSeconds: number;
      reference: string;
      idempotencyKey: string;
    }): Promise<Reservation> {
      const { idempotencyKey, ...body } = input;
      return withDisplay(await client.request<Reservation>('POST', '/v1/reservations', { body, idempotencyKey }));
    },

    /** Like `reserveNumbers`, but too little stock is an answer (the purchase decides), not a failure. */
    async tryReserveNumbers(input: {
      customerId: string;
      type: string;
      areaCode?: string;
      quantity: number;
      ttlSeconds: number;
      reference: string;
      idempotencyKey: string;
    }): Promise<
      | { status: 'reserved'; reservation: Reservation }
      | { status: 'insufficient-stock'; available: number; requested: number }
    > {
      const { idempotencyKey, ...body } = input;
      try {
        return {
          status: 'reserved',
          reservation: withDisplay(
            await client.request<Reservation>('POST', '/v1/reservations', { body, idempotencyKey }),
          ),
        };
      } catch (err) {
        const details =
          err instanceof ApplicationFailure
            ? (err.details?.[0] as { status?: number; body?: { available?: number; requested?: number } } | undefined)
            : undefined;
        if (details?.status === 409 && typeof details.body?.available === 'number') {
          return {
            status: 'insufficient-stock',
            available: details.body.available,
            requested: details.body.requested ?? input.quantity,
          };
        }
        throw err;
      }
    },

    /**
     * Sets numbers aside in the inventory (in service elsewhere): billing never reserves or sells
     * them again until support releases them. Quarantining one again is a no-op.
     */
    async quarantineNumbers(input: {
      numbers: string[];
      reason: string;
      reference: string;
      idempotencyKey: string;
    }): Promise<{ quarantined: string[] }> {
      for (const number of input.numbers) {
        await client.request('POST', `/v1/numbers/${encodeURIComponent(number)}/quarantine`, {
          body: { reason: input.reason, reference: input.reference },
          idempotencyKey: `${input.idempotencyKey}/${number}`,
        });
      }
      return { quarantined: input.numbers };
    },

    /**
     * An enterprise's own numbers are taken off sale while its case brings them in (a trunk or a
     * registration): set aside in billing with the case as the reason, so no purchase reserves one
     * meanwhile. A number billing does not know needs nothing; one reserved, sold or imported for
     * someone else is refused (`NumberHeldInBilling`), and the case does not go on with it.
     */
    async holdOwnNumbers(input: {
      numbers: string[];
      reason: string;
      reference: string;
      idempotencyKey: string;
    }): Promise<{ held: string[] }> {
      const held: string[] = [];
      for (const number of input.numbers) {
        const record = await numberRecord(client, number);
        if (!record) continue;
        if (record.status === 'quarantined') {
          if (record.quarantine?.reference === input.reference) held.push(number);
          continue;
        }
        if (record.status !== 'available') {
          throw ApplicationFailure.create({
            type: 'NumberHeldInBilling',
            message: `${formatNumber(number)} is ${record.status} in billing${record.customerId ? ` (customer ${record.customerId})` : ''}; it cannot be brought in`,
            nonRetryable: true,
          });
        }
        await client.request('POST', `/v1/numbers/${encodeURIComponent(number)}/quarantine`, {
          body: { reason: input.reason, reference: input.reference },
          idempotencyKey: `${input.idempotencyKey}/${number}`,
        });
        held.push(number);
      }
      return { held };
    },

    /** Puts back on sale the own numbers a case held, when it ends without bringing them in. */
    async releaseOwnNumbers(input: {
      numbers: string[];
      reference: string;
      reason: string;
      idempotencyKey: string;
    }): Promise<string> {
      const released: string[] = [];
      for (const number of input.numbers) {
        const record = await numberRecord(client, number);
        if (record?.status !== 'quarantined' || record.quarantine?.reference !== input.reference) continue;
        await client.request('POST', `/v1/numbers/${encodeURIComponent(number)}/release-quarantine`, {
          body: { by: `case ${input.reference}`, reason: input.reason },
          idempotencyKey: `${input.idempotencyKey}/${number}`,
        });
        released.push(formatNumber(number));
      }
      return released.length > 0 ? `back on sale in billing: ${released.join(', ')}` : 'nothing held in billing';
    },

    async releaseReservation(input: { reservationId: string; idempotencyKey: string }): Promise<void> {
      await client.request('DELETE', `/v1/reservations/${encodeURIComponent(input.reservationId)}`, {
        idempotencyKey: input.idempotencyKey,
      });
    },

    async createOrder(input: {
      customerId: string;
      reservationId: string;
      prepaidMonths: number;
      applicationNote?: string;
      reference: string;
      idempotencyKey: string;
    }): Promise<Order> {
      const { idempotencyKey, ...body } = input;
      return orderOf(client, await client.request<Order>('POST', '/v1/orders', { body, idempotencyKey }));
    },

    async chargeOrder(input: { orderId: string; idempotencyKey: string }): Promise<ChargeOutcome<Order>> {
      return orInsufficient(async () =>
        orderOf(
          client,
          await client.request<Order>('POST', `/v1/orders/${encodeURIComponent(input.orderId)}/charge`, {
            body: {},
            idempotencyKey: input.idempotencyKey,
          }),
        ),
      );
    },

    async getOrder(orderId: string): Promise<Order> {
      return orderOf(client, await client.request<Order>('GET', `/v1/orders/${encodeURIComponent(orderId)}`));
    },

    /**
     * Undoes whatever billing holds for a purchase case, found by its reference: a paid order is
     * refunded, an unpaid one voided, an active reservation released. Nothing there: nothing to
     * do. Registered before the first billing write, so a case cancelled or failed at any point
     * (even while a write was in flight) leaves nothing charged or held.
     */
    async undoPurchase(input: { reference: string; reason: string; idempotencyKey: string }): Promise<string> {
      const ref = encodeURIComponent(input.reference);
      const done: string[] = [];
      for (const order of await client.request<Order[]>('GET', `/v1/orders?reference=${ref}`)) {
        if (order.status === 'paid') {
          await client.request('POST', `/v1/orders/${encodeURIComponent(order.id)}/refund`, {
            body: { reason: input.reason },
            idempotencyKey: `${input.idempotencyKey}/refund/${order.id}`,
          });
          done.push(`order ${order.id} refunded (${order.amountFen} fen)`);
        } else if (order.status === 'unpaid') {
          await client.request('POST', `/v1/orders/${encodeURIComponent(order.id)}/void`, {
            body: {},
            idempotencyKey: `${input.idempotencyKey}/void/${order.id}`,
          });
          done.push(`order ${order.id} voided`);
        }
      }
      for (const reservation of await client.request<Reservation[]>(
        'GET',
        `/v1/reservations?reference=${ref}&status=active`,
      )) {
        await client.request('DELETE', `/v1/reservations/${encodeURIComponent(reservation.id)}`, {
          idempotencyKey: `${input.idempotencyKey}/release/${reservation.id}`,
        });
        done.push(`reservation ${reservation.id} released`);
      }
      return done.length > 0 ? done.join('; ') : 'nothing held in billing';
    },

    async voidOrder(input: { orderId: string; idempotencyKey: string }): Promise<Order> {
      return client.request<Order>('POST', `/v1/orders/${encodeURIComponent(input.orderId)}/void`, {
        body: {},
        idempotencyKey: input.idempotencyKey,
      });
    },

    async refundOrder(input: { orderId: string; reason: string; idempotencyKey: string }): Promise<Order> {
      return client.request<Order>('POST', `/v1/orders/${encodeURIComponent(input.orderId)}/refund`, {
        body: { reason: input.reason },
        idempotencyKey: input.idempotencyKey,
      });
    },

    /** A month's rent for a live subscription. */
    async chargeRent(input: {
      customerId: string;
      amountFen: number;
      description: string;
      reference: string;
      idempotencyKey: string;
    }): Promise<ChargeOutcome<{ id: string }>> {
      const { idempotencyKey, ...body } = input;
      return orInsufficient(() => client.request<{ id: string }>('POST', '/v1/charges', { body, idempotencyKey }));
    },

    /**
     * A month's call charges (or a supplement for calls accounted late). Billing answers a second
     * post for the same month and supplement with the first when the amount is the same, and
     * refuses another amount (409, non-retryable): a month is never billed twice.
     */
    async postUsageCharge(input: {
      customerId: string;
      month: string;
      amountFen: number;
      lines: {
        number: string;
        numberType: string;
        direction: string;
        calls: number;
        minutes: number;
        seconds: number;
        fenPerMinute: number;
        amountFen: number;
      }[];
      supplement?: number;
      reference: string;
      idempotencyKey: string;
    }): Promise<{ id: string; amountFen: number; supplement: number; createdAt: string }> {
      const { idempotencyKey, customerId, ...body } = input;
      return client.request('POST', `/v1/customers/${encodeURIComponent(customerId)}/usage-charges`, {
        body,
        idempotencyKey,
      });
    },

    /** An invoice for a paid order; billing accepts only the customer's name as its title. */
    async requestInvoice(input: {
      customerId: string;
      orderId: string;
      title: string;
      remark: string;
      reference: string;
      idempotencyKey: string;
    }): Promise<Invoice> {
      const { idempotencyKey, ...body } = input;
      return client.request<Invoice>('POST', '/v1/invoices', {
        body: { ...body, itemisation: 'by-consumption' },
        idempotencyKey,
      });
    },

    async getInvoice(invoiceId: string): Promise<Invoice> {
      return client.request<Invoice>('GET', `/v1/invoices/${encodeURIComponent(invoiceId)}`);
    },

    /** Numbers a supplier opened, entered into inventory for the customer. */
    async importNumbers(input: {
      customerId: string;
      numbers: string[];
      type: string;
      supplier: string;
      reference: string;
      idempotencyKey: string;
    }): Promise<{ numbers: string[]; display: string[] }> {
      await client.request('POST', '/v1/numbers/import', {
        body: {
          customerId: input.customerId,
          // Billing writes 400 numbers nationally and wants a fixed line's area code beside it.
          numbers: input.numbers.map((number) => ({
            number: is400Number(number) ? toNational(number) : toE164(number),
            type: input.type,
            supplier: input.supplier,
            ...(input.type === 'fixed-line' ? { areaCode: areaCodeOf(number) } : {}),
          })),
          reference: input.reference,
        },
        idempotencyKey: input.idempotencyKey,
      });
      return withDisplay({ numbers: input.numbers });
    },

    /** A number as billing holds it (fixed lines in E.164, 400 numbers national); null when unknown. */
    async getNumber(number: string): Promise<NumberRecord | null> {
      return numberRecord(client, is400Number(number) ? toNational(number) : toE164(number));
    },

    /** Orders a released number back for the customer that held it (seed 003 Q9). */
    async createRecoveryOrder(input: {
      number: string;
      customerId: string;
      prepaidMonths: number;
      reference: string;
      idempotencyKey: string;
    }): Promise<Order> {
      const key = is400Number(input.number) ? toNational(input.number) : toE164(input.number);
      const { number: _n, idempotencyKey, ...body } = input;
      return orderOf(
        client,
        await client.request<Order>('POST', `/v1/numbers/${encodeURIComponent(key)}/recovery-orders`, {
          body,
          idempotencyKey,
        }),
      );
    },

    /** Returns numbers to inventory when a subscription ends. */
    async releaseNumbers(input: { numbers: string[]; reference: string; idempotencyKey: string }): Promise<void> {
      await client.request('POST', '/v1/numbers/release', {
        body: { numbers: input.numbers, reference: input.reference },
        idempotencyKey: input.idempotencyKey,
      });
    },
  };
}

export type BillingActivities = ReturnType<typeof createBillingActivities>;
