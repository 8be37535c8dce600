/**
 * `npm run bench`: throughput against a baseline workflow, API latency against raw Temporal
 * calls, history sizes, and scale (thousands of cases waiting at once), on a stack of its own.
 * Figures go to bench/results/*.json and BENCHMARKS.md (see report.ts).
 *
 *   npm run bench                         # every part, default sizes (a few minutes)
 *   npm run bench -- --full               # the full sizes
 *   npm run bench -- --only scale --full  # one part
 *   npm run bench -- --n 20 --kinds enterprise-verification --no-write
 *   npm run bench -- --only topology      # dev server vs the cluster's server with 1 and 2 workers
 *   npm run bench -- --only webhooks      # event delay with 100 cases in flight; webhooks on vs off
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Principal } from '../api/auth';
import { verificationId, WORKFLOW_TYPES } from '../domain/ids';
import { EnterpriseIdKey, OnboardingKindKey, OnboardingStageKey } from '../domain/search-attributes';
import {
  bundleWorkflows,
  startStack,
  startTemporalServer,
  WorkerProcess,
  type Stack,
  type TemporalServer,
} from '../test/support/stack';
import { openedUpdate, stateQuery } from '../contract/case';
import type { VerificationInput } from '../contract/inputs';
import { applicationFacts, type DocumentRef } from '../domain/verification';
import { AutoApprover } from './approver';
import type { BaselineInput } from './baseline-workflow';
import { startBaseline } from './baseline-client';
import {
  baselineUpdates,
  describeShape,
  fetchHistory,
  historyStats,
  opensWithUpdate,
  shapeOf,
  type CaseShape,
} from './history';
import {
  drive,
  driverFor,
  KIND_DRIVERS,
  uploadVerificationDocuments,
  verificationApplication,
  type BenchContext,
  type BenchEnterprise,
} from './kinds';
import { renderBenchmarks, runInfo, writeResult, type PartResult, type RunInfo } from './report';
import { topology } from './topology';
import { webhooks } from './webhooks';
import { ApiClient, percentile, pool, round, sleep, timed } from './util';

const PARTS = ['throughput', 'latency', 'history', 'scale', 'topology', 'webhooks'] as const;
type Part = (typeof PARTS)[number];
// The topology part starts the cluster's Temporal server (built with Go once): only when asked for.
const DEFAULT_PARTS: Part[] = ['throughput', 'latency', 'history', 'scale'];

const PROFILES = {
  default: {
    n: 50,
    concurrency: 16,
    latencyRequests: 200,
    latencyConcurrency: 8,
    scale: 500,
    scaleConcurrency: 16,
    warmup: 3,
  },
  full: {
    n: 500,
    concurrency: 32,
    latencyRequests: 1000,
    latencyConcurrency: 8,
    scale: 10_000,
    scaleConcurrency: 32,
    warmup: 5,
  },
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
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`${envName} / flag must be a positive whole number, got ${raw}`);
    return value;
  };
  const parts = (values.only ?? env.BENCH_ONLY ?? DEFAULT_PARTS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const part of parts)
    if (!PARTS.includes(part as Part)) throw new Error(`unknown part ${part}; parts: ${PARTS.join(', ')}`);
  const kinds = (values.kinds ?? env.BENCH_KINDS ?? 'enterprise-verification,number-purchase,sip-trunk')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
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

export interface SamplerCounts {
  taken: number;
  failed: number;
}

/** Samples a worker process's memory (RSS, V8 heap, external) once a second; counts samples taken and failed. */
class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  samples: (NodeJS.MemoryUsage & { activitiesRun?: number })[] = [];
  failed = 0;
  constructor(private readonly worker: () => WorkerProcess | undefined) {}
  private sample(): Promise<void> {
    const w = this.worker();
    if (!w) {
      this.failed++;
      return Promise.resolve();
    }
    return w.memory().then(
      (m) => void this.samples.push(m),
      () => void this.failed++,
    );
  }
  start(): void {
    this.samples = [];
    this.failed = 0;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), 1_000);
  }
  async stop(): Promise<{
    max: number;
    mean: number;
    heapUsedMax: number;
    externalMax: number;
    counts: SamplerCounts;
  }> {
    clearInterval(this.timer);
    await this.sample();
    const rss = this.samples.map((m) => m.rss);
    return {
      max: Math.max(0, ...rss),
      mean: rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length),
      heapUsedMax: Math.max(0, ...this.samples.map((m) => m.heapUsed)),
      externalMax: Math.max(0, ...this.samples.map((m) => m.external + m.arrayBuffers)),
      counts: { taken: this.samples.length + this.failed, failed: this.failed },
    };
  }
}

