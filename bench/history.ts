/**
 * Reading recorded histories: the shape of a product case (every command it issued and what it
 * waited for, for the baseline to copy), events per case, and the largest payload a history holds.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { BaselineStep } from './baseline-workflow';

type History = temporal.api.history.v1.IHistory;
type Event = temporal.api.history.v1.IHistoryEvent;

export function fetchHistory(client: Client, workflowId: string): Promise<History> {
  return client.workflow.getHandle(workflowId).fetchHistory();
}

export interface CaseShape {
  steps: BaselineStep[];
  activities: number;
  updates: number;
  signals: number;
  timers: number;
  childWorkflows: number;
  searchAttributeUpserts: number;
  events: number;
  /** Workflow tasks that issued commands (the baseline issues the same commands in as many). */
  workflowTasks: number;
  /** Scheduled-to-closed time of each activity type, longest of the case (ms). */
  activityMs: Record<string, number>;
}

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  t ? Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6) : 0;

/**
 * Every command of a case in history order (activities scheduled, timers started and cancelled,
 * search-attribute upserts, children started), grouped by the workflow task that issued them, each
 * group preceded by what that task woke up on (activities closed, timers fired, children started,
 * signals and updates delivered). Replayed in order with no-op bodies, this is the case's shape
 * with nothing of the product in it.
 */
export function shapeOf(history: History): CaseShape {
  const events = history.events ?? [];
  const steps: BaselineStep[] = [];
  const shape: CaseShape = {
    steps,
    activities: 0,
    updates: 0,
    signals: 0,
    timers: 0,
    childWorkflows: 0,
    searchAttributeUpserts: 0,
    events: events.length,
    workflowTasks: 0,
    activityMs: {},
  };
  // Event id of the command -> its index among commands of that kind (what the baseline names it by).
  const activityIndex = new Map<string, { index: number; name: string; scheduledMs: number }>();
  const childIndex = new Map<string, number>();
  const timerIndex = new Map<string, number>();
  let wakers: BaselineStep[] = [];
  let task: { wakers: BaselineStep[]; commands: BaselineStep[] } | undefined;
  const flush = () => {
    if (task && task.commands.length > 0) {
      steps.push(...task.wakers, ...task.commands);
      shape.workflowTasks++;
    } else if (task) {
      // A task that issued nothing: what woke it is still waited for before the next commands.
      wakers = [...task.wakers, ...wakers];
    }
    task = undefined;
  };
  for (const e of events) {
    const id = String(e.eventId);
    if (e.workflowTaskCompletedEventAttributes) {
      flush();
      task = { wakers, commands: [] };
      wakers = [];
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      shape.updates++;
      const name = e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name ?? 'update';
      // Accepted by the task just completed: it ran on that update.
      (task ? task.wakers : wakers).push({ update: name });
    } else if (e.workflowExecutionSignaledEventAttributes) {
      shape.signals++;
      wakers.push({ signal: e.workflowExecutionSignaledEventAttributes.signalName ?? 'signal' });
    } else if (e.activityTaskScheduledEventAttributes) {
      const name = e.activityTaskScheduledEventAttributes.activityType?.name ?? 'activity';
      activityIndex.set(id, { index: shape.activities++, name, scheduledMs: ms(e.eventTime) });
      task?.commands.push({ activity: name });
    } else if (
      e.activityTaskCompletedEventAttributes ||
      e.activityTaskFailedEventAttributes ||
      e.activityTaskTimedOutEventAttributes ||
      e.activityTaskCanceledEventAttributes
    ) {
      const a =
        e.activityTaskCompletedEventAttributes ??
        e.activityTaskFailedEventAttributes ??
        e.activityTaskTimedOutEventAttributes ??
        e.activityTaskCanceledEventAttributes;
      const scheduled = activityIndex.get(String(a!.scheduledEventId));
      if (scheduled) {
        wakers.push({ awaitActivity: scheduled.index });
        shape.activityMs[scheduled.name] = Math.max(
          shape.activityMs[scheduled.name] ?? 0,
          ms(e.eventTime) - scheduled.scheduledMs,
        );
      }
    } else if (e.timerStartedEventAttributes) {
      const t = e.timerStartedEventAttributes;
      timerIndex.set(t.timerId ?? id, shape.timers++);
      task?.commands.push({ timer: ms(t.startToFireTimeout) });
    } else if (e.timerFiredEventAttributes) {
      const k = timerIndex.get(e.timerFiredEventAttributes.timerId ?? '');
      if (k !== undefined) wakers.push({ awaitTimer: k });
    } else if (e.timerCanceledEventAttributes) {
      const k = timerIndex.get(e.timerCanceledEventAttributes.timerId ?? '');
      if (k !== undefined) task?.commands.push({ cancelTimer: k });
    } else if (e.upsertWorkflowSearchAttributesEventAttributes) {
      shape.searchAttributeUpserts++;
      task?.commands.push({
        upsert: Object.keys(e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {})
          .length,
      });
    } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      childIndex.set(id, shape.childWorkflows++);
      task?.commands.push({
        child: e.startChildWorkflowExecutionInitiatedEventAttributes.workflowType?.name ?? 'child',
      });
    } else if (e.childWorkflowExecutionStartedEventAttributes) {
      const k = childIndex.get(String(e.childWorkflowExecutionStartedEventAttributes.initiatedEventId));
      if (k !== undefined) wakers.push({ awaitChild: k });
    }
  }
  flush();
  return shape;
}

