/**
 * The scale part: thousands of verifications waiting on review at once, the worker's memory while
 * they wait, their approval latency beside that with few cases open, and the baseline of the same
 * shape parked on its update.
 */
import { WorkflowUpdateRPCTimeoutOrCancelledError, type WorkflowHandle } from '@temporalio/client';
import type { BaselineInput } from './baseline-workflow';
import { startBaseline } from './baseline-client';
import type { Stack, TemporalServer } from '../test/support/stack';
import { baselineUpdates, fetchHistory, opensWithUpdate, shapeOf, type CaseShape } from './history';
import { enterpriseVerification, type BenchContext, type BenchEnterprise } from './kinds';
import { log, type Options } from './options';
import {
  benchContext,
  benchStack,
  count,
  enterprises,
  RssSampler,
  spawnBaselineWorker,
  type SamplerCounts,
} from './stack';
import { HttpError, percentile, pool, round, sleep, timed } from './util';

/** Cases open at once for the reference approval latency (the target compares the large run's p99 with it). */
const SCALE_REFERENCE = 100;

/** The product's cases of one scale run: opened through the API, approved through the API, counted in visibility. */
class ScaleCases {
  constructor(
    private readonly ctx: BenchContext,
    private readonly ents: BenchEnterprise[],
    private readonly concurrency: number,
  ) {}

  private get queue(): string {
    return this.ctx.stack.config.temporal.taskQueue;
  }

  count(q: string): Promise<number> {
    return count(this.ctx.stack, this.queue, q);
  }

  /** Starts `n` verifications through the API, waits until all await review; their ids. */
  async open(first: number, n: number, what: string): Promise<{ ids: string[]; ms: number }> {
    let started = 0;
    const progress = setInterval(() => log(`scale: ${what}: ${started}/${n} started`), 15_000);
    const start = await timed(() =>
      pool(n, this.concurrency, async (i) => {
        const id = await enterpriseVerification.start(this.ctx, this.ents[first + i]!, first + i);
        started++;
        return id;
      }),
    ).finally(() => clearInterval(progress));
    log(`scale: ${what}: started in ${round(start.ms / 1000)} s; waiting for all to await review`);
    const waitStarted = Date.now();
    for (;;) {
      const waiting = await this.count(`OnboardingStage = 'awaiting-review' AND ExecutionStatus = 'Running'`);
      if (waiting >= n) break;
      if (Date.now() - waitStarted > 30 * 60_000) throw new Error(`only ${waiting}/${n} cases reached awaiting-review`);
      await sleep(1_000);
    }
    // A case shows its stage before its worker has sent support the review email: wait for those
    // too, so the approvals measured next do not queue behind the openings' last activities.
    const ids = new Set(start.value);
    for (;;) {
      const sent = this.ctx.stack.mail.messages.filter(
        (m) => m.event === 'verification-submitted' && ids.has(m.caseId),
      ).length;
      if (sent >= n) break;
      if (Date.now() - waitStarted > 30 * 60_000) throw new Error(`only ${sent}/${n} review emails sent`);
      await sleep(1_000);
    }
    log(
      `scale: ${what}: all ${n} await review, support told of each, ${round((Date.now() - waitStarted) / 1000)} s after the last start`,
    );
    return { ids: start.value, ms: start.ms };
  }

  /** Approves every case through the API; resolves once all `expectCompleted` cases of the queue are completed. */
  async approveAll(
    ids: string[],
    expectCompleted: number,
  ): Promise<{ ms: number; p50: number; p99: number; notAwaited: number }> {
    const approveMs: number[] = [];
    let notAwaited = 0;
    const all = await timed(async () => {
      await pool(ids.length, this.concurrency, async (i) => {
        const t = await timed(() =>
          this.ctx.api.call('POST', `/v1/onboardings/${ids[i]}/actions/approve`, this.ctx.supportToken, {
            note: 'bench: scale',
          }),
        );
        approveMs.push(t.ms);
        // Counted, not fatal: the case must still complete (the outcome check below says if one did not).
        if (t.value.status === 409 && String(t.value.body?.type).endsWith('/action-not-awaited')) notAwaited++;
        else if (t.value.status !== 200)
          throw new HttpError(t.value.status, t.value.body, `POST /v1/onboardings/${ids[i]}/actions/approve`);
      });
      while ((await this.count(`ExecutionStatus = 'Completed'`)) < expectCompleted) await sleep(250);
    });
    return { ms: all.ms, p50: percentile(approveMs, 50), p99: percentile(approveMs, 99), notAwaited };
  }

