/**
 * What every bench part shares: its stacks (a worker in a child process, quiet logs, an SMTP sink
 * that reads headers only), enterprises with their tokens, the baseline's worker, a worker's memory
 * sampled once a second, and counts from visibility.
 */
import path from 'node:path';
import type { Principal } from '../api/auth';
import { startStack, WorkerProcess, type Stack, type TemporalServer } from '../test/support/stack';
import type { BenchContext, BenchEnterprise } from './kinds';
import { ApiClient } from './util';

export interface SamplerCounts {
  taken: number;
  failed: number;
}

/** Samples a worker process's memory (RSS, V8 heap, external) once a second; counts samples taken and failed. */
export class RssSampler {
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

/** `count` enterprises of a run (`ent-<prefix>-<tag>-<i>`), and the API tokens that act for them. */
export function enterprises(
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

/** Stack settings of every bench stack: the worker and the API in child processes, quiet logs, an SMTP sink that reads headers only. */
export async function benchStack(
  o: { cache?: number | undefined },
  server: TemporalServer,
  bundlePath: string,
  extraTokens: [string, Principal][],
  extraEnv: Record<string, string> = {},
): Promise<Stack> {
  return startStack({
    temporalAddress: server.address,
    workflowBundlePath: bundlePath,
    worker: 'child',
    // As `npm start` and compose run it: the bench's own requests do not share the API's event loop.
    api: 'child',
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

/** The baseline's worker on a task queue of its own, same environment (and sticky cache) as the product's. */
export function spawnBaselineWorker(
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

/** Workflows of a task queue that match a visibility query. */
export function count(stack: Stack, taskQueue: string, q: string): Promise<number> {
  return stack.client.workflow.count(`TaskQueue = '${taskQueue}' AND ${q}`).then((r) => r.count);
}

/** What a driver needs of a stack: the stack, an API client and support's token. */
export function benchContext(stack: Stack): BenchContext {
  return { stack, api: new ApiClient(stack.apiUrl), supportToken: stack.tokens.support };
}
