/**
 * The events a case emits (the feed and webhooks): recorded by a local activity in the order
 * emitted, never holding up the case, and told only when something changed.
 */
import { CancellationScope, patched, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { CaseState } from '../../contract/case';
import type { WebhookActivities } from '../../activities/webhooks';
import type { EventType, ProductEvent } from '../../domain/webhooks';
import { isoAt, now, type ServiceFacts } from './case-types';

/** Cases emit events (the feed and webhooks); cases started before this replay without them. */
export const CASE_EVENTS_PATCH = 'case-events';
/** The events of one workflow task go to one local activity; earlier cases record one at a time. */
export const CASE_EVENTS_BATCHED_PATCH = 'case-events-batched';

// Local: storing an event takes milliseconds and should not cost a round trip through the server.
// Retried without limit: an event is kept once per id, and storage coming back must not lose one.
const { recordEvent, recordEvents } = proxyLocalActivities<WebhookActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export class CaseEvents {
  /** Events emitted by this run (their ids' last part), and the chain that records them in order. */
  private events = 0;
  private emitting: Promise<void> = Promise.resolve();
  /** Emitted events the next link of the chain has yet to take (batched cases). */
  private pending: ProductEvent[] = [];
  /** What the last events said, so `tellChanges` tells only changes. */
  private told: { stage?: string; awaiting?: string; inService?: boolean } = {};

  constructor(
    private readonly state: CaseState,
    private readonly facts: ServiceFacts,
  ) {}

  /**
   * Emits an event: recorded by a local activity (once per id: the case, its run and the event's
   * number in it), in the order emitted, never holding up the case; the case does not close
   * before its events are recorded.
   */
  emit(type: EventType, data: Record<string, unknown>): void {
    if (!patched(CASE_EVENTS_PATCH)) return;
    const { workflowId, runId } = workflowInfo();
    const event: ProductEvent = {
      id: `evt_${workflowId}_${runId}_${++this.events}`,
      type,
      occurredAt: isoAt(now()),
      enterpriseId: this.state.enterpriseId,
      caseId: this.state.id,
      kind: this.state.kind,
      data,
    };
    if (patched(CASE_EVENTS_BATCHED_PATCH)) {
      // A link takes every event pending when its turn comes: one local activity per burst.
      this.pending.push(event);
      if (this.pending.length === 1)
        this.chain(async () => {
          const events = this.pending.splice(0);
          const summary = events.length === 1 ? `event ${events[0]!.type}` : `${events.length} events`;
          await recordEvents.executeWithOptions({ summary }, [events]);
        });
      return;
    }
    this.chain(() => recordEvent.executeWithOptions({ summary: `event ${type}` }, [event]));
  }

  /** Runs `record` after every earlier link, whatever became of them. */
  private chain(record: () => Promise<void>): void {
    const before = this.emitting;
    this.emitting = CancellationScope.nonCancellable(async () => {
      await before;
      await record().catch(() => undefined);
    });
  }

  /** Settles once every event emitted so far is recorded. */
  recorded(): Promise<void> {
    return this.emitting;
  }

  /** Events for what changed since the last call: stage, awaited actions, numbers in service. */
  tellChanges(): void {
    const { stage, status, awaiting } = this.state;
    if (status === 'running' && stage !== this.told.stage) {
      this.emit('case.stage_changed', { stage, previousStage: this.told.stage ?? null });
      this.told.stage = stage;
    }
    const waits = awaiting.map((a) => ({
      ...(a.action ? { action: a.action } : {}),
      ...(a.for ? { for: a.for } : {}),
      role: a.role,
      since: a.since,
      dueAt: a.dueAt ?? null,
      ...(a.detail ? { detail: a.detail } : {}),
      ...(a.link ? { link: a.link } : {}),
      ...(a.caseId ? { caseId: a.caseId } : {}),
    }));
    const key = JSON.stringify(waits.map(({ since: _s, ...w }) => w));
    if (status === 'running' && waits.length > 0 && key !== this.told.awaiting)
      this.emit('case.awaiting', { stage, awaiting: waits });
    this.told.awaiting = key;
    const inService = this.facts.inService === true;
    if (inService !== (this.told.inService ?? false) && (this.facts.numbers?.length ?? 0) > 0)
      this.emit(inService ? 'number.activated' : 'number.deactivated', {
        numbers: this.facts.numbers,
        instanceId: this.facts.instanceId ?? null,
      });
    this.told.inService = inService;
  }
}
