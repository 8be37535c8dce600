/** The API's entry for `number-subscription`: its start schema, pre-checks, workflow and actions. */
import { numberSubscriptionPayloads, numberSubscriptionResultSchema } from '../../domain/numbers';
import { numberSubscription } from '../../workflows/number-subscription';
import { defineKind } from './shared';

export const numberSubscriptionKind = defineKind('number-subscription', {
  summary: 'Purchased numbers: rent, renewal, grace and release (started by a number purchase)',
  workflow: numberSubscription,
  payloads: numberSubscriptionPayloads,
  result: numberSubscriptionResultSchema,
});
