/**
 * A worker in its own process, so a test can kill it with SIGKILL mid-case, and the bench can
 * read the worker's own memory. Prints `worker-ready` once polling; answers `{type: 'rss'}` on
 * the IPC channel (when there is one) with its process.memoryUsage().rss.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../config';
import { createWorker } from '../../worker/worker';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.logLevel !== 'info') {
    // Quieter runs (bench, chaos): the SDK's logger and the native core's at the configured level.
    const level = config.logLevel.toUpperCase() as 'DEBUG' | 'WARN' | 'ERROR';
    Runtime.install({
      logger: new DefaultLogger(level),
      telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
    });
  }
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'rss') process.send?.({ type: 'rss', ...process.memoryUsage() });
  });
  const worker = await createWorker({ config, workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! } });
  const running = worker.run();
  console.log('worker-ready');
  await running;
  // The connection and the runtime's log forwarding would keep the process alive.
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
