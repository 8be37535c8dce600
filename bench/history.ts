/**
 * Reading recorded histories: the shape of a product case (its activity batches and updates, for
 * the baseline to copy), events per case, and the largest payload a history holds.
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
}

/**
 * The activity calls of a case, batched by the workflow task that scheduled them, and the
 * updates it accepted, in history order.
 */
export function shapeOf(history: History): CaseShape {
  const events = history.events ?? [];
  const steps: BaselineStep[] = [];
  const shape: CaseShape = { steps, activities: 0, updates: 0, signals: 0, timers: 0, childWorkflows: 0, searchAttributeUpserts: 0, events: events.length };
  let lastBatchTask: string | undefined;
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) {
      shape.activities++;
      const task = String(e.activityTaskScheduledEventAttributes.workflowTaskCompletedEventId);
      const last = steps[steps.length - 1];
      if (last && 'activities' in last && lastBatchTask === task) last.activities++;
      else steps.push({ activities: 1 });
      lastBatchTask = task;
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      shape.updates++;
      steps.push({ update: e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name ?? 'update' });
      lastBatchTask = undefined;
    } else if (e.workflowExecutionSignaledEventAttributes) {
      shape.signals++;
    } else if (e.timerStartedEventAttributes) {
      shape.timers++;
    } else if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
      shape.childWorkflows++;
    } else if (e.upsertWorkflowSearchAttributesEventAttributes) {
      shape.searchAttributeUpserts++;
    }
  }
  return shape;
}

export interface PayloadSize {
  bytes: number;
  eventType: string;
  field: string;
}

/** Every payload in an event: data plus metadata bytes, with where it was found. */
function payloadsOf(event: Event): PayloadSize[] {
  const out: PayloadSize[] = [];
  const eventType = Object.keys(event).find((k) => k.endsWith('EventAttributes') && (event as Record<string, unknown>)[k]) ?? 'unknown';
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
