/**
 * What a case shows once its first workflow task has run, known from its input alone: its opening
 * stage, its first waits and the steps it records on the way. The API answers a start with it
 * without waiting for a worker; whatever the case decides later shows in the next read. A kind
 * absent here decides its opening with the worker (the API then starts it with an update that
 * waits for the first task).
 */
import type { AwaitedAction, OnboardingKind, Step } from './case';
import type { InputOf } from './kinds';

export interface OpeningState {
  stage: string;
  awaiting: AwaitedAction[];
  steps: Step[];
}

type Openings = {
  [K in OnboardingKind]?: (input: InputOf<K>, at: number) => OpeningState;
};

const iso = (ms: number) => new Date(ms).toISOString();

const OPENINGS: Openings = {
  // The API pre-checked the application: the first round goes straight to review, due at the SLA.
  'enterprise-verification': (input, at) => ({
    stage: 'awaiting-review',
    awaiting: (['approve', 'reject'] as const).map((action) => ({
      action,
      role: 'support',
      since: iso(at),
      dueAt: iso(at + input.timings.reviewSlaMs),
    })),
    steps: [
      {
        name: 'pre-check round 1',
        status: 'done',
        at: iso(at),
        detail: `${input.application.documents.length} documents, all rules passed`,
      },
    ],
  }),
  // Both begin with a call to another system, waiting on no one.
  'contact-center-instance': () => ({ stage: 'creating', awaiting: [], steps: [] }),
  'number-recovery': () => ({ stage: 'checking', awaiting: [], steps: [] }),
};

/** The state a case of this kind opens in (`at`: when it starts), when its input alone says it. */
export function openingState(kind: OnboardingKind, input: unknown, at: number): OpeningState | undefined {
  const opening = OPENINGS[kind] as ((input: unknown, at: number) => OpeningState) | undefined;
  return opening?.(input, at);
}
