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
  if (config.logLevel !== 'info') Runtime.install({ logger: new DefaultLogger(config.logLevel.toUpperCase() as 'WARN') });
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'rss') process.send?.({ type: 'rss', rss: process.memoryUsage().rss });
  });
  const worker = await createWorker({ config, workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! } });
  const running = worker.run();
  console.log('worker-ready');
  await running;
  process.disconnect?.();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
