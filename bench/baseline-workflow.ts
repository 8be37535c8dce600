/**
 * The bench's baseline: a workflow with the same shape as a product case, with empty bodies. It
 * issues the product case's commands (activities, timers started and cancelled, search-attribute
 * upserts, children), grouped in the same workflow tasks and in the same order, and waits for what
 * the product waited for (activities closed, timers fired, children started, updates and signals),
 * but its activities are no-ops (or sleep as long as the product's real-world waits, e.g. a test
 * call ringing), its updates carry no payload or validation, and it keeps no state and sends no
 * emails. Its throughput and memory on the same server and machine are what Temporal alone costs
 * for that shape; the product's figures beside them show what the product adds.
 *
 * The shape comes from a recorded history of the product case (see `history.ts`). Bundled on its
 * own (a tiny bundle) and run by `baseline-worker.ts` on its own task queue.
 */
import {
  CancellationScope,
  condition,
  defineSignal,
  defineUpdate,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * One command or one wait of a recorded case, in history order. Commands: `activity` (scheduled,
 * not awaited), `timer` (started, ms), `cancelTimer` (k-th timer), `upsert` (search attributes, how
 * many), `child` (started). Waits: `awaitActivity` / `awaitTimer` / `awaitChild` (k-th of its kind),
 * `update` (the next update of that name), `signal` (the next signal of that name).
 */
export type BaselineStep =
  | { activity: string }
  | { timer: number }
  | { cancelTimer: number }
  | { upsert: number }
  | { child: string }
  | { awaitActivity: number }
  | { awaitTimer: number }
  | { awaitChild: number }
  | { update: string }
  | { signal: string };

export interface BaselineInput {
  steps: BaselineStep[];
  /** Activities that take real time in the product (name -> ms): the baseline sleeps that long. */
  sleeps?: Record<string, number>;
}

export interface BaselineActivities {
  noop(): Promise<void>;
  wait(ms: number): Promise<void>;
}

const { noop, wait } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '1 minute' });

/** A keyword attribute the server knows (the bench's dev server registers the product's). */
const StageKey = defineSearchAttributeKey('OnboardingStage', 'KEYWORD');

export async function baselineChild(): Promise<void> {
  // Started and left: the parent does not wait for it, as the product does not wait for its children.
}

export async function baselineCase(input: BaselineInput): Promise<number> {
  const steps = input.steps;
  const sleeps = input.sleeps ?? {};
  let awaiting: string | undefined;
  const received = new Map<string, number>();
  for (const name of new Set(steps.flatMap((s) => ('update' in s ? [s.update] : [])))) {
    // Accepted at once; completes when the workflow reaches the step that waits for it.
    setHandler(defineUpdate<void>(name), async () => {
      await condition(() => awaiting === name);
      awaiting = undefined;
    });
  }
  for (const name of new Set(steps.flatMap((s) => ('signal' in s ? [s.signal] : [])))) {
    setHandler(defineSignal(name), () => void received.set(name, (received.get(name) ?? 0) + 1));
  }
  const activities: Promise<void>[] = [];
  const timers: { scope: CancellationScope; fired: Promise<void> }[] = [];
  const children: Promise<unknown>[] = [];
  let upserts = 0;
  for (const step of steps) {
    if ('activity' in step) {
      const ms = sleeps[step.activity];
      const p = ms ? wait(ms) : noop();
      p.catch(() => undefined);
      activities.push(p);
    } else if ('timer' in step) {
      const scope = new CancellationScope();
      const fired = scope.run(() => sleep(step.timer));
      fired.catch((err) => {
        if (!isCancellation(err)) throw err;
      });
      timers.push({ scope, fired });
    } else if ('cancelTimer' in step) {
      timers[step.cancelTimer]?.scope.cancel();
    } else if ('upsert' in step) {
      upserts++;
      upsertSearchAttributes([{ key: StageKey, value: `baseline-${upserts}` }]);
    } else if ('child' in step) {
      const k = children.length;
      children.push(
        startChild(baselineChild, {
          workflowId: `${workflowInfo().workflowId}-child-${k}`,
          parentClosePolicy: ParentClosePolicy.ABANDON,
        }),
      );
    } else if ('awaitActivity' in step) {
      await activities[step.awaitActivity];
    } else if ('awaitTimer' in step) {
      await timers[step.awaitTimer]?.fired;
    } else if ('awaitChild' in step) {
      await children[step.awaitChild];
    } else if ('update' in step) {
      awaiting = step.update;
      await condition(() => awaiting === undefined);
    } else if ('signal' in step) {
      await condition(() => (received.get(step.signal) ?? 0) > 0);
      received.set(step.signal, received.get(step.signal)! - 1);
    }
  }
  return activities.length + upserts;
}
