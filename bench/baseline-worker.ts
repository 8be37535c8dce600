/**
 * The baseline's worker process: the baseline bundle (BASELINE_BUNDLE_PATH) and no-op
 * activities on TEMPORAL_TASK_QUEUE, with the product worker's sticky cache
 * (WORKER_MAX_CACHED_WORKFLOWS, which the bench's `--cache` sets for both). Same protocol as
 * test/support/worker-process.ts (`serveWorkerProcess`): prints `worker-ready`, answers
 * `{type: 'rss'}` over IPC, with how many activities it has run (the bench waits on that to know
 * the workflows are parked).
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../config';
import { payloadCodec, productDataConverter } from '../config/payload-encryption';
import { serveWorkerProcess } from '../test/support/worker-serve';
import type { BaselineActivities } from './baseline-workflow';

let activitiesRun = 0;
const activities: BaselineActivities = {
  noop: async () => void activitiesRun++,
  wait: async (ms: number) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    activitiesRun++;
  },
};

serveWorkerProcess(
  async () => {
    const config = loadConfig();
    Runtime.install({
      logger: new DefaultLogger('WARN'),
      telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } },
    });
    return Worker.create({
      connection: await NativeConnection.connect({ address: config.temporal.address }),
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      workflowBundle: { codePath: process.env.BASELINE_BUNDLE_PATH! },
      activities,
      // As the product's worker (worker/worker.ts): its sticky cache and its payload encryption.
      maxCachedWorkflows: config.temporal.maxCachedWorkflows,
      dataConverter: productDataConverter(payloadCodec(config)),
    });
  },
  () => ({ activitiesRun }),
);
