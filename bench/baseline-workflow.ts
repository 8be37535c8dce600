/**
 * The bench's baseline: a workflow with the same shape as a product case (as many activity
 * calls, in the same batches, and the same updates, in the same order) but with empty bodies:
 * no-op activities, updates without payload or validation, no state, no search attributes, no
 * emails. Its throughput on the same server and machine is what Temporal alone costs for that
 * shape; the product's figure beside it shows what the product adds.
 *
 * The shape comes from a recorded history of the product case (see `history.ts`). Bundled on its
 * own (a tiny bundle) and run by `baseline-worker.ts` on its own task queue.
 */
import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

/** A batch of activities scheduled in one workflow task, or one update awaited. */
export type BaselineStep = { activities: number } | { update: string };

export interface BaselineInput {
  steps: BaselineStep[];
}

export interface BaselineActivities {
  noop(): Promise<void>;
}

const { noop } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds' });

export async function baselineCase(input: BaselineInput): Promise<number> {
  let awaiting: string | undefined;
  let updates = 0;
  for (const name of new Set(input.steps.flatMap((s) => ('update' in s ? [s.update] : [])))) {
    // Accepted at once; completes when the workflow reaches the step that waits for it.
    setHandler(defineUpdate<void>(name), async () => {
      await condition(() => awaiting === name);
      awaiting = undefined;
      updates++;
    });
  }
  let activities = 0;
  for (const step of input.steps) {
    if ('update' in step) {
      awaiting = step.update;
      await condition(() => awaiting === undefined);
    } else {
      await Promise.all(Array.from({ length: step.activities }, () => noop()));
      activities += step.activities;
    }
  }
  return activities + updates;
}
