/**
 * The API's view of billing's number inventory: whom a number is sold or reserved to (for the
 * pre-checks of numbers an enterprise brings itself), the quarantined numbers support sees, and
 * returning one to sale. Built from config; reads plus the one write support makes.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import { is400Number, toE164, toNational } from '../domain/numbers';
import { HttpProblem } from './problem';

export interface BillingNumberRecord {
  number: string;
  type: string;
  areaCode: string | null;
  status: 'available' | 'reserved' | 'sold' | 'imported' | 'quarantined' | 'released' | 'cancelled';
  customerId?: string;
  releasedFrom?: { customerId: string; orderId: string; at: string; cancelledAt?: string };
  reservationId?: string;
  orderId?: string;
  quarantine?: { reason: string; reference: string; at: string };
  quarantineHistory?: {
    reason: string;
    reference: string;
    at: string;
    releasedAt: string;
    releasedBy: string;
    releaseReason: string;
  }[];
}

/** What the pre-checks need; a double in tests. */
export interface BillingNumberReader {
  /** The number's record in the inventory, or undefined when billing does not know it. */
  number(number: string): Promise<BillingNumberRecord | undefined>;
  /** An order (its reference names the case that placed it), or undefined. */
  order(id: string): Promise<{ id: string; paidAt: string | null; numbers: string[]; reference: string } | undefined>;
}

export interface BillingNumbersDeps {
  baseUrl: string;
  apiKey: string;
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

/** Billing writes fixed lines in E.164 and 400 numbers nationally. */
export function billingFormOf(number: string): string {
  return is400Number(number) ? toNational(number) : toE164(number);
}

export class BillingNumbers implements BillingNumberReader {
  private readonly fetch: typeof fetch;

  constructor(private readonly deps: BillingNumbersDeps) {
    this.fetch = deps.fetch ?? fetch;
  }

  static fromConfig(config: Config): BillingNumbers {
    return new BillingNumbers({ baseUrl: config.billing.url, apiKey: config.billing.apiKey });
  }

  async number(number: string): Promise<BillingNumberRecord | undefined> {
    const { status, body } = await this.call('GET', `/v1/numbers/${encodeURIComponent(billingFormOf(number))}`);
    if (status === 404) return undefined;
    return this.ok<BillingNumberRecord>(status, body);
  }

  /** A customer of billing (whose enterprise a number's holder is), or undefined. */
  async customer(id: string): Promise<{ id: string; enterpriseId: string; name: string } | undefined> {
    const { status, body } = await this.call('GET', `/v1/customers/${encodeURIComponent(id)}`);
    return status === 404 ? undefined : this.ok(status, body);
  }

  /** An order, or undefined. */
  async order(
    id: string,
  ): Promise<{ id: string; paidAt: string | null; numbers: string[]; reference: string } | undefined> {
    const { status, body } = await this.call('GET', `/v1/orders/${encodeURIComponent(id)}`);
    return status === 404 ? undefined : this.ok(status, body);
  }

  async quarantined(): Promise<BillingNumberRecord[]> {
    const { status, body } = await this.call('GET', '/v1/numbers?status=quarantined');
    return this.ok<BillingNumberRecord[]>(status, body);
  }

  /** Returns a quarantined number to sale; billing records who and why. */
  async releaseQuarantine(
    number: string,
    input: { by: string; reason: string },
    idempotencyKey = randomUUID(),
  ): Promise<BillingNumberRecord> {
    const { status, body } = await this.call(
      'POST',
      `/v1/numbers/${encodeURIComponent(billingFormOf(number))}/release-quarantine`,
      input,
      idempotencyKey,
    );
    if (status === 404) throw new HttpProblem(404, 'Not found', `billing has no number ${number}`);
    if (status === 409) throw new HttpProblem(409, 'Not quarantined', detailOf(body) ?? `${number} is not quarantined`);
    return this.ok<BillingNumberRecord>(status, body);
  }

  private ok<T>(status: number, body: unknown): T {
    if (status >= 200 && status < 300) return body as T;
    throw new HttpProblem(
      502,
      'Billing refused',
      `billing answered ${status}${detailOf(body) ? `: ${detailOf(body)}` : ''}`,
    );
  }

  private async call(
    method: string,
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.deps.apiKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    let response: Response;
    try {
      response = await this.fetch(`${this.deps.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.deps.requestTimeoutMs ?? 5_000),
      });
    } catch (err) {
      throw new HttpProblem(
        503,
        'Billing unavailable',
        `billing did not answer ${method} ${path}: ${(err as Error).message}`,
      );
    }
    if (response.status >= 500)
      throw new HttpProblem(503, 'Billing unavailable', `billing answered ${method} ${path} with ${response.status}`);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed };
  }
}

function detailOf(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && 'detail' in body
    ? String((body as { detail: unknown }).detail)
    : undefined;
}
