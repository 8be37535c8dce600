/**
 * The baseline's worker process: the baseline bundle (BASELINE_BUNDLE_PATH) and a no-op
 * activity on TEMPORAL_TASK_QUEUE. Same protocol as test/support/worker-process.ts: prints
 * `worker-ready`, answers `{type: 'rss'}` over IPC.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../config';
import type { BaselineActivities } from './baseline-workflow';

async function main(): Promise<void> {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } } });
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'rss') process.send?.({ type: 'rss', ...process.memoryUsage() });
  });
  const activities: BaselineActivities = { noop: async () => undefined };
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address: config.temporal.address }),
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: { codePath: process.env.BASELINE_BUNDLE_PATH! },
    activities,
    // As the product's worker (worker/worker.ts).
    maxCachedWorkflows: 1000,
  });
  const running = worker.run();
  console.log('worker-ready');
  await running;
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
