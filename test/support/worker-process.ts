/** A worker in its own process, so a test can kill it with SIGKILL mid-case. */
import { loadConfig } from '../../config';
import { createWorker } from '../../worker/worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const worker = await createWorker({ config, workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! } });
  const running = worker.run();
  console.log('worker-ready');
  await running;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
