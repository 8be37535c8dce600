/**
 * The baseline copies a product case's shape from its recorded history: every command in the
 * workflow task that issued it, after what woke that task, and nothing of the payloads.
 */
import { describe, expect, it } from 'vitest';
import type { temporal } from '@temporalio/proto';
import { baselineSignals, baselineUpdates, describeShape, opensWithUpdate, shapeOf } from '../../bench/history';

type Event = temporal.api.history.v1.IHistoryEvent;

/** A history from events given as [attributes key, attributes], ids and times (1 s apart) filled in. */
function history(events: [string, Record<string, unknown>][]): temporal.api.history.v1.IHistory {
  return {
    events: events.map(
      ([key, attributes], i) =>
        ({ eventId: i + 1, eventTime: { seconds: 1_000 + i, nanos: 0 }, [key]: attributes }) as unknown as Event,
    ),
  };
}

const wftCompleted: [string, Record<string, unknown>] = ['workflowTaskCompletedEventAttributes', {}];

describe('shapeOf', () => {
  // A verification-like case: opened by update-with-start, an email and a deadline, approved, a last activity.
  const verification = history([
    ['workflowExecutionStartedEventAttributes', {}], // 1
    ['workflowTaskScheduledEventAttributes', {}], // 2
    ['workflowTaskStartedEventAttributes', {}], // 3
    wftCompleted, // 4
    ['workflowExecutionUpdateAcceptedEventAttributes', { acceptedRequest: { input: { name: 'opened' } } }], // 5
    [
      'upsertWorkflowSearchAttributesEventAttributes',
      {
        workflowTaskCompletedEventId: 4,
        searchAttributes: { indexedFields: { OnboardingStage: {}, AwaitingRole: {} } },
      },
    ], // 6
    ['activityTaskScheduledEventAttributes', { workflowTaskCompletedEventId: 4, activityType: { name: 'sendEmail' } }], // 7
    [
      'timerStartedEventAttributes',
      { workflowTaskCompletedEventId: 4, timerId: '1', startToFireTimeout: { seconds: 3600 } },
    ], // 8
    ['workflowExecutionUpdateCompletedEventAttributes', {}], // 9
    ['activityTaskStartedEventAttributes', { scheduledEventId: 7 }], // 10
    ['activityTaskCompletedEventAttributes', { scheduledEventId: 7 }], // 11: 4 s after scheduling
    ['workflowTaskScheduledEventAttributes', {}], // 12
    ['workflowTaskStartedEventAttributes', {}], // 13
    wftCompleted, // 14: nothing to do on the email's completion
    ['workflowTaskScheduledEventAttributes', {}], // 15
    ['workflowTaskStartedEventAttributes', {}], // 16
    wftCompleted, // 17
    ['workflowExecutionUpdateAcceptedEventAttributes', { acceptedRequest: { input: { name: 'approve' } } }], // 18
    ['timerCanceledEventAttributes', { workflowTaskCompletedEventId: 17, timerId: '1' }], // 19
    [
      'activityTaskScheduledEventAttributes',
      { workflowTaskCompletedEventId: 17, activityType: { name: 'ensureBillingCustomer' } },
    ], // 20
    ['activityTaskScheduledEventAttributes', { workflowTaskCompletedEventId: 17, activityType: { name: 'sendEmail' } }], // 21
    ['activityTaskCompletedEventAttributes', { scheduledEventId: 20 }], // 22
    ['activityTaskCompletedEventAttributes', { scheduledEventId: 21 }], // 23
    ['workflowTaskScheduledEventAttributes', {}], // 24
    ['workflowTaskStartedEventAttributes', {}], // 25
    wftCompleted, // 26
    [
      'upsertWorkflowSearchAttributesEventAttributes',
      { workflowTaskCompletedEventId: 26, searchAttributes: { indexedFields: { OnboardingStage: {} } } },
    ], // 27
    ['workflowExecutionCompletedEventAttributes', { workflowTaskCompletedEventId: 26 }], // 28
  ]);

  it('replays every command in its workflow task, after what woke that task', () => {
    const shape = shapeOf(verification);
    expect(shape.steps).toEqual([
      { update: 'opened' },
      { upsert: 2 },
      { activity: 'sendEmail' },
      { timer: 3_600_000 },
      // The email's completion woke a task that did nothing: still waited for before the next commands.
      { awaitActivity: 0 },
      { update: 'approve' },
      { cancelTimer: 0 },
      { activity: 'ensureBillingCustomer' },
      { activity: 'sendEmail' },
      { awaitActivity: 1 },
      { awaitActivity: 2 },
      { upsert: 1 },
    ]);
    expect(shape).toMatchObject({
      activities: 3,
      updates: 2,
      signals: 0,
      timers: 1,
      childWorkflows: 0,
      searchAttributeUpserts: 2,
      events: 28,
      workflowTasks: 3,
    });
    expect(shape.activityMs).toEqual({ sendEmail: 4_000, ensureBillingCustomer: 2_000 });
    expect(describeShape(shape)).toBe(
      '3 activities, 1 timers (1 cancelled), 2 SA upserts, 0 children, 2 updates, 0 signals',
    );
  });

  it('opens with update-with-start when the first task ran on an update, and sends the others in order', () => {
    const { steps } = shapeOf(verification);
    expect(opensWithUpdate(steps)).toBe('opened');
    expect(baselineUpdates(steps)).toEqual(['opened', 'approve']);
    expect(
      opensWithUpdate([{ activity: 'checkDocuments' }, { awaitActivity: 0 }, { update: 'approve' }]),
    ).toBeUndefined();
  });

  it('waits for fired timers, started children and delivered signals', () => {
    const shape = shapeOf(
      history([
        ['workflowExecutionStartedEventAttributes', {}], // 1
        wftCompleted, // 2
        [
          'timerStartedEventAttributes',
          { workflowTaskCompletedEventId: 2, timerId: 't1', startToFireTimeout: { seconds: 1, nanos: 500_000_000 } },
        ], // 3
        ['timerFiredEventAttributes', { timerId: 't1' }], // 4
        ['workflowExecutionSignaledEventAttributes', { signalName: 'billing-event' }], // 5
        wftCompleted, // 6
        [
          'startChildWorkflowExecutionInitiatedEventAttributes',
          { workflowTaskCompletedEventId: 6, workflowType: { name: 'numberSubscription' } },
        ], // 7
        ['childWorkflowExecutionStartedEventAttributes', { initiatedEventId: 7 }], // 8
        wftCompleted, // 9
        [
          'activityTaskScheduledEventAttributes',
          { workflowTaskCompletedEventId: 9, activityType: { name: 'sendEmail' } },
        ], // 10
      ]),
    );
    expect(shape.steps).toEqual([
      { timer: 1_500 },
      { awaitTimer: 0 },
      { signal: 'billing-event' },
      { child: 'numberSubscription' },
      { awaitChild: 0 },
      { activity: 'sendEmail' },
    ]);
    expect(baselineSignals(shape.steps)).toEqual(['billing-event']);
    expect(opensWithUpdate(shape.steps)).toBeUndefined();
    expect(shape).toMatchObject({ timers: 1, signals: 1, childWorkflows: 1, activities: 1 });
  });
});
