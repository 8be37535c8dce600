/** The enterprise's monthly call charges, from the SBC's call records (started with its first number case). */
import type { UsageBillingInput } from '../inputs';
import type { UsageBillingView, usageBillingPayloads } from '../../domain/usage-schemas';

import { usageBillingId } from '../../domain/ids';
import { kind, support } from './define';

export const usageBilling = kind<{
  input: UsageBillingInput;
  result: UsageBillingView;
  payloads: typeof usageBillingPayloads;
  start: never;
}>()({
  name: 'usage-billing',
  workflowType: 'usageBilling',
  stages: ['metering', 'billing'],
  actions: {
    'rerun-month': {
      roles: support,
      summary:
        "Read a billed month's call records again (e.g. after the SBC was down) and charge what late records add",
    },
  },
  failures: [],
  workflowId: usageBillingId,
  fixedId: true,
});
