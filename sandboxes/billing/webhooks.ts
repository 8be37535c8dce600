/**
 * Event notifications: an event is recorded in the store together with the change it reports
 * (an outbox), then POSTed to the webhook URL, signed, and retried with backoff until a 2xx.
 * Undelivered events are picked up again when the sandbox starts.
 *
 * Two switches imitate a lossy sender: a dropped event is recorded and never sent (the client
 * must find the change by polling), a duplicated one is delivered twice with the same id.
 */
import { randomBytes } from 'node:crypto';
import { WEBHOOK_ATTEMPT_LOG_LIMIT, type BillingData, type BillingStore, type WebhookEvent } from './store';
import { WEBHOOK_SIGNATURE_HEADER, signWebhook } from './webhook-signature';

export type EventType = 'order.paid' | 'order.refunded' | 'invoice.issued';

/** Waits between attempts of one copy: 5 attempts in all. */
export const DEFAULT_WEBHOOK_RETRY_DELAYS_MS = [500, 1_000, 2_000, 4_000];
const ATTEMPT_TIMEOUT_MS = 10_000;

/** What `GET /_sandbox/webhooks` lists per event. */
export interface WebhookDelivery {
  eventId: string;
  type: string;
  createdAt: string;
  attempts: number;
  delivered: boolean;
  deliveredCopies: number;
  lastStatus: number | null;
  lastError: string | null;
  dropped: boolean;
  duplicated: boolean;
  gaveUp: boolean;
  attemptLog: WebhookEvent['attemptLog'];
}

export function deliveryOf(event: WebhookEvent): WebhookDelivery {
  return {
    eventId: event.id,
    type: event.type,
    createdAt: event.createdAt,
    attempts: event.attempts,
    delivered: event.delivered,
    deliveredCopies: event.deliveredCopies,
    lastStatus: event.lastStatus,
    lastError: event.lastError,
    dropped: event.dropped,
    duplicated: event.duplicated,
    gaveUp: event.gaveUp,
    attemptLog: event.attemptLog,
  };
}

/** Records an event inside a store change; `fate` is decided by the caller's fault switches. */
export function recordEvent(
  data: BillingData,
  type: EventType,
  resource: unknown,
  now: string,
  fate: 'deliver' | 'drop' | 'duplicate',
): WebhookEvent {
  const event: WebhookEvent = {
    id: `evt_${randomBytes(12).toString('hex')}`,
    type,
    createdAt: now,
    // A copy: the event reports the resource as it was at this change.
    data: structuredClone(resource),
    copies: fate === 'drop' ? 0 : fate === 'duplicate' ? 2 : 1,
    deliveredCopies: 0,
    attempts: 0,
    delivered: false,
    lastStatus: null,
    lastError: null,
    dropped: fate === 'drop',
    duplicated: fate === 'duplicate',
    gaveUp: false,
    attemptLog: [],
  };
  data.webhookEvents[event.id] = event;
  return event;
}

export interface WebhookDispatcherOptions {
  store: BillingStore;
  url: string;
  secret: string;
  clock: () => Date;
  retryDelaysMs?: number[];
  log?: (line: string) => void;
}

export class WebhookDispatcher {
  private readonly retryDelaysMs: number[];
  /** One delivery loop per event at most. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly abort = new AbortController();
  private closed = false;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_WEBHOOK_RETRY_DELAYS_MS;
  }

  /** Starts delivering an event unless it is being delivered already (the loop sees new copies). */
  kick(eventId: string): void {
    if (this.closed || this.running.has(eventId) || !this.pending(eventId)) return;
    const loop = this.deliver(eventId)
      .catch((error: unknown) => {
        this.options.log?.(`webhook ${eventId}: delivery stopped: ${messageOf(error)}`);
      })
      .finally(() => {
        this.running.delete(eventId);
        // A redelivery asked for while the loop was finishing.
        this.kick(eventId);
      });
    this.running.set(eventId, loop);
  }

  /** Picks up events left undelivered by an earlier run. */
  resume(): void {
    for (const event of Object.values(this.options.store.data.webhookEvents)) this.kick(event.id);
  }

  /** Stops retries and in-flight attempts; nothing is recorded afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    for (const wait of this.waits) {
      clearTimeout(wait.timer);
      wait.resolve();
    }
    this.waits.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  private pending(eventId: string): boolean {
    const event = this.options.store.data.webhookEvents[eventId];
    return !!event && !event.gaveUp && event.deliveredCopies < event.copies;
  }

  private async deliver(eventId: string): Promise<void> {
    const { store, url, secret, clock, log } = this.options;
    const maxAttempts = this.retryDelaysMs.length + 1;
    let attempt = 0;
    let target = -1;
    while (!this.closed && this.pending(eventId)) {
      const event = store.data.webhookEvents[eventId] as WebhookEvent;
      // A redelivery raises the copies: it gets a full set of attempts.
      if (event.copies !== target) {
        target = event.copies;
        attempt = 0;
      }
      attempt++;
      const copy = event.deliveredCopies + 1;
      const body = JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt, data: event.data });
      let status: number | null = null;
      let error: string | null = null;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'billing-sandbox-webhooks',
            [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, body, Math.floor(clock().getTime() / 1000)),
          },
          body,
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
        });
        status = response.status;
        // Drained so the connection can be reused.
        await response.arrayBuffer().catch(() => undefined);
      } catch (caught) {
        error = messageOf(caught);
      }
      if (this.closed) return;
      const ok = status !== null && status >= 200 && status < 300;
      const exhausted = !ok && attempt >= maxAttempts;
      // A failed file write keeps the change in memory (it goes out with the next write), so the
      // loop goes on rather than restarting without backoff.
      await store
        .update((data) => {
          const current = data.webhookEvents[eventId];
          if (!current) return;
          current.attempts++;
          current.lastStatus = status;
          current.lastError = error;
          current.attemptLog.push({ at: clock().toISOString(), copy, attempt, status, error });
          if (current.attemptLog.length > WEBHOOK_ATTEMPT_LOG_LIMIT)
            current.attemptLog.splice(0, current.attemptLog.length - WEBHOOK_ATTEMPT_LOG_LIMIT);
          if (ok) {
            current.deliveredCopies++;
            current.delivered = true;
          } else if (exhausted && current.copies === target) {
            current.gaveUp = true;
          }
        })
        .catch((failure: unknown) => log?.(`webhook ${eventId}: could not write ${store.file}: ${messageOf(failure)}`));
      log?.(
        `webhook ${event.type} ${eventId} copy ${copy} attempt ${attempt}: ${status ?? error}${exhausted ? ' (giving up)' : ''}`,
      );
      if (ok) {
        attempt = 0;
        continue;
      }
      if (exhausted) continue;
      await this.wait(this.retryDelaysMs[attempt - 1] ?? 0);
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        resolve,
        timer: setTimeout(() => {
          this.waits.delete(entry);
          resolve();
        }, ms),
      };
      this.waits.add(entry);
    });
  }
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch reports "fetch failed" and puts the reason (ECONNREFUSED, ...) in the cause.
  const cause = (error as { cause?: unknown }).cause;
  const code =
    cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
  return code ? `${error.message} (${code})` : error.message;
}
