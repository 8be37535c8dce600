/**
 * Delivery to one endpoint with its activities mocked: events go out one at a time in feed
 * order; a resend since a cursor delivers those events again; an event that keeps failing past
 * the give-up time disables the endpoint, tells support and the enterprise, and delivers nothing
 * after it.
 */
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deliveryWorkflowId,
  resendSignal,
  webhookDelivery,
  type WebhookDeliveryInput,
} from '../../workflows/webhook-delivery';
import { until } from './cases';
import { startEnv, type Scenario, type WorkflowTestEnv } from './support';

let env: WorkflowTestEnv;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env?.stop();
});

/** A feed of `n` events (cursor i+1) for the endpoint, paged as the store pages it. */
function feed(n: number) {
  const events = Array.from({ length: n }, (_, i) => ({ id: `evt_${i + 1}`, cursor: String(i + 1) }));
  return async (i: { after: string; limit: number }) => {
    const items = events.filter((e) => Number(e.cursor) > Number(i.after)).slice(0, i.limit);
    return { status: 'enabled' as const, items, cursor: items.at(-1)?.cursor ?? i.after };
  };
}

async function start(s: Scenario, retry: Partial<WebhookDeliveryInput['retry']> = {}) {
  const endpointId = `we-${s.token}`;
  const input: WebhookDeliveryInput = {
    endpointId,
    enterpriseId: s.enterpriseId,
    cursor: '0',
    resends: [],
    retry: { initialMs: 100, maxIntervalMs: 200, giveUpAfterMs: 60_000, ...retry },
  };
  return env.client.workflow.start(webhookDelivery, {
    args: [input],
    taskQueue: env.taskQueue,
    workflowId: deliveryWorkflowId(endpointId),
  });
}

const delivered = (s: Scenario) => s.argsOf('deliverEvent').map((a) => a.eventId);

describe('webhook delivery', () => {
  it('delivers in feed order across pages, and again since a cursor on resend', async () => {
    const s = env.scenario({ pendingEvents: feed(120) });
    const handle = await start(s);
    await until(() => delivered(s).length === 120, 'all delivered');
    expect(delivered(s)).toEqual(Array.from({ length: 120 }, (_, i) => `evt_${i + 1}`));
    await handle.signal(resendSignal, { after: '117', until: '119' });
    await until(() => delivered(s).length === 122, 'resent');
    expect(delivered(s).slice(120)).toEqual(['evt_118', 'evt_119']);
    await handle.signal(resendSignal, { eventId: 'evt_5' });
    await until(() => delivered(s).length === 123, 'resent one');
    expect(delivered(s).at(-1)).toBe('evt_5');
    await handle.terminate('test over');
  });

  it('disables the endpoint and emails support and the enterprise once an event fails past the give-up time', async () => {
    const s = env.scenario({
      pendingEvents: feed(3),
      deliverEvent: async (i) => {
        if (i.eventId === 'evt_2') throw ApplicationFailure.retryable('503 receiver down', 'WebhookDeliveryFailed');
        return 'delivered' as const;
      },
    });
    const handle = await start(s, { giveUpAfterMs: 2_000 });
    expect(await handle.result()).toBe('disabled');
    // Retried with backoff until the give-up time, never past the failing event.
    expect(delivered(s).filter((id) => id === 'evt_2').length).toBeGreaterThan(1);
    expect(delivered(s)).not.toContain('evt_3');
    expect(s.argsOf('disableEndpoint')).toEqual([
      { endpointId: `we-${s.token}`, reason: expect.stringContaining('evt_2 could not be delivered for 2 s') },
    ]);
    const emails = s.emails('webhook-endpoint-disabled');
    expect(emails.map((e) => e.to).sort()).toEqual(['ops@ent.example.cn', 'support']);
    expect(emails[0]!.data).toMatchObject({ url: 'https://hooks.example.com/in' });
  });
});
