/**
 * A worker killed with SIGKILL mid-activity, for the tests that prove a case survives it: the
 * harness's worker gives way to one in its own process, which is killed while it holds an
 * activity's first attempt; the harness's worker then retries it.
 */
import { expect, inject } from 'vitest';
import type { Harness } from './harness';
import { activityRunning, completedAttempt, WorkerProcess } from './stack';

/** The harness's worker stopped and one in its own process started in its place, on the suite's bundle. */
export async function workerInItsOwnProcess(h: Harness): Promise<WorkerProcess> {
  await h.stopWorker();
  return WorkerProcess.spawn({ ...h.env, WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath') });
}

/**
 * Kills `worker` with SIGKILL while it holds the first attempt of `activityType` for case `id`
 * (a test slows the billing sandbox so the kill lands there), lifts that slowness and starts the
 * harness's own worker again, which retries the lost attempt.
 */
export async function crashMidActivity(h: Harness, worker: WorkerProcess, id: string, activityType: string) {
  expect((await activityRunning(h.client, id, activityType)).attempt).toBe(1);
  await worker.kill('SIGKILL');
  h.billing.setFaults({ latencyMs: 0 });
  await h.startWorker();
}

/** The activity was retried after the kill: the attempt that completed it was not the first. */
export async function expectCompletedOnRetry(h: Harness, id: string, activityType: string) {
  expect(await completedAttempt(h.client, id, activityType)).toBeGreaterThanOrEqual(2);
}