/** Updates a driver sends after the start, in order (the first is sent with the start when the case opens with one). */
export function baselineUpdates(steps: BaselineStep[]): string[] {
  return steps.flatMap((s) => ('update' in s ? [s.update] : []));
}

/** Signals a driver sends, in order. */
export function baselineSignals(steps: BaselineStep[]): string[] {
  return steps.flatMap((s) => ('signal' in s ? [s.signal] : []));
}

/** The case opens with an update (update-with-start) when an update comes before any command. */
export function opensWithUpdate(steps: BaselineStep[]): string | undefined {
  for (const s of steps) {
    if ('update' in s) return s.update;
    if ('activity' in s || 'timer' in s || 'upsert' in s || 'child' in s || 'signal' in s) return undefined;
  }
  return undefined;
}

/** Commands and waits of a shape, for a one-line summary. */
export function describeShape(shape: Pick<CaseShape, 'steps'>): string {
  const count = (key: string) => shape.steps.filter((s) => key in s).length;
  return `${count('activity')} activities, ${count('timer')} timers (${count('cancelTimer')} cancelled), ${count('upsert')} SA upserts, ${count('child')} children, ${count('update')} updates, ${count('signal')} signals`;
}

export interface PayloadSize {
  bytes: number;
  eventType: string;
  field: string;
}

/** Every payload in an event: data plus metadata bytes, with where it was found. */
function payloadsOf(event: Event): PayloadSize[] {
  const out: PayloadSize[] = [];
  const eventType =
    Object.keys(event).find((k) => k.endsWith('EventAttributes') && (event as Record<string, unknown>)[k]) ?? 'unknown';
  const visit = (value: unknown, field: string, depth: number) => {
    if (!value || typeof value !== 'object' || depth > 12) return;
    if (value instanceof Uint8Array) return;
    const o = value as Record<string, unknown>;
    if (o.data instanceof Uint8Array && 'metadata' in o) {
      const metadata = (o.metadata ?? {}) as Record<string, Uint8Array>;
      const metaBytes = Object.entries(metadata).reduce((n, [k, v]) => n + k.length + (v?.byteLength ?? 0), 0);
      out.push({ bytes: o.data.byteLength + metaBytes, eventType: eventType.replace(/EventAttributes$/, ''), field });
      return;
    }
    for (const [k, v] of Object.entries(o)) visit(v, field ? `${field}.${k}` : k, depth + 1);
  };
  visit(event, '', 0);
  return out;
}

export interface HistoryStats {
  cases: number;
  eventsMin: number;
  eventsMean: number;
  eventsMax: number;
  /** Size of the encoded history (protobuf), largest case. */
  historyBytesMax: number;
  largestPayload: PayloadSize;
}

export function historyStats(histories: History[]): HistoryStats {
  const counts = histories.map((h) => h.events?.length ?? 0);
  let largest: PayloadSize = { bytes: 0, eventType: '-', field: '-' };
  let historyBytesMax = 0;
  for (const h of histories) {
    historyBytesMax = Math.max(historyBytesMax, temporal.api.history.v1.History.encode(h).finish().byteLength);
    for (const e of h.events ?? []) {
      for (const p of payloadsOf(e)) if (p.bytes > largest.bytes) largest = p;
    }
  }
  return {
    cases: histories.length,
    eventsMin: Math.min(...counts),
    eventsMean: counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length),
    eventsMax: Math.max(...counts),
    historyBytesMax,
    largestPayload: largest,
  };
}
