/**
 * The webhook delivery's contract: its id, input and the signals the API and the event recorder
 * send it. Apart from the workflow, so activities name them without importing workflow code.
 */
import { defineSignal } from '@temporalio/workflow';

export const eventsAvailableSignal = defineSignal('eventsAvailable');
export type ResendRequest = { eventId: string } | { after: string; until: string };
export const resendSignal = defineSignal<[ResendRequest]>('resend');

export function deliveryWorkflowId(endpointId: string): string {
  return `webhook-delivery-${endpointId}`;
}

export interface WebhookDeliveryInput {
  endpointId: string;
  enterpriseId: string;
  /** The feed position delivered up to. */
  cursor: string;
  resends: ResendRequest[];
  retry: { initialMs: number; maxIntervalMs: number; giveUpAfterMs: number };
}
