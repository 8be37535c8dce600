/** The API's entry for `number-subscription`: its start schema, pre-checks, workflow and actions. */
import { STAGES } from '../../contract/stages';
import { numberSubscriptionPayloads } from '../../domain/numbers';
import { numberSubscription } from '../../workflows/number-subscription';
import { defineKind, actionSpecs } from './shared';

export const numberSubscriptionKind = defineKind({
  kind: 'number-subscription',
  summary: 'Purchased numbers: rent, renewal, grace and release (started by a number purchase)',
  workflow: numberSubscription,
  stages: STAGES['number-subscription'],
  actions: actionSpecs('number-subscription', numberSubscriptionPayloads),
});
