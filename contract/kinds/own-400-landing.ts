/** Landing the enterprise's own 400 number on fixed lines bought here (re-binding) or forwarded to one. */
import type { Own400LandingInput } from '../inputs';
import type { Own400LandingResult, own400LandingStartSchema, own400Payloads } from '../../domain/own400';

import { enterpriseOrSupport, kind, perRequestId, support } from './define';

/** The number-purchase case a landing buys its fixed lines in. */
export function fixedLinePurchaseId(landingId: string): string {
  return `${landingId}-fixed-line`;
}

export const own400Landing = kind<{
  input: Own400LandingInput;
  result: Own400LandingResult;
  payloads: typeof own400Payloads;
  start: typeof own400LandingStartSchema;
}>()({
  name: 'own-400-landing',
  workflowType: 'own400Landing',
  stages: ['purchasing-fixed-line', 'awaiting-invoice', 'awaiting-400-landing', 'awaiting-400-forwarding', 'verifying'],
  actions: {
    'confirm-400-landed': {
      roles: enterpriseOrSupport,
      summary: 'Confirm the 400 operator has landed the 400 number on the fixed line(s)',
    },
    'confirm-test-call': {
      roles: support,
      summary: 'Confirm a test call to the 400 number arrived on the fixed line (where the SBC cannot observe calls)',
    },
    'confirm-400-forwarded': {
      roles: enterpriseOrSupport,
      summary: "Confirm the 400 operator forwards the 400 number's base number to the fixed line",
    },
  },
  failures: ['InvoiceNotIssued', 'LandingDeadlinePassed', 'TestCallNotConfirmed'],
  workflowId: perRequestId('own-400-landing'),
  fixedId: false,
  // Forwarding to a line the enterprise holds waits on the operator at once; otherwise lines are
  // bought first, in a number-purchase case of their own.
  opening: ({ request, existingLines, timings }, id) =>
    request.mode === 'forward' && existingLines
      ? {
          stage: 'awaiting-400-forwarding',
          awaiting: enterpriseOrSupport.map((role) => ({
            action: 'confirm-400-forwarded',
            role,
            dueInMs: timings.reminderIntervalMs,
          })),
          steps: [
            {
              name: 'fixed line chosen',
              status: 'done',
              detail: `${existingLines.display.join(', ')}, held by the enterprise already`,
            },
          ],
        }
      : {
          stage: 'purchasing-fixed-line',
          awaiting: [],
          steps: [{ name: 'fixed-line purchase started', status: 'running', detail: fixedLinePurchaseId(id) }],
          related: [
            { id: fixedLinePurchaseId(id), kind: 'number-purchase', relation: 'fixed lines for the 400 number' },
          ],
        },
});