function enterprises(
  tag: string,
  prefix: string,
  count: number,
): { list: BenchEnterprise[]; tokens: [string, Principal][] } {
  const list = Array.from({ length: count }, (_, i) => ({
    id: `ent-${prefix}-${tag}-${i}`,
    token: `bench-${prefix}-${tag}-${i}`,
  }));
  return {
    list,
    tokens: list.map(
      (e) => [e.token, { name: `bench ${e.id}`, role: 'enterprise', enterpriseId: e.id }] as [string, Principal],
    ),
  };
}

/** Stack settings of every bench stack: a worker in a child process, quiet logs, an SMTP sink that reads headers only. */
async function benchStack(
  o: Options,
  server: TemporalServer,
  bundlePath: string,
  extraTokens: [string, Principal][],
  extraEnv: Record<string, string> = {},
): Promise<Stack> {
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
  baseline: Awaited<ReturnType<typeof runBaseline>>;
  ratio: number;
  shape: CaseShape;
  /** Activities the baseline sleeps through, as long as they took in the product (real-world waits such as a test call ringing). */
  baselineSleeps: Record<string, number>;
  workerRssMaxBytes: number;
  memorySamples: SamplerCounts;
  approver: AutoApprover['counts'];
  ids: string[];
}

/** The baseline's worker on a task queue of its own, same environment (and sticky cache) as the product's. */
function spawnBaselineWorker(
  server: TemporalServer,
  stack: Stack,
  bundlePath: string,
  taskQueue: string,
): Promise<WorkerProcess> {
  return WorkerProcess.spawn(
    {
      ...stack.env,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      BASELINE_BUNDLE_PATH: bundlePath,
    },
    path.join(__dirname, 'baseline-worker.ts'),
  );
}

