/** The worker process: runs every onboarding workflow and activity until SIGINT/SIGTERM. */
import { Runtime } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  Runtime.install({ shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const worker = await createWorker({ config });
  console.log(`worker polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address} (namespace ${config.temporal.namespace})`);
  await worker.run();
  console.log('worker stopped');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
