/**
 * Billing: the provider's back office (customers, and later orders, payments and invoices).
 * Every write carries an idempotency key derived from the case, so retries and worker crashes
 * never repeat a write. 5xx, 429 and timeouts are retried by Temporal; other 4xx are final.
 */
import { ApplicationFailure } from '@temporalio/common';

export interface BillingDeps {
  baseUrl: string;
  apiKey: string;
  /** Per-request timeout; the activity's own timeout bounds the retries. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

export interface BillingCustomer {
  id: string;
  enterpriseId: string;
  name: string;
  contactEmail?: string;
  balanceFen: number;
}

export class BillingClient {
  private readonly fetch: typeof fetch;
  constructor(private readonly deps: BillingDeps) {
    this.fetch = deps.fetch ?? fetch;
  }

  async request<T>(method: string, path: string, options: { body?: unknown; idempotencyKey?: string } = {}): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.deps.apiKey}`, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    let response: Response;
    try {
      response = await this.fetch(`${this.deps.baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.deps.requestTimeoutMs ?? 10_000),
      });
    } catch (err) {
      // Network failure or timeout: the write may or may not have happened; the key makes a retry safe.
      throw new Error(`billing ${method} ${path} did not answer: ${(err as Error).message}`);
    }
    const text = await response.text();
    const body = text ? safeJson(text) : undefined;
    if (response.ok) return body as T;
    const detail = typeof body === 'object' && body && 'detail' in body ? String((body as { detail: unknown }).detail) : text.slice(0, 300);
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new Error(`billing ${method} ${path} answered ${response.status}: ${detail}`);
    }
    throw ApplicationFailure.create({
      type: response.status === 404 ? 'BillingNotFound' : 'BillingRejected',
      message: `billing ${method} ${path} answered ${response.status}: ${detail}`,
      details: [{ status: response.status, body }],
      nonRetryable: true,
    });
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function createBillingActivities(client: BillingClient) {
  return {
    /** Creates or updates the enterprise's billing customer; its name is the only invoice title. */
    async ensureBillingCustomer(input: { enterpriseId: string; name: string; contactEmail: string; idempotencyKey: string }): Promise<{ customerId: string }> {
      const customer = await client.request<BillingCustomer>('POST', '/v1/customers', {
        body: { enterpriseId: input.enterpriseId, name: input.name, contactEmail: input.contactEmail },
        idempotencyKey: input.idempotencyKey,
      });
      return { customerId: customer.id };
    },
  };
}

export type BillingActivities = ReturnType<typeof createBillingActivities>;
