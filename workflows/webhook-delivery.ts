/**
 * Delivery to one webhook endpoint: reads the feed after its cursor and delivers each event the
 * endpoint wants, one at a time, in feed order (so in order per case), each retried with
 * exponential backoff until it succeeds or the give-up time (3 days by default) passes; then the
 * endpoint is disabled and the enterprise and support are emailed. Resends (one event, or all
 * since a cursor) are queued beside the feed. Woken by `eventsAvailable` as events are recorded,
 * and every few minutes regardless.
 */
import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { EmailActivities } from '../activities/email';
import type { WebhookActivities } from '../activities/webhooks';
import { failureOf } from './lib/case';
import {
  deliveryWorkflowId,
  eventsAvailableSignal,
  resendSignal,
  type WebhookDeliveryInput,
} from '../contract/webhook-delivery';

export {
  deliveryWorkflowId,
  eventsAvailableSignal,
  resendSignal,
  type ResendRequest,
  type WebhookDeliveryInput,
} from '../contract/webhook-delivery';

/** A duration for people: days, hours or seconds. */
function span(ms: number): string {
  if (ms >= 86_400_000) return `${Math.round(ms / 86_400_000)} d`;
  if (ms >= 3_600_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 1000)} s`;
}

const PAGE = 50;
/** Continue as new past this many deliveries: a busy endpoint's history stays short. */
const DELIVERIES_PER_RUN = 500;

export async function webhookDelivery(input: WebhookDeliveryInput): Promise<string> {
  const { pendingEvents, disableEndpoint } = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });
  const { deliverEvent } = proxyActivities<WebhookActivities>({
    // One attempt: 10 s for the receiver, plus resolving and recording.
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: input.retry.giveUpAfterMs,
    retry: {
      initialInterval: input.retry.initialMs,
      backoffCoefficient: 2,
      maximumInterval: input.retry.maxIntervalMs,
    },
  });
  const { sendEmail } = proxyActivities<EmailActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
  });

  let cursor = input.cursor;
  const resends = [...input.resends];
  let available = true;
  let delivered = 0;
  setHandler(eventsAvailableSignal, () => {
    available = true;
  });
  setHandler(resendSignal, (r) => {
    resends.push(r);
  });

  /** Delivers one event; false when the endpoint had to be disabled. */
  const deliver = async (eventId: string): Promise<boolean> => {
    delivered++;
    try {
      await deliverEvent.executeWithOptions({ summary: `deliver ${eventId}` }, [
        { endpointId: input.endpointId, eventId },
      ]);
      return true;
    } catch (err) {
      const reason = `${eventId} could not be delivered for ${span(input.retry.giveUpAfterMs)} (${failureOf(err).message})`;
      const endpoint = await disableEndpoint({ endpointId: input.endpointId, reason });
      if (endpoint) {
        const data = {
          caseId: deliveryWorkflowId(input.endpointId),
          companyName: endpoint.enterpriseId,
          endpointId: input.endpointId,
          url: endpoint.url,
          reason: endpoint.reason,
        };
        const key = `${workflowInfo().workflowId}/disabled/${eventId}`;
        const recipients = ['support', ...(endpoint.contactEmail ? [endpoint.contactEmail] : [])];
        await Promise.all(
          recipients.map((to) =>
            sendEmail({
              dedupKey: `${key}/${to}`,
              to,
              template: 'webhook-endpoint-disabled',
              data,
              caseId: data.caseId,
            }),
          ),
        );
      }
      return false;
    }
  };

  type End = 'disabled' | 'deleted';
  /** Delivers the endpoint's events after `from` up to `until` (the feed's end when absent). */
  const sweep = async (from: string, until?: string): Promise<{ cursor: string; end?: End }> => {
    let at = from;
    for (;;) {
      const page = await pendingEvents({ endpointId: input.endpointId, after: at, limit: PAGE });
      if (page.status !== 'enabled') return { cursor: at, end: page.status };
      for (const e of page.items) {
        if (until !== undefined && Number(e.cursor) > Number(until)) return { cursor: at };
        if (!(await deliver(e.id))) return { cursor: at, end: 'disabled' };
        at = e.cursor;
      }
      at = page.cursor;
      if (page.items.length < PAGE || (until !== undefined && Number(at) >= Number(until))) return { cursor: at };
    }
  };

  for (;;) {
    while (resends.length > 0) {
      const r = resends.shift()!;
      if ('eventId' in r) {
        if (!(await deliver(r.eventId))) return 'disabled';
      } else {
        const done = await sweep(r.after, r.until);
        if (done.end) return done.end;
      }
    }
    if (available) {
      available = false;
      const done = await sweep(cursor);
      cursor = done.cursor;
      if (done.end) return done.end;
      continue;
    }
    if (delivered >= DELIVERIES_PER_RUN || workflowInfo().continueAsNewSuggested)
      await continueAsNew<typeof webhookDelivery>({ ...input, cursor, resends });
    // A signal missed (sent while the endpoint was being created) is caught by the next look.
    const woken = await condition(() => available || resends.length > 0, '5 minutes');
    if (!woken) available = true;
  }
}
