/**
 * Requested invoices waiting to be issued: each is issued a fixed delay after its request, also
 * across restarts (the timers are armed again from the file).
 */
import { issueInvoice } from './invoices';
import type { Commit } from './commit';
import type { Invoice } from './store';

export const DEFAULT_INVOICE_DELAY_MS = 5_000;

export class InvoiceTimers {
  private closed = false;
  /** By invoice id. */
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly commit: Commit,
    private readonly clock: () => Date,
    private readonly delayMs: number = DEFAULT_INVOICE_DELAY_MS,
  ) {
    if (!Number.isSafeInteger(delayMs) || delayMs < 0)
      throw new Error(`invoiceDelayMs must be whole milliseconds, got ${delayMs}`);
  }

  arm(invoice: Invoice): void {
    if (this.closed || this.timers.has(invoice.id) || invoice.status !== 'requested') return;
    const dueMs = Date.parse(invoice.requestedAt) + this.delayMs;
    // Bounded by the delay, so a clock set far back cannot postpone an invoice indefinitely.
    const waitMs = Math.min(this.delayMs, Math.max(0, dueMs - this.clock().getTime()));
    const timer = setTimeout(() => {
      this.timers.delete(invoice.id);
      if (this.closed) return;
      this.commit((tx) => issueInvoice(tx, invoice.id)).catch((error: unknown) => {
        console.error(`billing sandbox: could not issue invoice ${invoice.id}:`, error);
      });
    }, waitMs);
    this.timers.set(invoice.id, timer);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
