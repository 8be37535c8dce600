/**
 * A worker in its own process, so a test can kill it with SIGKILL mid-case, and the bench can
 * read the worker's own memory. Prints `worker-ready` once polling; answers `{type: 'rss'}` on
 * the IPC channel (when there is one) with its process.memoryUsage().rss (see `worker-serve.ts`).
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../config';
import { createWorker } from '../../worker/worker';
import { serveWorkerProcess } from './worker-serve';

serveWorkerProcess(async () => {
  const config = loadConfig();
  if (config.logLevel !== 'info') {
    // Quieter runs (bench, chaos): the SDK's logger and the native core's at the configured level.
    const level = config.logLevel.toUpperCase() as 'DEBUG' | 'WARN' | 'ERROR';
    Runtime.install({
      logger: new DefaultLogger(level),
      telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
    });
  }
  return createWorker({ config, workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! } });
});
