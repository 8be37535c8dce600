/** The worker process: runs every onboarding workflow and activity until SIGINT/SIGTERM. */
import { Runtime } from '@temporalio/worker';
import { closeConnections } from '../activities';
import { loadConfig } from '../config';
import { describeTemporalConnection, temporalConnectionOptions } from '../config/temporal-connection';
import { closeStorage, prepareStorage } from '../storage';
import { createWorker } from './worker';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { process: 'worker' });
  const metricsAddress = config.metrics.workerAddress;
  Runtime.install({
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    // The SDK's own metrics (task latencies, failures, slots, cache) in Prometheus' conventions:
    // seconds, unit suffixes, `_total` counters.
    ...(metricsAddress
      ? {
          telemetryOptions: {
            metrics: {
              prometheus: {
                bindAddress: metricsAddress,
                useSecondsForDurations: true,
                unitSuffix: true,
                countersTotalSuffix: true,
              },
            },
          },
        }
      : {}),
  });
  // The database schema first: a bad DATABASE_URL stops the worker before it takes any task.
  console.log(`documents and email ledger: ${await prepareStorage(config)}`);
  const worker = await createWorker({ config });
  const temporal = describeTemporalConnection(temporalConnectionOptions(config.temporal));
  console.log(
    `worker polling task queue "${config.temporal.taskQueue}" on ${temporal} (namespace ${config.temporal.namespace})`,
  );
  if (metricsAddress) console.log(`worker metrics on http://${metricsAddress}/metrics`);
  await worker.run();
  await closeConnections();
  await closeStorage();
  console.log('worker stopped');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
