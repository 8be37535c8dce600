/** Builds the onboarding worker: all workflows and activities on one task queue. */
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Config } from '../config';
import { payloadCodec, productDataConverter } from '../config/payload-encryption';
import { temporalConnectionOptions } from '../config/temporal-connection';

export interface CreateWorkerOptions {
  config: Config;
  connection?: NativeConnection;
  /** A prebuilt bundle (tests build it once); otherwise workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  activities?: object;
  /** The payload codec; default: the configured keys'. */
  codec?: PayloadCodec;
}

export async function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  const { config } = options;
  // Keys first: a missing or bad key file stops the worker before it connects.
  const codec = options.codec ?? payloadCodec(config);
  const connection = options.connection ?? (await NativeConnection.connect(temporalConnectionOptions(config.temporal)));
  return Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: options.activities ?? createActivities(config),
    // Payloads are ciphertext in Temporal's database (config/payload-encryption.ts).
    dataConverter: productDataConverter(codec),
    // Bounded sticky cache: thousands of waiting cases must not hold memory each; past it, a
    // workflow's next task replays its history.
    maxCachedWorkflows: config.temporal.maxCachedWorkflows,
  });
}
