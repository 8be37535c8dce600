/**
 * The throughput part: each kind's cases driven through the API by the auto-approver and the
 * kind's driver, then as many baseline cases of the recorded shape on a worker of their own.
 */
import type { Stack, TemporalServer } from '../test/support/stack';
import { AutoApprover } from './approver';
import type { BaselineInput } from './baseline-workflow';
import { startBaseline } from './baseline-client';
import { describeShape, fetchHistory, opensWithUpdate, shapeOf, type CaseShape } from './history';
import { drive, driverFor, KIND_DRIVERS, type BenchContext, type BenchEnterprise } from './kinds';
import { log, type Options } from './options';
import { RssSampler, spawnBaselineWorker, type SamplerCounts } from './stack';
import { cpuPerCase, cpuSnapshot, devServerPids, type CpuPerCase } from './cpu';
import { pool, round, timed } from './util';

export interface ThroughputKind {
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
  /** CPU per measured case by process, product's window and baseline's: where the machine's time went. */
  cpu: { product: CpuPerCase; baseline: CpuPerCase };
  approver: AutoApprover['counts'];
  ids: string[];
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
  cpu: CpuPerCase;
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
    const groups = { temporal: devServerPids(server.port), workers: () => [worker.pid] };
    const before = cpuSnapshot(groups);
    const { ms } = await timed(() => pool(count, concurrency, one));
    const cpu = cpuPerCase(before, cpuSnapshot(groups), count);
    const mem = await rss.stop();
    return {
      seconds: ms / 1000,
      casesPerSecond: count / (ms / 1000),
      workerRssMaxBytes: mem.max,
      opensWithUpdate: opensWithUpdate(input.steps) ?? null,
      memorySamples: mem.counts,
      cpu,
    };
  } finally {
    await worker.kill('SIGTERM');
  }
}

export async function throughput(
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
      const groups = {
        temporal: devServerPids(server.port),
        workers: () => (stack.workerProcess ? [stack.workerProcess.pid] : []),
        api: () => (stack.apiPid ? [stack.apiPid] : []),
      };
      const cpuBefore = cpuSnapshot(groups);
      const product = await timed(() =>
        pool(count, o.concurrency, (i) => drive(driver, ctx, measured[i]!, o.warmup + i)),
      );
      const productCpu = cpuPerCase(cpuBefore, cpuSnapshot(groups), count);
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
        cpu: { product: productCpu, baseline: baseline.cpu },
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
