/**
 * Billing's HTTP client and what it answers: customers, numbers, reservations, orders and
 * invoices, with the numbers also in the form people read them.
 */
import { ApplicationFailure } from '@temporalio/common';
import { formatNumber } from '../../domain/numbers';
import { HttpServiceClient, type HttpServiceDeps } from '../http-client';

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
export async function numberRecord(client: BillingClient, number: string): Promise<NumberRecord | null> {
  try {
    return await client.request<NumberRecord>('GET', `/v1/numbers/${encodeURIComponent(number)}`);
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === 'BillingNotFound') return null;
    throw err;
  }
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
export function orderOf(client: BillingClient, order: Omit<Order, 'display'>): Order {
  return withDisplay({ ...order, ...(order.checkoutUrl ? { checkoutUrl: client.absolute(order.checkoutUrl) } : {}) });
}

export function withDisplay<T extends { numbers: string[] }>(value: T): T & { display: string[] } {
  return { ...value, display: value.numbers.map(formatNumber) };
}

/** A charge either goes through or meets an empty balance; the latter is business, not failure. */
export type ChargeOutcome<T> =
  { status: 'paid'; value: T } | { status: 'insufficient-balance'; balanceFen: number; amountFen: number };

export async function orInsufficient<T>(call: () => Promise<T>): Promise<ChargeOutcome<T>> {
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
