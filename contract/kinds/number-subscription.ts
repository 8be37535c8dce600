/** Purchased numbers: rent, renewal, grace and release (started by a number purchase). */
import type { SubscriptionInput } from '../inputs';
import type { SubscriptionResult, SubscriptionView, numberSubscriptionPayloads } from '../../domain/numbers';

import { enterprise, kind, perRequestId } from './define';

export const numberSubscription = kind<{
  input: SubscriptionInput;
  result: SubscriptionView | SubscriptionResult;
  payloads: typeof numberSubscriptionPayloads;
  start: never;
}>()({
  name: 'number-subscription',
  workflowType: 'numberSubscription',
  stages: ['active', 'renewing', 'grace', 'releasing'],
  actions: {
    renew: { roles: enterprise, summary: 'Pay the next month of rent now' },
    release: { roles: enterprise, summary: 'Release the numbers now' },
    'set-auto-renew': { roles: enterprise, summary: 'Turn automatic renewal on or off' },
  },
  failures: [],
  workflowId: perRequestId('number-subscription'),
  fixedId: false,
});