async function runBaseline(
  server: TemporalServer,
  stack: Stack,
  bundlePath: string,
  input: BaselineInput,
  count: number,
  warmup: number,
  concurrency: number,
  tag: string,
): Promise<{
  seconds: number;
  casesPerSecond: number;
  workerRssMaxBytes: number;
  opensWithUpdate: string | null;
  memorySamples: SamplerCounts;
}> {
  const taskQueue = `bench-baseline-${tag}`;
  const worker = await spawnBaselineWorker(server, stack, bundlePath, taskQueue);
  const rss = new RssSampler(() => worker);
  try {
    const one = async (i: number) => {
      const { handle, updates } = await startBaseline(stack.client, taskQueue, `baseline-${tag}-${i}`, input);
      for (const update of updates) await handle.executeUpdate(update);
      await handle.result();
    };
    await pool(warmup, warmup, (i) => one(-1 - i));
    rss.start();
    const { ms } = await timed(() => pool(count, concurrency, one));
    const mem = await rss.stop();
    return {
      seconds: ms / 1000,
      casesPerSecond: count / (ms / 1000),
      workerRssMaxBytes: mem.max,
      opensWithUpdate: opensWithUpdate(input.steps) ?? null,
      memorySamples: mem.counts,
    };
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
      await pool(
        warm.length + measured.length,
        o.concurrency,
        (i) => driver.prepare?.(ctx, [...warm, ...measured][i]!, i) ?? Promise.resolve(),
      );
      const before = { ...approver.counts };
      const warmIds = await pool(warm.length, warm.length, (i) => drive(driver, ctx, warm[i]!, i));
      const warmShapes = await Promise.all(warmIds.map(async (id) => shapeOf(await fetchHistory(stack.client, id))));
      const shape = warmShapes[0]!;
      // Real-world waits the baseline copies: the longest the product took over the warm-up cases.
      const baselineSleeps = Object.fromEntries(
        (driver.baselineSleeps ?? []).map((name) => [
          name,
          Math.max(0, ...warmShapes.map((s) => s.activityMs[name] ?? 0)),
        ]),
      );
      log(
        `throughput ${driver.kind}: ${count} cases at concurrency ${o.concurrency} (shape: ${describeShape(shape)}; baseline sleeps ${JSON.stringify(baselineSleeps)})`,
      );
      rss.start();
      const product = await timed(() =>
        pool(count, o.concurrency, (i) => drive(driver, ctx, measured[i]!, o.warmup + i)),
      );
      const rssStats = await rss.stop();
      const productSeconds = product.ms / 1000;
      log(`throughput ${driver.kind}: product ${round(count / productSeconds)} cases/s; baseline next`);
      const baseline = await runBaseline(
        server,
        stack,
        bundles.baseline,
        { steps: shape.steps, sleeps: baselineSleeps },
        count,
        o.warmup,
        o.concurrency,
        `${stack.suffix}-${driver.kind}`,
      );
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
        baselineSleeps,
        workerRssMaxBytes: rssStats.max,
        memorySamples: rssStats.counts,
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

/** Enterprises the latency part needs: cases to read (started first, untimed), warm-up, and the timed starts. */
function latencyEnterprises(o: Options): number {
  return 2 * o.latencyRequests + o.warmup;
}

async function latency(
  o: Options,
  stack: Stack,
  ctx: BenchContext,
  ents: BenchEnterprise[],
): Promise<{ concurrency: number; warmup: number; interleaved: string[]; rows: LatencyRow[] }> {
  const L = o.latencyRequests;
  const C = o.latencyConcurrency;
  const W = o.warmup;
  const readEnts = ents.slice(0, L);
  const warmEnts = ents.slice(L, L + W);
  const timedEnts = ents.slice(L + W, 2 * L + W);
  log(`latency: uploading documents for ${2 * L + W} cases (untimed)`);
  const docs = new Map<string, DocumentRef[]>();
  await pool(
    ents.length,
    16,
    async (i) => void docs.set(ents[i]!.id, await uploadVerificationDocuments(ctx, ents[i]!)),
  );
  const post = (ent: BenchEnterprise) =>
    ctx.api.expect(202, 'POST', '/v1/onboardings', ent.token, verificationApplication(ent.id, docs.get(ent.id)!));

  // Reads are measured on settled cases (waiting for review, no workflow task pending), as most reads are.
  log(`latency: starting ${L} cases to read (untimed)`);
  await pool(L, C, (i) => post(readEnts[i]!));
  await pool(L, 8, async (i) => {
    for (;;) {
      const state = await stack.client.workflow
        .getHandle(verificationId(readEnts[i]!.id))
        .query<{ stage: string }>('state');
      if (state.stage === 'awaiting-review') return;
      await sleep(100);
    }
  });
  await sleep(1_000);

  // Raw Temporal: what the API starts (same workflow, input, memo and search attributes), under ids of its own.
  const config = stack.config;
  const rawOptions = (ent: BenchEnterprise, suffix: string) => {
    const { kind: _kind, enterpriseId, ...application } = verificationApplication(ent.id, docs.get(ent.id)!);
    const input: VerificationInput = {
      enterpriseId,
      application,
      facts: applicationFacts(application),
      timings: config.timings.verification,
    };
    const id = `${verificationId(enterpriseId)}${suffix}`;
    return {
      workflowId: id,
      taskQueue: config.temporal.taskQueue,
      args: [input] as [VerificationInput],
      memo: {
        kind: 'enterprise-verification',
        enterpriseId,
        requestHash: createHash('sha256').update(id).digest('hex'),
        createdBy: 'bench',
      },
      workflowIdConflictPolicy: 'FAIL' as const,
      workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
      typedSearchAttributes: new TypedSearchAttributes([
        { key: EnterpriseIdKey, value: enterpriseId },
        { key: OnboardingKindKey, value: 'enterprise-verification' },
        { key: OnboardingStageKey, value: 'submitted' },
      ]),
      staticSummary: `enterprise-verification for ${enterpriseId}`,
    };
  };
  const type = WORKFLOW_TYPES['enterprise-verification'];
  const handleOf = (ent: BenchEnterprise) => stack.client.workflow.getHandle(verificationId(ent.id));
  // Each operation: its label and what it does for the i-th start (`starts`) or read target (`reads`).
  const ops: { label: string; run: (start: BenchEnterprise, read: BenchEnterprise) => Promise<unknown> }[] = [
    { label: 'POST /v1/onboardings', run: (e) => post(e) },
    { label: 'raw client.workflow.start', run: (e) => stack.client.workflow.start(type, rawOptions(e, '-raw')) },
    {
      label: "raw executeUpdateWithStart('opened') (the Temporal call of a POST)",
      run: (e) =>
        stack.client.workflow.executeUpdateWithStart(openedUpdate, {
          startWorkflowOperation: new WithStartWorkflowOperation(type, rawOptions(e, '-uws')),
        }),
    },
    {
      label: 'GET /v1/onboardings/{id}',
      run: (_e, r) => ctx.api.expect(200, 'GET', `/v1/onboardings/${verificationId(r.id)}`, r.token),
    },
    { label: "raw query('state')", run: (_e, r) => handleOf(r).query(stateQuery) },
    {
      label: 'raw describe, then query (the Temporal calls of a GET)',
      run: async (_e, r) => {
        await handleOf(r).describe();
        await handleOf(r).query(stateQuery);
      },
    },
  ];
  log(`latency: warm-up, ${W} of each operation`);
  await pool(W * ops.length, C, (t) =>
    ops[t % ops.length]!.run(warmEnts[Math.floor(t / ops.length)]!, readEnts[Math.floor(t / ops.length) % L]!),
  );
  // Interleaved: the operations in rotation, so load and server state are the same for each row.
  log(`latency: ${L} of each of ${ops.length} operations, interleaved, concurrency ${C}`);
  const samples = ops.map(() => [] as number[]);
  await pool(L * ops.length, C, async (t) => {
    const k = t % ops.length;
    const i = Math.floor(t / ops.length);
    samples[k]!.push((await timed(() => ops[k]!.run(timedEnts[i]!, readEnts[i]!))).ms);
  });
  const rows: LatencyRow[] = ops.map((op, k) => ({
    label: op.label,
    samples: samples[k]!.length,
    p50Ms: percentile(samples[k]!, 50),
    p99Ms: percentile(samples[k]!, 99),
  }));
  const [postRow, rawStart, rawUws, get, rawQuery, rawGetCalls] = rows as [
    LatencyRow,
    LatencyRow,
    LatencyRow,
    LatencyRow,
    LatencyRow,
    LatencyRow,
  ];
  const ratio = (row: LatencyRow, to: LatencyRow): LatencyRow => ({
    ...row,
    ratioTo: to.label,
    ratioP50: row.p50Ms / to.p50Ms,
    ratioP99: row.p99Ms / to.p99Ms,
  });
  return {
    concurrency: C,
    warmup: W,
    interleaved: ops.map((op) => op.label),
    rows: [
      ratio(postRow, rawStart),
      ratio(postRow, rawUws),
      rawStart,
      rawUws,
      ratio(get, rawQuery),
      ratio(get, rawGetCalls),
      rawQuery,
      rawGetCalls,
    ],
  };
}

// --- scale -----------------------------------------------------------------------------------

/** Cases open at once for the reference approval latency (the target compares the large run's p99 with it). */
const SCALE_REFERENCE = 100;

async function scale(o: Options, server: TemporalServer, bundlePath: string, baselineBundle: string, tag: string) {
  const M = o.scale;
  const C = o.scaleConcurrency;
  const { list: ents, tokens } = enterprises(tag, 's', M + SCALE_REFERENCE);
  const stack = await benchStack(o, server, bundlePath, tokens);
  const ctx: BenchContext = { stack, api: new ApiClient(stack.apiUrl), supportToken: stack.tokens.support };
  const rss = new RssSampler(() => stack.workerProcess);
  const queue = stack.config.temporal.taskQueue;
  const count = (q: string, taskQueue = queue) =>
    stack.client.workflow.count(`TaskQueue = '${taskQueue}' AND ${q}`).then((r) => r.count);
  const cache = stack.config.temporal.maxCachedWorkflows;
  const memorySamples: Record<string, SamplerCounts> = {};

  /** Starts `n` verifications through the API, waits until all await review; their ids. */
  const open = async (first: number, n: number, what: string) => {
    let started = 0;
    const progress = setInterval(() => log(`scale: ${what}: ${started}/${n} started`), 15_000);
    const start = await timed(() =>
      pool(n, C, async (i) => {
        const ent = ents[first + i]!;
        const documents = await uploadVerificationDocuments(ctx, ent);
        const res = await ctx.api.expect<{ id: string }>(
          202,
          'POST',
          '/v1/onboardings',
          ent.token,
          verificationApplication(ent.id, documents),
        );
        started++;
        return res.id;
      }),
    ).finally(() => clearInterval(progress));
    log(`scale: ${what}: started in ${round(start.ms / 1000)} s; waiting for all to await review`);
    const waitStarted = Date.now();
    for (;;) {
      const waiting = await count(`OnboardingStage = 'awaiting-review' AND ExecutionStatus = 'Running'`);
      if (waiting >= n) break;
      if (Date.now() - waitStarted > 30 * 60_000) throw new Error(`only ${waiting}/${n} cases reached awaiting-review`);
      await sleep(1_000);
    }
    return { ids: start.value, ms: start.ms };
  };
  /** Approves every case through the API; resolves once all `expectCompleted` cases of the queue are completed. */
  const approveAll = async (ids: string[], expectCompleted: number) => {
    const approveMs: number[] = [];
    const all = await timed(async () => {
      await pool(ids.length, C, async (i) => {
        const t = await timed(() =>
          ctx.api.expect(200, 'POST', `/v1/onboardings/${ids[i]}/actions/approve`, ctx.supportToken, {
            note: 'bench: scale',
          }),
        );
        approveMs.push(t.ms);
      });
      while ((await count(`ExecutionStatus = 'Completed'`)) < expectCompleted) await sleep(250);
    });
    return { ms: all.ms, p50: percentile(approveMs, 50), p99: percentile(approveMs, 99) };
  };

  try {
    await sleep(3_000);
    const idleMemory = await stack.workerProcess!.memory();
    const idle = idleMemory.rss;
    log(
      `scale: starting ${M} cases through the API at concurrency ${C} (worker RSS idle ${Math.round(idle / 2 ** 20)} MiB)`,
    );
    const opened = await open(0, M, 'product');
    const ids = opened.ids;
    log(`scale: all ${M} wait on approval; sampling worker RSS for 15 s`);
    rss.start();
    await sleep(15_000);
    const waiting = await rss.stop();
    memorySamples.productWaiting = waiting.counts;

    log(`scale: approving ${M} cases through the API at concurrency ${C}`);
    rss.start();
    const approve = await approveAll(ids, M);
    const approving = await rss.stop();
    memorySamples.productApproving = approving.counts;
    log(`scale: all completed ${round(approve.ms / 1000)} s after the first approval; checking`);

    const seen = new Map<string, string>();
    for await (const wf of stack.client.workflow.list({ query: `TaskQueue = '${queue}'`, pageSize: 1000 }))
      seen.set(wf.workflowId, wf.status.name);
    const lost = ids.filter((id) => seen.get(id) === undefined).length;
    const completed = ids.filter((id) => seen.get(id) === 'COMPLETED').length;
    const failed = ids.filter((id) => seen.get(id) !== undefined && seen.get(id) !== 'COMPLETED').length;
    // A case closes only once its emails are out.
    const emails = stack.mail.messages.filter((m) => ids.includes(m.caseId)).length;
    if (lost > 0 || completed !== M)
      throw new Error(`scale: ${completed}/${M} completed, ${lost} lost, ${failed} not completed`);

    // The reference: approvals with only a few cases open, same worker, same run.
    log(`scale: reference: ${SCALE_REFERENCE} cases open, then approved`);
    const refOpened = await open(M, SCALE_REFERENCE, 'reference');
    const reference = await approveAll(refOpened.ids, M + SCALE_REFERENCE);

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
      reference: { cases: SCALE_REFERENCE, approveP50Ms: reference.p50, approveP99Ms: reference.p99 },
      maxCachedWorkflows: cache,
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
  } finally {
    await stack.stop();
  }
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
    const idleMemory = await worker.memory();
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
    rss.start();
    await sleep(15_000);
    const waiting = await rss.stop();
    const approveMs: number[] = [];
    const approve = await timed(async () => {
      await pool(M, C, async (i) => {
        const handle = handles.value[i]!;
        const t = await timed(async () => {
          for (const u of updates) await handle.executeUpdate(u);
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

function count(stack: Stack, taskQueue: string, q: string): Promise<number> {
  return stack.client.workflow.count(`TaskQueue = '${taskQueue}' AND ${q}`).then((r) => r.count);
}

// --- main ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = options();
  const began = Date.now();
  const command =
    `npm run bench --${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`.replace(/ --$/, '');
  const params = { ...o, parts: o.parts.join(','), kinds: o.kinds.join(',') } as Record<string, unknown>;
  delete params.write;
  log(`profile ${o.profile}: ${JSON.stringify(params)}`);

  const server = await startTemporalServer();
  const info = (): RunInfo => ({
    ...runInfo(o.profile, command, params, server.executable),
    durationSeconds: (Date.now() - began) / 1000,
  });
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
    const [productBundle, baselineBundle] = await Promise.all([
      bundleWorkflows(),
      bundleWorkflows(path.join(__dirname, 'baseline-workflow.ts'), 'baseline-bundle'),
    ]);
    bundles.push(productBundle, baselineBundle);
    const wantsMain = o.parts.some((p) => p !== 'scale' && p !== 'topology' && p !== 'webhooks');
    if (wantsMain) {
      const needThroughput = o.parts.includes('throughput') || o.parts.includes('history');
      const tpEnts = needThroughput ? o.n + o.warmup : 0;
      const latEnts = o.parts.includes('latency') ? latencyEnterprises(o) : 0;
      const { list, tokens } = enterprises(tag, 't', tpEnts + latEnts);
      const services = needThroughput
        ? await Promise.all(o.kinds.map(driverFor).flatMap((d) => (d.services ? [d.services()] : [])))
        : [];
      stopServices.push(...services.map((s) => s.stop));
      const stack = await benchStack(
        o,
        server,
        productBundle,
        tokens,
        Object.assign({}, ...services.map((s) => s.env)),
      );
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
          log("history: reading the throughput cases' histories");
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
      record({ part: 'scale', run: info(), data: await scale(o, server, productBundle, baselineBundle, tag) });
    }
    if (o.parts.includes('topology')) {
      record({ part: 'topology', run: info(), data: await topology(o, server, productBundle, tag, log) });
    }
    if (o.parts.includes('webhooks')) {
      record({ part: 'webhooks', run: info(), data: await webhooks(o, server, productBundle, tag, log) });
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
