/**
 * `npx tsx bench/profile.ts`: where a worker's time goes. Runs N verifications through the API
 * (started, approved, closed) against a product worker started with `node --cpu-prof`, then N
 * baseline cases of the same shape against a baseline worker started the same way, and sums each
 * worker's CPU profile (every thread: the main thread runs activities and the SDK, the workflow
 * threads run the bundle) by where the time went, per workflow task.
 *
 *   npx tsx bench/profile.ts                 # 200 cases each
 *   npx tsx bench/profile.ts --n 50 --no-write --keep   # keeps the .cpuprofile files
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflows, startStack, startTemporalServer, type Stack } from '../test/support/stack';
import { startBaseline } from './baseline-client';
import { baselineUpdates, fetchHistory, opensWithUpdate, shapeOf } from './history';
import type { DocumentRef } from '../domain/verification';
import { uploadVerificationDocuments, verificationApplication, type BenchContext, type BenchEnterprise } from './kinds';
import { renderBenchmarks, runInfo, writeResult } from './report';
import { benchContext, enterprises } from './stack';
import { pool, round, runMain, sleep, stopOnFatal, timed } from './util';

const log = (line: string) => process.stderr.write(`[profile ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a sample's own time goes, by the frame it was taken in. */
export function category(frame: { functionName: string; url: string }): string {
  const { functionName: fn, url } = frame;
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'garbage collector';
  if (fn === '(program)') return 'native (V8, libuv, the SDK core bridge)';
  // The SDK evaluating workflow code in the workflow thread's V8 context.
  if (fn === 'runInContext') return 'workflow code evaluation (vm runInContext)';
  if (/workflows?-bundle|baseline-bundle/.test(url)) return 'workflow bundle code (workflows, SDK workflow runtime)';
  if (/vm-shared|reusable-vm|workflow\/vm|evalmachine/.test(url))
    return 'SDK workflow sandbox (activations, stack traces)';
  if (/node_modules\/@temporalio\/(worker|core-bridge)\//.test(url))
    return 'SDK worker (activations, sinks, thread pool)';
  if (/node_modules\/(@temporalio\/proto|protobufjs|long)\//.test(url)) return 'protobuf encode/decode';
  if (/node_modules\/@temporalio\//.test(url)) return 'SDK common (payload conversion)';
  if (
    /node_modules\/(tsx|esbuild|get-tsconfig|source-map)|^node:internal\/modules|\/(loader|hooks|realm|utils|lexer)$/.test(
      url,
    ) ||
    /^(wrapSafe|compile)/.test(fn)
  ) {
    return 'module loading (tsx, at start)';
  }
  if (/node_modules\//.test(url)) return 'other libraries (activities: HTTP, SMTP, ...)';
  if (url === '') return 'V8 and Node builtins (postMessage, buffers, sockets)';
  if (url.startsWith('node:')) return 'Node internals (streams, net, timers)';
  return 'product code outside the bundle (activities, config)';
}

export interface ProfileSummary {
  threads: number;
  wallMs: number;
  busyMs: number;
  /** Busy time of the main thread (activities, the SDK's worker side) and of the workflow threads. */
  busyByThread: { main: number; workflow: number; other: number };
  byCategory: Record<string, number>;
}

export function summarise(profiles: CpuProfile[]): ProfileSummary {
  const byCategory: Record<string, number> = {};
  const busyByThread = { main: 0, workflow: 0, other: 0 };
  let wallMs = 0;
  profiles.forEach((p, index) => {
    const nodes = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
    const isWorkflowThread = p.nodes.some(
      (n) => n.callFrame.functionName === 'runInContext' || /workflows?-bundle|baseline-bundle/.test(n.callFrame.url),
    );
    const thread = index === 0 ? 'main' : isWorkflowThread ? 'workflow' : 'other';
    wallMs = Math.max(wallMs, (p.endTime - p.startTime) / 1000);
    p.samples.forEach((id, i) => {
      const c = category(nodes.get(id) ?? { functionName: '', url: '' });
      const ms = (p.timeDeltas[i] ?? 0) / 1000;
      byCategory[c] = (byCategory[c] ?? 0) + ms;
      if (c !== 'idle') busyByThread[thread] += ms;
    });
  });
  const busyMs = Object.entries(byCategory).reduce((sum, [c, ms]) => (c === 'idle' ? sum : sum + ms), 0);
  return { threads: profiles.length, wallMs, busyMs, busyByThread, byCategory };
}

/** A worker process under `node --cpu-prof`; its profiles (one per thread) once it has exited. */
async function profiledWorker(script: string, env: Record<string, string>, dir: string) {
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    cwd: path.join(__dirname, '..'),
  });
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    void exited.then(() => reject(new Error('profiled worker exited early')));
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('worker-ready') && resolve());
  });
  return {
    async stop(): Promise<CpuProfile[]> {
      child.kill('SIGTERM');
      await exited;
      process.off('exit', reap);
      // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0, the main thread, first.
      const files = (await readdir(dir))
        .filter((f) => f.endsWith('.cpuprofile'))
        .sort((a, b) => Number(a.split('.')[4]) - Number(b.split('.')[4]));
      return Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(dir, f), 'utf8')) as CpuProfile));
    },
  };
}

