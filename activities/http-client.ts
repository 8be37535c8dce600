/**
 * The one HTTP client of the activities that call HTTP services (billing, the contact-center
 * platform): JSON in and out, the API key, an idempotency key on writes, a timeout per request,
 * and the service's problem answers turned into failures Temporal retries or stops on.
 *
 * Requests go through one pool of kept-alive connections per worker, so a busy worker reuses its
 * connections instead of opening one per call. The client never retries: Temporal does, for 5xx,
 * 408, 429 and no answer.
 */
import { Agent, fetch as undiciFetch } from 'undici';

export interface HttpServiceDeps {
  baseUrl: string;
  apiKey: string;
  /** Per-request timeout; the activity's own timeout bounds the retries. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

/** A refusal the caller turns into a final failure: everything it may branch on. */
export interface Refusal {
  status: number;
  body: unknown;
  /** The problem's slug (`not-found`, `center-name-taken`), or '' when the answer is no problem. */
  problem: string;
  message: string;
}

export interface ServiceFailures {
  /** No answer, a timeout, or a 5xx, 408 or 429: an error Temporal retries. */
  unavailable(message: string): Error;
  /** Any other 4xx: a final failure. */
  refused(refusal: Refusal): Error;
}

export interface RequestOptions {
  body?: unknown;
  idempotencyKey?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

let pool: Agent | undefined;

/** The worker's kept-alive connections, shared by every service client. */
function connectionPool(): Agent {
  pool ??= new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 32 });
  return pool;
}

/** Fetch over the shared pool: every HTTP call of the activities (billing, the platform, the SBC's RPC). */
export const pooledFetch: typeof fetch = (input, init) =>
  undiciFetch(input as Parameters<typeof undiciFetch>[0], {
    ...(init as Parameters<typeof undiciFetch>[1]),
    dispatcher: connectionPool(),
  }) as unknown as Promise<Response>;

/** Closes the pooled connections (the worker's shutdown); the next request opens a new pool. */
export async function closeHttpPool(): Promise<void> {
  const closing = pool;
  pool = undefined;
  await closing?.close();
}

export class HttpServiceClient {
  private readonly fetch: typeof fetch;

  constructor(
    /** Names the service in messages, e.g. `billing`. */
    private readonly service: string,
    private readonly deps: HttpServiceDeps,
    private readonly failures: ServiceFailures,
  ) {
    this.fetch = deps.fetch ?? pooledFetch;
  }

  /** A link the service gives relative to its own address, made absolute (an absolute one is kept). */
  absolute(link: string): string {
    return new URL(link, `${this.deps.baseUrl}/`).toString();
  }

  /** Raw bytes of a document (e.g. an invoice PDF). */
  async bytes(path: string): Promise<Buffer> {
    const response = await this.fetch(`${this.deps.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${this.deps.apiKey}` },
      signal: this.timeout(),
    });
    if (!response.ok) {
      // Read to the end, so the connection goes back to the pool.
      await response.arrayBuffer().catch(() => undefined);
      throw new Error(`${this.service} GET ${path} answered ${response.status}`);
    }
    return Buffer.from(await response.arrayBuffer());
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.deps.apiKey}`, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(`${this.deps.baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: this.timeout(),
      });
      text = await response.text();
    } catch (err) {
      // Network failure or timeout: the write may or may not have happened; the key makes a retry safe.
      throw this.failures.unavailable(`${this.service} ${method} ${path} did not answer: ${(err as Error).message}`);
    }
    const body = text ? safeJson(text) : undefined;
    if (response.ok) return body as T;
    const problem =
      typeof body === 'object' && body !== null ? (body as { type?: unknown; detail?: unknown }) : ({} as const);
    const detail = typeof problem.detail === 'string' ? problem.detail : text.slice(0, 300);
    const message = `${this.service} ${method} ${path} answered ${response.status}: ${detail}`;
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw this.failures.unavailable(message);
    }
    const slug = typeof problem.type === 'string' ? problem.type.slice(problem.type.lastIndexOf('/') + 1) : '';
    throw this.failures.refused({ status: response.status, body, problem: slug, message });
  }

  private timeout(): AbortSignal {
    return AbortSignal.timeout(this.deps.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