  /** How the cases ended, as visibility lists them; throws unless every one completed. */
  async outcome(ids: string[]): Promise<{ completed: number; lost: number; failed: number }> {
    const seen = new Map<string, string>();
    const query = `TaskQueue = '${this.queue}'`;
    for await (const wf of this.ctx.stack.client.workflow.list({ query, pageSize: 1000 }))
      seen.set(wf.workflowId, wf.status.name);
    const lost = ids.filter((id) => seen.get(id) === undefined).length;
    const completed = ids.filter((id) => seen.get(id) === 'COMPLETED').length;
    const failed = ids.filter((id) => seen.get(id) !== undefined && seen.get(id) !== 'COMPLETED').length;
    if (lost > 0 || completed !== ids.length)
      throw new Error(`scale: ${completed}/${ids.length} completed, ${lost} lost, ${failed} not completed`);
    return { completed, lost, failed };
  }
}

export async function scale(
  o: Options,
  server: TemporalServer,
  bundlePath: string,
  baselineBundle: string,
  tag: string,
) {
  const M = o.scale;
  const C = o.scaleConcurrency;
  const { list: ents, tokens } = enterprises(tag, 's', M + SCALE_REFERENCE);
  const stack = await benchStack(o, server, bundlePath, tokens);
  const cases = new ScaleCases(benchContext(stack), ents, C);
  const rss = new RssSampler(() => stack.workerProcess);
  const cache = stack.config.temporal.maxCachedWorkflows;
  const memorySamples: Record<string, SamplerCounts> = {};

  try {
    await sleep(3_000);
    const idleMemory = await stack.workerProcess!.memory({ collect: true });
    const idle = idleMemory.rss;
    // The reference first: approvals with few cases open, on the same worker and server.
    log(`scale: reference: ${SCALE_REFERENCE} cases open, then approved`);
    const refOpened = await cases.open(M, SCALE_REFERENCE, 'reference');
    const reference = await cases.approveAll(refOpened.ids, SCALE_REFERENCE);
    log(`scale: reference: approve p50 / p99 ${round(reference.p50)} / ${round(reference.p99)} ms`);

    log(
      `scale: starting ${M} cases through the API at concurrency ${C} (worker RSS idle ${Math.round(idle / 2 ** 20)} MiB)`,
    );
    const opened = await cases.open(0, M, 'product');
    const ids = opened.ids;
    log(`scale: all ${M} wait on approval; sampling worker RSS for 15 s`);
    // What opening left behind on the main thread (uploads, pre-checks, emails) is not the cache's.
    await stack.workerProcess!.memory({ collect: true });
    rss.start();
    await sleep(15_000);
    const waiting = await rss.stop();
    memorySamples.productWaiting = waiting.counts;

    // The approval latency with M open: a burst of as many approvals as the reference's, at the same
    // concurrency, spread over the cases (the first opened are long out of the cache), so the two
    // bursts differ only in how many cases are open beside them.
    const sampled = spread(ids, Math.min(SCALE_REFERENCE, M));
    log(`scale: approving ${sampled.length} of the ${M} open cases at concurrency ${C}`);
    const sample = await cases.approveAll(sampled, SCALE_REFERENCE + sampled.length);
    log(`scale: ${sampled.length} with ${M} open: approve p50 / p99 ${round(sample.p50)} / ${round(sample.p99)} ms`);
    const sampledSet = new Set(sampled);
    const rest = ids.filter((id) => !sampledSet.has(id));
    log(`scale: approving the other ${rest.length} back to back at concurrency ${C}`);
    rss.start();
    const approve = await cases.approveAll(rest, SCALE_REFERENCE + M);
    const approving = await rss.stop();
    memorySamples.productApproving = approving.counts;
    log(`scale: all completed ${round(approve.ms / 1000)} s after the first approval; checking`);

    const { completed, lost, failed } = await cases.outcome(ids);
    // A case closes only once its emails are out.
    const idSet = new Set(ids);
    const emails = stack.mail.messages.filter((m) => idSet.has(m.caseId)).length;

    // The baseline: the same number of bare workflows of the verification's shape, parked on its update.
    const shape = shapeOf(await fetchHistory(stack.client, ids[0]!));
    const baseline = await scaleBaseline(server, stack, baselineBundle, shape, M, C, `${stack.suffix}-scale`);
    memorySamples.baselineWaiting = baseline.waitingSamples;

    const perCached = (waitingMean: number, idleRss: number) => (waitingMean - idleRss) / Math.min(M, cache);
    const product = { perCachedBytes: perCached(waiting.mean, idle) };
    return {
      cases: M,
      concurrency: C,
      startSeconds: opened.ms / 1000,
      approveSeconds: approve.ms / 1000,
      approveP50Ms: approve.p50,
      approveP99Ms: approve.p99,
      sample: { cases: sampled.length, approveP50Ms: sample.p50, approveP99Ms: sample.p99 },
      // Approvals answered 409 "not awaited" though the case went on to complete.
      notAwaited: reference.notAwaited + sample.notAwaited + approve.notAwaited,
      reference: { cases: SCALE_REFERENCE, approveP50Ms: reference.p50, approveP99Ms: reference.p99 },
      maxCachedWorkflows: cache,
      memoryAfterCollect: true,
      rss: { idle, waitingMax: waiting.max, waitingMean: waiting.mean, approvingMax: approving.max },
      heapUsed: { idle: idleMemory.heapUsed, waitingMax: waiting.heapUsedMax, approvingMax: approving.heapUsedMax },
      external: { idle: idleMemory.external + idleMemory.arrayBuffers, waitingMax: waiting.externalMax },
      perCachedBytes: product.perCachedBytes,
      baseline: {
        ...baseline.figures,
        perCachedBytes: perCached(baseline.figures.rss.waitingMean, baseline.figures.rss.idle),
      },
      memorySamples,
      completed,
      lost,
      failed,
      emails,
    };
  } catch (err) {
    // Said before the stack stops: a client call still retrying then fails with its own error.
    log(`scale: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    throw err;
  } finally {
    await stack.stop();
  }
}

/** `n` of `ids` evenly spaced from the first to the last. */
export function spread<T>(ids: readonly T[], n: number): T[] {
  if (n >= ids.length) return [...ids];
  return Array.from({ length: n }, (_, i) => ids[Math.floor((i * (ids.length - 1)) / Math.max(1, n - 1))]!);
}

/** M baseline workflows of `shape` started and parked on their first update after the opening one, measured as the product's are. */
async function scaleBaseline(
  server: TemporalServer,
  stack: Stack,
  bundlePath: string,
  shape: CaseShape,
  M: number,
  C: number,
  tag: string,
) {
  const taskQueue = `bench-baseline-${tag}`;
  const input: BaselineInput = { steps: shape.steps };
  const updates = baselineUpdates(shape.steps);
  if (opensWithUpdate(shape.steps)) updates.shift();
  const parkOn = updates[0];
  if (!parkOn) throw new Error('scale: the recorded case waits on no update');
  // Activities a baseline case has run when it reaches the update it parks on.
  const parkedAt = shape.steps.findIndex(
    (s, i) => 'update' in s && s.update === parkOn && !(i === 0 && opensWithUpdate(shape.steps)),
  );
  const activitiesBefore = shape.steps.slice(0, parkedAt).filter((s) => 'activity' in s).length;
  const worker = await spawnBaselineWorker(server, stack, bundlePath, taskQueue);
  const rss = new RssSampler(() => worker);
  const activitiesRun = async () =>
    ((await worker.memory()) as NodeJS.MemoryUsage & { activitiesRun: number }).activitiesRun;
  try {
    await sleep(3_000);
    const idleMemory = await worker.memory({ collect: true });
    log(`scale: baseline: starting ${M} workflows (worker RSS idle ${Math.round(idleMemory.rss / 2 ** 20)} MiB)`);
    const handles = await timed(() =>
      pool(M, C, async (i) => (await startBaseline(stack.client, taskQueue, `baseline-${tag}-${i}`, input)).handle),
    );
    const waitStarted = Date.now();
    while ((await activitiesRun()) < M * activitiesBefore) {
      if (Date.now() - waitStarted > 30 * 60_000) throw new Error('scale: baseline workflows did not park');
      await sleep(1_000);
    }
    // The workflow task after the last activity parks the case.
    await sleep(3_000);
    log(`scale: baseline: all ${M} wait on '${parkOn}'; sampling its worker's RSS for 15 s`);
    await worker.memory({ collect: true });
    rss.start();
    await sleep(15_000);
    const waiting = await rss.stop();
    const approveMs: number[] = [];
    const approve = await timed(async () => {
      await pool(M, C, async (i) => {
        const handle = handles.value[i]!;
        const t = await timed(async () => {
          for (const u of updates) await updateOnce(handle, u, `${handle.workflowId}/${u}`);
        });
        approveMs.push(t.ms);
      });
      while ((await count(stack, taskQueue, `WorkflowType = 'baselineCase' AND ExecutionStatus = 'Completed'`)) < M)
        await sleep(250);
    });
    return {
      waitingSamples: waiting.counts,
      figures: {
        startSeconds: handles.ms / 1000,
        approveSeconds: approve.ms / 1000,
        approveP50Ms: percentile(approveMs, 50),
        approveP99Ms: percentile(approveMs, 99),
        parkedOn: parkOn,
        rss: { idle: idleMemory.rss, waitingMax: waiting.max, waitingMean: waiting.mean },
        heapUsed: { idle: idleMemory.heapUsed, waitingMax: waiting.heapUsedMax },
      },
    };
  } finally {
    await worker.kill('SIGTERM');
  }
}

/**
 * Sends an update, again under the same id when the server's RPC times out (an overloaded server
 * answers "deadline exceeded" while the update may already be in): the workflow takes it once.
 */
async function updateOnce(handle: WorkflowHandle, update: string, updateId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await handle.executeUpdate(update, { updateId });
      return;
    } catch (err) {
      if (!(err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) || attempt >= 5) throw err;
      log(`scale: baseline: ${updateId}: ${err.message}; sent again (${attempt})`);
    }
  }
}