/** One verification started through the API, approved as soon as it may be, and waited for to close. */
async function verifyAndApprove(ctx: BenchContext, ent: BenchEnterprise, documents: DocumentRef[]): Promise<string> {
  const { id } = await ctx.api.expect<{ id: string }>(
    202,
    'POST',
    '/v1/onboardings',
    ent.token,
    verificationApplication(ent.id, documents),
  );
  for (;;) {
    const r = await ctx.api.call('POST', `/v1/onboardings/${id}/actions/approve`, ctx.supportToken, {
      note: 'bench: profile',
    });
    if (r.status === 200) break;
    await sleep(100);
  }
  await ctx.stack.client.workflow.getHandle(id).result();
  return id;
}

/** Workflow tasks completed, over every history. */
function workflowTasks(histories: Awaited<ReturnType<typeof fetchHistory>>[]): number {
  return histories.reduce(
    (sum, h) => sum + (h.events ?? []).filter((e) => e.workflowTaskCompletedEventAttributes).length,
    0,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: 'string' },
      concurrency: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const n = Number(values.n ?? 200);
  const concurrency = Number(values.concurrency ?? 8);
  const began = Date.now();
  const server = await startTemporalServer();
  stopOnFatal(() => server.stop());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-profile-'));
  const [productBundle, baselineBundle] = await Promise.all([
    bundleWorkflows(),
    bundleWorkflows(path.join(__dirname, 'baseline-workflow.ts'), 'baseline-bundle'),
  ]);
  const tag = Date.now().toString(36);
  const { list: ents, tokens } = enterprises(tag, 'p', n);
  let stack: Stack | undefined;
  try {
    stack = await startStack({
      temporalAddress: server.address,
      workflowBundlePath: productBundle,
      worker: 'none',
      mail: { headersOnly: true },
      extraTokens: tokens,
      env: { LOG_LEVEL: 'warn', VERIFICATION_REVIEW_SLA: '1d' },
    });
    const ctx = benchContext(stack);
    const s = stack;

    log(`product: ${n} verifications (uploads untimed)`);
    const docs = await pool(n, 16, (i) => uploadVerificationDocuments(ctx, ents[i]!));
    const product = await profiledWorker(
      'test/support/worker-process.ts',
      { ...s.env, WORKFLOW_BUNDLE_PATH: productBundle },
      path.join(dir, 'product'),
    );
    const productRun = await timed(() => pool(n, concurrency, (i) => verifyAndApprove(ctx, ents[i]!, docs[i]!)));
    const productProfiles = await product.stop();
    const histories = await pool(n, 8, (i) => fetchHistory(s.client, productRun.value[i]!));
    const productTasks = workflowTasks(histories);
    const shape = shapeOf(histories[0]!);

    log(`baseline: ${n} cases of the same shape`);
    const taskQueue = `bench-profile-baseline-${tag}`;
    const baseline = await profiledWorker(
      'bench/baseline-worker.ts',
      { ...s.env, TEMPORAL_TASK_QUEUE: taskQueue, BASELINE_BUNDLE_PATH: baselineBundle },
      path.join(dir, 'baseline'),
    );
    const baselineRun = await timed(() =>
      pool(n, concurrency, async (i) => {
        const { handle, updates } = await startBaseline(s.client, taskQueue, `baseline-p-${tag}-${i}`, {
          steps: shape.steps,
        });
        for (const u of updates) await handle.executeUpdate(u);
        await handle.result();
        return handle.workflowId;
      }),
    );
    const baselineProfiles = await baseline.stop();
    const baselineHistories = await pool(n, 8, (i) => fetchHistory(s.client, baselineRun.value[i]!));
    const baselineTasks = workflowTasks(baselineHistories);

    const figures = (summary: ProfileSummary, tasks: number, seconds: number) => ({
      cases: n,
      seconds,
      workflowTasks: tasks,
      cpuMsPerWorkflowTask: summary.busyMs / tasks,
      cpuMsPerCase: summary.busyMs / n,
      ...summary,
    });
    const data = {
      concurrency,
      opensWithUpdate: opensWithUpdate(shape.steps) ?? null,
      updates: baselineUpdates(shape.steps),
      product: figures(summarise(productProfiles), productTasks, productRun.ms / 1000),
      baseline: figures(summarise(baselineProfiles), baselineTasks, baselineRun.ms / 1000),
    };
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    if (!values['no-write']) {
      const command = `npx tsx bench/profile.ts${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
      writeResult({
        part: 'profile',
        run: {
          ...runInfo('default', command, { n, concurrency }, server.executable),
          durationSeconds: (Date.now() - began) / 1000,
        },
        data,
      });
      renderBenchmarks();
    }
    log(`done in ${round((Date.now() - began) / 60_000)} min`);
  } finally {
    await stack?.stop();
    await server.stop();
    // --keep: the .cpuprofile files stay for a closer look (Chrome DevTools, speedscope).
    if (values.keep) log(`profiles kept in ${dir}`);
    else await rm(dir, { recursive: true, force: true });
    await Promise.all(
      [productBundle, baselineBundle].map((b) => rm(path.dirname(b), { recursive: true, force: true })),
    );
  }
}

if (require.main === module) runMain(main);
