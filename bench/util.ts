/** Small helpers of the bench: a concurrency pool, percentiles, an HTTP client for the API. */
import { performance } from 'node:perf_hooks';
import type { DocumentKind, DocumentRef } from '../domain/verification';
import { httpCall } from '../test/support/http';

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at once; results in order. */
export async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  let failed = false;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count && !failed) {
      const i = next++;
      try {
        results[i] = await task(i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  });
  // On a failure the other lanes finish the task in hand and stop, so nothing is still calling
  // the stack when the caller tears it down; the first failure is the one thrown.
  const settled = await Promise.allSettled(lanes);
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) throw failure.reason;
  return results;
}

/** Times `task` in milliseconds. */
export async function timed<T>(task: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await task();
  return { ms: performance.now() - started, value };
}

/** Nearest-rank percentile of samples (ms). */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what}: ${status} ${JSON.stringify(body).slice(0, 500)}`);
  }
}

/** The product's API over real HTTP (fetch, keep-alive), as a client program would call it. */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async call<T = any>(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    return httpCall<T>(`${this.baseUrl}${path}`, method, { authorization: `Bearer ${token}`, ...headers }, body);
  }

  /** Like `call`, but anything other than the expected status is an error. */
  async expect<T = any>(status: number, method: string, path: string, token: string, body?: unknown): Promise<T> {
    const res = await this.call<T>(method, path, token, body);
    if (res.status !== status) throw new HttpError(res.status, res.body, `${method} ${path}`);
    return res.body;
  }

  async upload(token: string, kind: DocumentKind, bytes: Buffer, enterpriseId?: string): Promise<DocumentRef> {
    const form = new FormData();
    form.set('kind', kind);
    if (enterpriseId) form.set('enterpriseId', enterpriseId);
    form.set('file', new Blob([bytes], { type: 'application/pdf' }), `${kind}.pdf`);
    const res = await fetch(`${this.baseUrl}/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const body = (await res.json()) as { documentId: string };
    if (res.status !== 201) throw new HttpError(res.status, body, 'POST /v1/documents');
    return { kind, documentId: body.documentId };
  }
}

const beforeFatal: (() => Promise<unknown>)[] = [];

/**
 * What to stop before a bench dies of an error: its Temporal dev server, which would outlive an
 * exit (child processes of the bench are reaped on exit already).
 */
export function stopOnFatal(stop: () => Promise<unknown>): void {
  beforeFatal.push(stop);
}

/**
 * Runs a bench command: exits 0 when it is done, 1 with the error (its own, or one no part caught,
 * after `stopOnFatal`'s work, 15 s at most), 130 on Ctrl-C (so worker processes are reaped).
 */
export function runMain(main: () => Promise<void>): void {
  process.once('SIGINT', () => process.exit(130));
  const fatal = (err: unknown) => {
    console.error(err);
    void Promise.race([Promise.allSettled(beforeFatal.map((stop) => stop())), sleep(15_000)]).finally(() =>
      process.exit(1),
    );
  };
  process.once('uncaughtException', fatal);
  process.once('unhandledRejection', fatal);
  main().then(() => process.exit(0), fatal);
}
