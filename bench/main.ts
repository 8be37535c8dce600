/**
 * `npm run bench`: throughput against a baseline workflow, API latency against raw Temporal
 * calls, history sizes, and scale (thousands of cases waiting at once), on a stack of its own.
 * Figures go to bench/results/*.json and BENCHMARKS.md (see report.ts).
 *
 *   npm run bench                         # every part, default sizes (a few minutes)
 *   npm run bench -- --full               # the full sizes
 *   npm run bench -- --only scale --full  # one part
 *   npm run bench -- --n 20 --kinds enterprise-verification --no-write
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Principal } from '../api/auth';
import { verificationId, WORKFLOW_TYPES } from '../domain/ids';
import { EnterpriseIdKey, OnboardingKindKey, OnboardingStageKey } from '../domain/search-attributes';
import { bundleWorkflows, startStack, startTemporalServer, WorkerProcess, type Stack, type TemporalServer } from '../test/support/stack';
import type { VerificationInput } from '../contract/inputs';
import { applicationFacts } from '../domain/verification';
import { AutoApprover } from './approver';
import type { BaselineStep } from './baseline-workflow';
import { fetchHistory, historyStats, shapeOf, type CaseShape } from './history';
import { drive, driverFor, KIND_DRIVERS, uploadVerificationDocuments, verificationApplication, type BenchContext, type BenchEnterprise } from './kinds';
import { renderBenchmarks, runInfo, writeResult, type PartResult, type RunInfo } from './report';
import { ApiClient, percentile, pool, round, sleep, timed } from './util';

const PARTS = ['throughput', 'latency', 'history', 'scale'] as const;
type Part = (typeof PARTS)[number];

const PROFILES = {
  default: { n: 50, concurrency: 16, latencyRequests: 200, latencyConcurrency: 8, scale: 500, scaleConcurrency: 16, warmup: 3 },
  full: { n: 500, concurrency: 32, latencyRequests: 1000, latencyConcurrency: 8, scale: 10_000, scaleConcurrency: 32, warmup: 5 },
};

interface Options {
  profile: keyof typeof PROFILES;
  parts: Part[];
  kinds: string[];
  n: number;
  concurrency: number;
  latencyRequests: number;
  latencyConcurrency: number;
  scale: number;
  scaleConcurrency: number;
  warmup: number;
  /** The product worker's sticky cache; default the product's (WORKER_MAX_CACHED_WORKFLOWS). */
  cache: number | undefined;
  write: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      full: { type: 'boolean', default: false },
      only: { type: 'string' },
      kinds: { type: 'string' },
      n: { type: 'string' },
      concurrency: { type: 'string' },
      'latency-requests': { type: 'string' },
      'latency-concurrency': { type: 'string' },
      scale: { type: 'string' },
      'scale-concurrency': { type: 'string' },
      warmup: { type: 'string' },
      cache: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  const env = process.env;
  const profile = values.full || env.BENCH_FULL === '1' ? 'full' : 'default';
  const p = PROFILES[profile];
  const num = (flag: string | undefined, envName: string, fallback: number) => {
    const raw = flag ?? env[envName];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${envName} / flag must be a positive whole number, got ${raw}`);
    return value;
  };
  const parts = (values.only ?? env.BENCH_ONLY ?? PARTS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  for (const part of parts) if (!PARTS.includes(part as Part)) throw new Error(`unknown part ${part}; parts: ${PARTS.join(', ')}`);
  const kinds = (values.kinds ?? env.BENCH_KINDS ?? 'enterprise-verification,number-purchase,sip-trunk').split(',').map((s) => s.trim()).filter(Boolean);
  kinds.forEach(driverFor);
  return {
    profile,
    parts: parts as Part[],
    kinds,
    n: num(values.n, 'BENCH_N', p.n),
    concurrency: num(values.concurrency, 'BENCH_CONCURRENCY', p.concurrency),
    latencyRequests: num(values['latency-requests'], 'BENCH_LATENCY_REQUESTS', p.latencyRequests),
    latencyConcurrency: num(values['latency-concurrency'], 'BENCH_LATENCY_CONCURRENCY', p.latencyConcurrency),
    scale: num(values.scale, 'BENCH_SCALE', p.scale),
    scaleConcurrency: num(values['scale-concurrency'], 'BENCH_SCALE_CONCURRENCY', p.scaleConcurrency),
    warmup: num(values.warmup, 'BENCH_WARMUP', p.warmup),
    cache: (values.cache ?? env.BENCH_CACHE) ? num(values.cache, 'BENCH_CACHE', 1) : undefined,
    write: !values['no-write'] && env.BENCH_NO_WRITE !== '1',
  };
}

const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** Samples the worker process's memory (RSS, V8 heap, external) once a second. */
class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  samples: NodeJS.MemoryUsage[] = [];
  constructor(private readonly worker: () => WorkerProcess | undefined) {}
  private sample(): Promise<void> {
    return (this.worker()?.memory() ?? Promise.resolve(undefined)).then(
      (m) => void (m && this.samples.push(m)),
      () => undefined,
    );
  }
  start(): void {
    this.samples = [];
    void this.sample();
    this.timer = setInterval(() => void this.sample(), 1_000);
  }
  async stop(): Promise<{ max: number; mean: number; heapUsedMax: number; externalMax: number }> {
    clearInterval(this.timer);
    await this.sample();
    const rss = this.samples.map((m) => m.rss);
    return {
      max: Math.max(0, ...rss),
      mean: rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length),
      heapUsedMax: Math.max(0, ...this.samples.map((m) => m.heapUsed)),
      externalMax: Math.max(0, ...this.samples.map((m) => m.external + m.arrayBuffers)),
    };
  }
}

function enterprises(tag: string, prefix: string, count: number): { list: BenchEnterprise[]; tokens: [string, Principal][] } {
  const list = Array.from({ length: count }, (_, i) => ({ id: `ent-${prefix}-${tag}-${i}`, token: `bench-${prefix}-${tag}-${i}` }));
  return {
    list,
    tokens: list.map((e) => [e.token, { name: `bench ${e.id}`, role: 'enterprise', enterpriseId: e.id }] as [string, Principal]),
  };
}

/** Stack settings of every bench stack: a worker in a child process, quiet logs, an SMTP sink that reads headers only. */
async function benchStack(o: Options, server: TemporalServer, bundlePath: string, extraTokens: [string, Principal][], extraEnv: Record<string, string> = {}): Promise<Stack> {
  return startStack({
    temporalAddress: server.address,
    workflowBundlePath: bundlePath,
    worker: 'child',
    mail: { headersOnly: true },
    extraTokens,
    env: {
      LOG_LEVEL: 'warn',
      VERIFICATION_REVIEW_SLA: '1d',
      VERIFICATION_RESUBMISSION_WINDOW: '14d',
      PURCHASE_SCRIPT_REVIEW_SLA: '1d',
      PURCHASE_PAYMENT_POLL: '1h',
      SUBSCRIPTION_PERIOD: '30d',
      ...(o.cache ? { WORKER_MAX_CACHED_WORKFLOWS: String(o.cache) } : {}),
      ...extraEnv,
    },
  });
}

// --- throughput ------------------------------------------------------------------------------

interface ThroughputKind {
  kind: string;
  cases: number;
  concurrency: number;
  warmup: number;
  product: { seconds: number; casesPerSecond: number };
  baseline: { seconds: number; casesPerSecond: number };
  ratio: number;
  shape: CaseShape;
  workerRssMaxBytes: number;
  approver: AutoApprover['counts'];
  ids: string[];
}

async function runBaseline(
  server: TemporalServer,
  stack: Stack,
  bundlePath: string,
  steps: BaselineStep[],
  count: number,
  warmup: number,
  concurrency: number,
  tag: string,
): Promise<{ seconds: number; casesPerSecond: number }> {
  const taskQueue = `bench-baseline-${tag}`;
  const worker = await WorkerProcess.spawn(
    { ...stack.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_TASK_QUEUE: taskQueue, BASELINE_BUNDLE_PATH: bundlePath },
    path.join(__dirname, 'baseline-worker.ts'),
  );
  try {
    const one = async (i: number) => {
      const handle = await stack.client.workflow.start('baselineCase', { taskQueue, workflowId: `baseline-${tag}-${i}`, args: [{ steps }] });
      for (const step of steps) if ('update' in step) await handle.executeUpdate(step.update);
      await handle.result();
    };
    await pool(warmup, warmup, (i) => one(-1 - i));
    const { ms } = await timed(() => pool(count, concurrency, one));
    return { seconds: ms / 1000, casesPerSecond: count / (ms / 1000) };
  } finally {
    await worker.kill('SIGTERM');
  }
}

async function throughput(
  o: Options,
  server: TemporalServer,
  stack: Stack,
  ctx: BenchContext,
  ents: BenchEnterprise[],
  bundles: { baseline: string },
): Promise<ThroughputKind[]> {
  const out: ThroughputKind[] = [];
  const drivers = o.kinds.map(driverFor);
  // Support answers every kind: preparing a case may drive another kind first (a verification).
  const approver = new AutoApprover(ctx, Object.values(KIND_DRIVERS));
  approver.start();
  const rss = new RssSampler(() => stack.workerProcess);
  try {
    for (const driver of drivers) {
      const count = Math.min(o.n, driver.maxCases ?? Infinity);
      // The same enterprises for every kind: a purchase follows the enterprise's verification.
      const warm = ents.slice(0, o.warmup);
      const measured = ents.slice(o.warmup, o.warmup + count);
      log(`throughput ${driver.kind}: preparing ${count + o.warmup} cases`);
      await pool(warm.length + measured.length, o.concurrency, (i) => driver.prepare?.(ctx, [...warm, ...measured][i]!, i) ?? Promise.resolve());
      const before = { ...approver.counts };
      const warmIds = await pool(warm.length, warm.length, (i) => drive(driver, ctx, warm[i]!, i));
      const shape = shapeOf(await fetchHistory(stack.client, warmIds[0]!));
      log(`throughput ${driver.kind}: ${count} cases at concurrency ${o.concurrency} (shape: ${JSON.stringify(shape.steps)})`);
      rss.start();
      const product = await timed(() => pool(count, o.concurrency, (i) => drive(driver, ctx, measured[i]!, o.warmup + i)));
      const rssStats = await rss.stop();
      const productSeconds = product.ms / 1000;
      log(`throughput ${driver.kind}: product ${round(count / productSeconds)} cases/s; baseline next`);
      const baseline = await runBaseline(server, stack, bundles.baseline, shape.steps, count, o.warmup, o.concurrency, `${stack.suffix}-${driver.kind}`);
      log(`throughput ${driver.kind}: baseline ${round(baseline.casesPerSecond)} cases/s`);
      out.push({
        kind: driver.kind,
        cases: count,
        concurrency: o.concurrency,
        warmup: o.warmup,
        product: { seconds: productSeconds, casesPerSecond: count / productSeconds },
        baseline,
        ratio: count / productSeconds / baseline.casesPerSecond,
        shape,
        workerRssMaxBytes: rssStats.max,
        approver: {
          polls: approver.counts.polls - before.polls,
          taken: approver.counts.taken - before.taken,
          conflicts: approver.counts.conflicts - before.conflicts,
          errors: approver.counts.errors - before.errors,
        },
        ids: product.value,
      });
    }
  } finally {
    await approver.stop();
  }
  return out;
}

// --- latency ---------------------------------------------------------------------------------

interface LatencyRow {
  label: string;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  ratioTo?: string;
  ratioP50?: number;
  ratioP99?: number;
}

async function latency(o: Options, stack: Stack, ctx: BenchContext, ents: BenchEnterprise[]): Promise<{ concurrency: number; rows: LatencyRow[] }> {
  const L = o.latencyRequests;
  const C = o.latencyConcurrency;
  const apiEnts = ents.slice(0, L);
  const rawEnts = ents.slice(L, 2 * L);
  log(`latency: uploading documents for ${2 * L} cases (untimed)`);
  const apiDocs = await pool(L, 16, (i) => uploadVerificationDocuments(ctx, apiEnts[i]!));
  const rawDocs = await pool(L, 16, (i) => uploadVerificationDocuments(ctx, rawEnts[i]!));

  const sample = async (label: string, task: (i: number) => Promise<unknown>) => {
    log(`latency: ${label}`);
    const ms = await pool(L, C, async (i) => (await timed(() => task(i))).ms);
    return { label, samples: L, p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99) };
  };

  // Reads are measured on settled cases (waiting for review, no workflow task pending), as most reads are.
  const settled = async (ids: string[]) => {
    await pool(ids.length, 8, async (i) => {
      for (;;) {
        const state = await stack.client.workflow.getHandle(ids[i]!).query<{ stage: string }>('state');
        if (state.stage === 'awaiting-review') return;
        await sleep(100);
      }
    });
    await sleep(1_000);
  };

  const post = await sample('POST /v1/onboardings', (i) => ctx.api.expect(202, 'POST', '/v1/onboardings', apiEnts[i]!.token, verificationApplication(apiEnts[i]!.id, apiDocs[i]!)));
  await settled(apiEnts.map((e) => verificationId(e.id)));
  const get = await sample('GET /v1/onboardings/{id}', (i) => ctx.api.expect(200, 'GET', `/v1/onboardings/${verificationId(apiEnts[i]!.id)}`, apiEnts[i]!.token));

  // Raw Temporal: what the API starts (same workflow, input, memo and search attributes).
  const config = stack.config;
  const startRaw = (i: number, suffix = '') => {
    const { kind: _kind, enterpriseId, ...application } = verificationApplication(rawEnts[i]!.id, rawDocs[i]!);
    const input: VerificationInput = { enterpriseId, application, facts: applicationFacts(application), timings: config.timings.verification };
    const id = `${verificationId(enterpriseId)}${suffix}`;
    return stack.client.workflow.start(WORKFLOW_TYPES['enterprise-verification'], {
      workflowId: id,
      taskQueue: config.temporal.taskQueue,
      args: [input],
      memo: { kind: 'enterprise-verification', enterpriseId, requestHash: createHash('sha256').update(id).digest('hex'), createdBy: 'bench' },
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: new TypedSearchAttributes([
        { key: EnterpriseIdKey, value: enterpriseId },
        { key: OnboardingKindKey, value: 'enterprise-verification' },
        { key: OnboardingStageKey, value: 'submitted' },
      ]),
      staticSummary: `enterprise-verification for ${enterpriseId}`,
    });
  };
  const rawStart = await sample('raw client.workflow.start', (i) => startRaw(i));
  await settled(rawEnts.map((e) => verificationId(e.id)));
  const rawQuery = await sample("raw query('state')", (i) => stack.client.workflow.getHandle(verificationId(rawEnts[i]!.id)).query('state'));
  const rawGetCalls = await sample('raw describe × 2 + query (the Temporal calls of a GET)', async (i) => {
    const handle = stack.client.workflow.getHandle(verificationId(rawEnts[i]!.id));
    await handle.describe();
    await handle.describe();
    await handle.query('state');
  });
  const rawPostCalls = await sample('raw start + describe + query (the Temporal calls of a POST)', async (i) => {
    const handle = await startRaw(i, '-again');
    await handle.describe();
    await handle.query('state');
  });
  const ratio = (row: LatencyRow, to: LatencyRow): LatencyRow => ({
    ...row,
    ratioTo: to.label,
    ratioP50: row.p50Ms / to.p50Ms,
    ratioP99: row.p99Ms / to.p99Ms,
  });
  return {
    concurrency: C,
    rows: [ratio(post, rawStart), ratio(post, rawPostCalls), rawStart, rawPostCalls, ratio(get, rawQuery), ratio(get, rawGetCalls), rawQuery, rawGetCalls],
  };
}

// --- scale -----------------------------------------------------------------------------------

async function scale(o: Options, server: TemporalServer, bundlePath: string, tag: string) {
  const M = o.scale;
  const C = o.scaleConcurrency;
  const { list: ents, tokens } = enterprises(tag, 's', M);
  const stack = await benchStack(o, server, bundlePath, tokens);
  const ctx: BenchContext = { stack, api: new ApiClient(stack.apiUrl), supportToken: stack.tokens.support };
  const rss = new RssSampler(() => stack.workerProcess);
  const queue = stack.config.temporal.taskQueue;
  const count = (q: string) => stack.client.workflow.count(`TaskQueue = '${queue}' AND ${q}`).then((r) => r.count);
  try {
    await sleep(3_000);
    const idleMemory = await stack.workerProcess!.memory();
    const idle = idleMemory.rss;
    log(`scale: starting ${M} cases through the API at concurrency ${C} (worker RSS idle ${Math.round(idle / 2 ** 20)} MiB)`);
    let started = 0;
    const progress = setInterval(() => log(`scale: ${started}/${M} started`), 15_000);
    const start = await timed(() =>
      pool(M, C, async (i) => {
        const documents = await uploadVerificationDocuments(ctx, ents[i]!);
        const res = await ctx.api.expect<{ id: string }>(202, 'POST', '/v1/onboardings', ents[i]!.token, verificationApplication(ents[i]!.id, documents));
        started++;
        return res.id;
      }),
    );
    clearInterval(progress);
    const ids = start.value;
    log(`scale: started in ${round(start.ms / 1000)} s; waiting for all to await review`);
    let lastCount = 0;
    const waitStarted = Date.now();
    for (;;) {
      lastCount = await count(`OnboardingStage = 'awaiting-review' AND ExecutionStatus = 'Running'`);
      if (lastCount >= M) break;
      if (Date.now() - waitStarted > 30 * 60_000) throw new Error(`only ${lastCount}/${M} cases reached awaiting-review`);
      await sleep(1_000);
    }
    log(`scale: all ${M} wait on approval; sampling worker RSS for 15 s`);
    rss.start();
    await sleep(15_000);
    const waiting = await rss.stop();

    log(`scale: approving ${M} cases through the API at concurrency ${C}`);
    rss.start();
    const approveMs: number[] = [];
    const approve = await timed(async () => {
      await pool(M, C, async (i) => {
        const t = await timed(() => ctx.api.expect(200, 'POST', `/v1/onboardings/${ids[i]}/actions/approve`, ctx.supportToken, { note: 'bench: scale' }));
        approveMs.push(t.ms);
      });
      for (;;) {
        const done = await count(`ExecutionStatus = 'Completed'`);
        if (done >= M) break;
        await sleep(250);
      }
    });
    const approving = await rss.stop();
    log(`scale: all completed ${round(approve.ms / 1000)} s after the first approval; checking`);

    const seen = new Map<string, string>();
    for await (const wf of stack.client.workflow.list({ query: `TaskQueue = '${queue}'`, pageSize: 1000 })) seen.set(wf.workflowId, wf.status.name);
    const lost = ids.filter((id) => seen.get(id) === undefined).length;
    const completed = ids.filter((id) => seen.get(id) === 'COMPLETED').length;
    const failed = ids.filter((id) => seen.get(id) !== undefined && seen.get(id) !== 'COMPLETED').length;
    // A case closes only once its emails are out.
    const emails = stack.mail.messages.filter((m) => ids.includes(m.caseId)).length;
    if (lost > 0 || completed !== M) throw new Error(`scale: ${completed}/${M} completed, ${lost} lost, ${failed} not completed`);
    return {
      cases: M,
      concurrency: C,
      startSeconds: start.ms / 1000,
      approveSeconds: approve.ms / 1000,
      approveP50Ms: percentile(approveMs, 50),
      approveP99Ms: percentile(approveMs, 99),
      maxCachedWorkflows: stack.config.temporal.maxCachedWorkflows,
      rss: { idle, waitingMax: waiting.max, waitingMean: waiting.mean, approvingMax: approving.max },
      heapUsed: { idle: idleMemory.heapUsed, waitingMax: waiting.heapUsedMax, approvingMax: approving.heapUsedMax },
      external: { idle: idleMemory.external + idleMemory.arrayBuffers, waitingMax: waiting.externalMax },
      completed,
      lost,
      failed,
      emails,
    };
  } finally {
    await stack.stop();
  }
}

// --- main ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = options();
  const began = Date.now();
  const command = `npm run bench --${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`.replace(/ --$/, '');
  const params = { ...o, parts: o.parts.join(','), kinds: o.kinds.join(',') } as Record<string, unknown>;
  delete params.write;
  log(`profile ${o.profile}: ${JSON.stringify(params)}`);

  const server = await startTemporalServer();
  const info = (): RunInfo => ({ ...runInfo(o.profile, command, params, server.executable), durationSeconds: (Date.now() - began) / 1000 });
  const tag = Date.now().toString(36);
  const results: PartResult[] = [];
  // Each part is kept as soon as it is measured, so a later part failing loses only itself.
  const record = (r: PartResult) => {
    results.push(r);
    if (o.write) writeResult(r);
  };
  const bundles: string[] = [];
  const stopServices: (() => Promise<void>)[] = [];
  try {
    const [productBundle, baselineBundle] = await Promise.all([bundleWorkflows(), bundleWorkflows(path.join(__dirname, 'baseline-workflow.ts'), 'baseline-bundle')]);
    bundles.push(productBundle, baselineBundle);
    const wantsMain = o.parts.some((p) => p !== 'scale');
    if (wantsMain) {
      const needThroughput = o.parts.includes('throughput') || o.parts.includes('history');
      const tpEnts = needThroughput ? o.n + o.warmup : 0;
      const latEnts = o.parts.includes('latency') ? 2 * o.latencyRequests : 0;
      const { list, tokens } = enterprises(tag, 't', tpEnts + latEnts);
      const services = needThroughput ? await Promise.all(o.kinds.map(driverFor).flatMap((d) => (d.services ? [d.services()] : []))) : [];
      stopServices.push(...services.map((s) => s.stop));
      const stack = await benchStack(o, server, productBundle, tokens, Object.assign({}, ...services.map((s) => s.env)));
      const ctx: BenchContext = { stack, api: new ApiClient(stack.apiUrl), supportToken: stack.tokens.support };
      try {
        let tp: ThroughputKind[] = [];
        if (needThroughput) {
          tp = await throughput(o, server, stack, ctx, list.slice(0, tpEnts), { baseline: baselineBundle });
          if (o.parts.includes('throughput')) {
            record({ part: 'throughput', run: info(), data: { kinds: tp.map(({ ids: _ids, ...k }) => k) } });
          }
        }
        if (o.parts.includes('history')) {
          log('history: reading the throughput cases\' histories');
          const kinds = [];
          for (const k of tp) {
            const histories = await pool(Math.min(k.ids.length, 200), 8, (i) => fetchHistory(stack.client, k.ids[i]!));
            kinds.push({ kind: k.kind, stats: historyStats(histories), shape: k.shape });
          }
          record({ part: 'history', run: info(), data: { kinds } });
        }
        if (o.parts.includes('latency')) {
          record({ part: 'latency', run: info(), data: await latency(o, stack, ctx, list.slice(tpEnts)) });
        }
      } finally {
        await stack.stop();
      }
    }
    if (o.parts.includes('scale')) {
      record({ part: 'scale', run: info(), data: await scale(o, server, productBundle, tag) });
    }
  } finally {
    for (const stop of stopServices) await stop();
    await server.stop();
    await Promise.all(bundles.map((b) => rm(path.dirname(b), { recursive: true, force: true })));
  }
  for (const r of results) {
    r.run.durationSeconds = (Date.now() - began) / 1000;
    process.stdout.write(`${JSON.stringify({ part: r.part, data: r.data }, null, 2)}\n`);
    if (o.write) writeResult(r);
  }
  if (o.write) {
    renderBenchmarks();
    log('wrote bench/results/ and BENCHMARKS.md');
  }
  log(`done in ${round((Date.now() - began) / 60_000)} min`);
}

// Ctrl-C: exit, so the worker processes are reaped (see WorkerProcess).
process.once('SIGINT', () => process.exit(130));

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
