/** The API's entry for `usage-billing`: its start schema, pre-checks, workflow and actions. */
import { usageBilling } from '../../workflows/usage-billing';
import { usageBillingPayloads, usageBillingViewSchema } from '../../domain/usage-schemas';
import { defineKind } from './shared';

export const usageBillingKind = defineKind('usage-billing', {
  summary:
    "The enterprise's call charges, billed monthly from the SBC's call records (started with its first number case)",
  workflow: usageBilling,
  payloads: usageBillingPayloads,
  result: usageBillingViewSchema,
});
