/** A released number the operator still holds, recovered for the enterprise that held it (seed 003 Q9). */
import type { NumberRecoveryInput } from '../inputs';
import type { NumberRecoveryResult, numberRecoveryStartSchema } from '../../domain/recovery';

import { kind, perRequestId } from './define';

export const numberRecovery = kind<{
  input: NumberRecoveryInput;
  result: NumberRecoveryResult;
  // Support starts a recovery; billing and the platform answer it.
  payloads: Record<never, never>;
  start: typeof numberRecoveryStartSchema;
}>()({
  name: 'number-recovery',
  workflowType: 'numberRecovery',
  stages: ['checking', 'awaiting-payment', 'reimporting'],
  actions: {},
  failures: ['NotRecoverable', 'NumberCancelledByOperator', 'PaymentRequired'],
  workflowId: perRequestId('number-recovery'),
  fixedId: false,
  opening: () => ({ stage: 'checking', awaiting: [] }),
});
