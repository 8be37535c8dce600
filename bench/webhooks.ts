/**
 * `npm run bench -- --only webhooks`: what events cost and how fast they reach a receiver.
 *
 * - Delay: 100 enterprise verifications in flight at once (each enterprise with an endpoint on a
 *   local receiver, support approving through the API); for every event, the time from the
 *   transition (`occurredAt`, the workflow task's time) to its arrival at the receiver.
 * - Throughput: the same verifications, `n` at a time `concurrency`, with webhooks on (events
 *   recorded and delivered to each enterprise's endpoint) and off (`WEBHOOKS_ENABLED=false`: the
 *   cases still call the recording activity, which stores nothing), one stack each, same run.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Principal } from '../api/auth';
import { startStack, type Stack, type TemporalServer } from '../test/support/stack';
import { AutoApprover } from './approver';
import { drive, enterpriseVerification, type BenchContext, type BenchEnterprise } from './kinds';
import { benchContext, enterprises } from './stack';
import { percentile, pool, round, timed } from './util';

export interface WebhooksResult {
  delay: {
    casesInFlight: number;
    events: number;
    delivered: number;
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
  };
  throughput: {
    cases: number;
    concurrency: number;
    on: { seconds: number; casesPerSecond: number; eventsDelivered: number };
    off: { seconds: number; casesPerSecond: number };
    ratio: number;
  };
}

interface Receiver {
  url: string;
  arrivals: { id: string; caseId: string; delayMs: number }[];
  stop(): Promise<void>;
}

/** A receiver that answers 204 at once and notes when each event arrived. */
async function startReceiver(): Promise<Receiver> {
  const arrivals: Receiver['arrivals'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const event = JSON.parse(Buffer.concat(chunks).toString()) as { id: string; caseId: string; occurredAt: string };
      arrivals.push({ id: event.id, caseId: event.caseId, delayMs: at - Date.parse(event.occurredAt) });
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    arrivals,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function withStack<T>(
  server: TemporalServer,
  bundlePath: string,
  tokens: [string, Principal][],
  env: Record<string, string>,
  work: (stack: Stack, ctx: BenchContext) => Promise<T>,
): Promise<T> {
  const stack = await startStack({
    temporalAddress: server.address,
    workflowBundlePath: bundlePath,
    worker: 'child',
    mail: { headersOnly: true },
    extraTokens: tokens,
    env: { LOG_LEVEL: 'warn', VERIFICATION_REVIEW_SLA: '1d', VERIFICATION_RESUBMISSION_WINDOW: '14d', ...env },
  });
  const ctx = benchContext(stack);
  const approver = new AutoApprover(ctx, [enterpriseVerification]);
  approver.start();
  try {
    return await work(stack, ctx);
  } finally {
    await approver.stop();
    await stack.stop();
  }
}

async function endpointsFor(ctx: BenchContext, ents: BenchEnterprise[], url: string): Promise<void> {
  await pool(ents.length, 16, (i) =>
    ctx.api.expect(201, 'POST', `/v1/enterprises/${ents[i]!.id}/webhook-endpoints`, ents[i]!.token, { url }),
  );
}

/** Waits until every event the feed holds for these enterprises has arrived (or 60 s pass). */
async function allDelivered(ctx: BenchContext, ents: BenchEnterprise[], receiver: Receiver): Promise<number> {
  const expected = new Set<string>();
  for (const e of ents) {
    let after = '';
    for (;;) {
      const page = await ctx.api.expect<{ items: { id: string }[]; nextCursor: string | null }>(
        200,
        'GET',
        `/v1/events?limit=500${after ? `&after=${after}` : ''}`,
        e.token,
      );
      for (const item of page.items) expected.add(item.id);
      if (page.items.length < 500 || !page.nextCursor) break;
      after = page.nextCursor;
    }
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const got = new Set(receiver.arrivals.map((a) => a.id));
    if ([...expected].every((id) => got.has(id)) || Date.now() > deadline) return expected.size;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function webhooks(
  o: { n: number; concurrency: number; warmup: number },
  server: TemporalServer,
  bundlePath: string,
  tag: string,
  log: (line: string) => void,
): Promise<WebhooksResult> {
  const inFlight = 100;
  const delayEnts = enterprises(tag, 'whd', inFlight + o.warmup);
  const onEnts = enterprises(tag, 'whon', o.n + o.warmup);
  const offEnts = enterprises(tag, 'whoff', o.n + o.warmup);
  const receiver = await startReceiver();
  try {
    const on = await withStack(
      server,
      bundlePath,
      [...delayEnts.tokens, ...onEnts.tokens],
      { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' },
      async (_stack, ctx) => {
        await endpointsFor(ctx, [...delayEnts.list, ...onEnts.list], receiver.url);
        const warm = delayEnts.list.slice(0, o.warmup);
        await pool(warm.length, warm.length, (i) => drive(enterpriseVerification, ctx, warm[i]!, i));
        log(`webhooks: ${inFlight} verifications in flight, events to the receiver`);
        const measured = delayEnts.list.slice(o.warmup);
        const from = receiver.arrivals.length;
        await pool(inFlight, inFlight, (i) => drive(enterpriseVerification, ctx, measured[i]!, i));
        const events = await allDelivered(ctx, measured, receiver);
        const mine = new Set(measured.map((e) => e.id));
        const delays = receiver.arrivals
          .slice(from)
          .filter((a) => mine.has(a.caseId.replace(/^verification-/, '')))
          .map((a) => a.delayMs);
        log(`webhooks: throughput with webhooks on, ${o.n} cases at concurrency ${o.concurrency}`);
        const tpWarm = onEnts.list.slice(0, o.warmup);
        await pool(tpWarm.length, tpWarm.length, (i) => drive(enterpriseVerification, ctx, tpWarm[i]!, i));
        const tpEnts = onEnts.list.slice(o.warmup);
        const before = receiver.arrivals.length;
        const run = await timed(() =>
          pool(o.n, o.concurrency, (i) => drive(enterpriseVerification, ctx, tpEnts[i]!, i)),
        );
        await allDelivered(ctx, tpEnts, receiver);
        return {
          delay: {
            casesInFlight: inFlight,
            events,
            delivered: delays.length,
            p50Ms: round(percentile(delays, 50), 0),
            p99Ms: round(percentile(delays, 99), 0),
            maxMs: Math.max(...delays),
          },
          tp: { seconds: run.ms / 1000, eventsDelivered: receiver.arrivals.length - before },
        };
      },
    );
    log(`webhooks: throughput with webhooks off`);
    const off = await withStack(server, bundlePath, offEnts.tokens, { WEBHOOKS_ENABLED: 'false' }, async (_s, ctx) => {
      const warm = offEnts.list.slice(0, o.warmup);
      await pool(warm.length, warm.length, (i) => drive(enterpriseVerification, ctx, warm[i]!, i));
      const measured = offEnts.list.slice(o.warmup);
      const run = await timed(() =>
        pool(o.n, o.concurrency, (i) => drive(enterpriseVerification, ctx, measured[i]!, i)),
      );
      return { seconds: run.ms / 1000 };
    });
    const onRate = o.n / on.tp.seconds;
    const offRate = o.n / off.seconds;
    return {
      delay: on.delay,
      throughput: {
        cases: o.n,
        concurrency: o.concurrency,
        on: { seconds: round(on.tp.seconds), casesPerSecond: round(onRate), eventsDelivered: on.tp.eventsDelivered },
        off: { seconds: round(off.seconds), casesPerSecond: round(offRate) },
        ratio: round(onRate / offRate, 3),
      },
    };
  } finally {
    await receiver.stop();
  }
}
