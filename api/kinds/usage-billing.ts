/** The API's entry for `usage-billing`: its start schema, pre-checks, workflow and actions. */
import { STAGES } from '../../contract/stages';
import { usageBilling } from '../../workflows/usage-billing';
import { usageBillingPayloads } from '../../domain/usage-schemas';
import { defineKind, actionSpecs } from './shared';

export const usageBillingKind = defineKind({
  kind: 'usage-billing',
  summary:
    "The enterprise's call charges, billed monthly from the SBC's call records (started with its first number case)",
  workflow: usageBilling,
  stages: STAGES['usage-billing'],
  actions: actionSpecs('usage-billing', usageBillingPayloads),
});
