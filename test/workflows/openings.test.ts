/**
 * What the API answers a start with is each kind's declared opening (`contract/kinds/`), never the
 * case itself: here every declaration is held to its workflow. Each case is started as a journey
 * is (with the `opened` update, answered after the first workflow task) and what it shows then
 * must be the declaration's opening, timed from that task: stage, waits with their due times,
 * steps and related cases alike.
 */
import { WithStartWorkflowOperation } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { openedUpdate, type CaseState } from '../../contract/case';
import {
  KIND_REGISTRY,
  ONBOARDING_KINDS,
  WORKFLOW_TYPES,
  openingState,
  type OnboardingKind,
} from '../../contract/kinds';
import { NUMBERS, useWorkflowEnv, type Scenario } from './support';
import {
  instanceInput,
  landingInput,
  purchaseInput,
  realNameInput,
  recoveryInput,
  registrationInput,
  thirdPartyInput,
  trunkInput,
  verificationInput,
} from './inputs';

const env = useWorkflowEnv();

/** Kinds whose opening the case decides: a journey opens on the cases it adopts (and starts). */
const DECIDED_BY_THE_CASE: OnboardingKind[] = ['enterprise-onboarding'];
/** Kinds other cases start as children: no start is answered with their opening. */
const STARTED_BY_CASES: OnboardingKind[] = ['number-subscription', 'usage-billing'];

// Every wait of a kind due after its own time, so a declaration that names the wrong one fails.
const LANDING = { reminderIntervalMs: 61_000, landingDeadlineMs: 62_000, testCallWindowMs: 63_000 };
const SIP = {
  reviewSlaMs: 61_000,
  whitelistReminderMs: 62_000,
  whitelistDeadlineMs: 63_000,
  registrationReminderMs: 64_000,
  registrationDeadlineMs: 65_000,
};

const OPENINGS: [name: string, kind: OnboardingKind, input: (s: Scenario) => unknown][] = [
  [
    'a verification, pre-checked by the API',
    'enterprise-verification',
    (s) => verificationInput(s, { reviewSlaMs: 61_000, resubmissionWindowMs: 62_000 }),
  ],
  ['a real-name verification support reviews', 'enterprise-real-name', (s) => realNameInput(s)],
  [
    'a real-name verification an approved qualification decides',
    'enterprise-real-name',
    (s) => realNameInput(s, 'verification-approved'),
  ],
  [
    'a number purchase',
    'number-purchase',
    (s) => purchaseInput(s, {}, { scriptReviewSlaMs: 61_000, scriptResubmissionWindowMs: 62_000 }),
  ],
  ['a number recovery', 'number-recovery', (s) => recoveryInput(s)],
  ['an own 400 number re-bound on lines bought', 'own-400-landing', (s) => landingInput(s, LANDING)],
  [
    'an own 400 number forwarded to lines bought',
    'own-400-landing',
    (s) => {
      const input = landingInput(s, LANDING);
      return { ...input, request: { ...input.request, mode: 'forward' } };
    },
  ],
  [
    'an own 400 number forwarded to a line the enterprise holds',
    'own-400-landing',
    (s) => {
      const input = landingInput(s, LANDING);
      return { ...input, request: { ...input.request, mode: 'forward' }, existingLines: NUMBERS };
    },
  ],
  ['a SIP trunk', 'sip-trunk', (s) => trunkInput(s, SIP)],
  [
    'a SIP trunk whose carrier cannot trunk',
    'sip-trunk',
    (s) => {
      const input = trunkInput(s, SIP);
      return { ...input, request: { ...input.request, carrierSupportsSipTrunk: false } };
    },
  ],
  ['a SIP registration', 'sip-registration', (s) => registrationInput(s, SIP)],
  ['a supplier line', 'third-party-line', (s) => thirdPartyInput(s, { reviewSlaMs: 61_000 })],
  ['a contact-center instance', 'contact-center-instance', (s) => instanceInput(s)],
];

/** The one time a first workflow task stamps on everything it shows (its workflow time). */
function taskTimeOf(state: CaseState): number | undefined {
  const stamps = new Set([...state.awaiting.map((a) => a.since), ...state.steps.map((s) => s.at)]);
  expect(stamps.size).toBeLessThanOrEqual(1);
  const [stamp] = stamps;
  return stamp === undefined ? undefined : Date.parse(stamp);
}

describe('every kind declares the opening its workflow shows', () => {
  it('declares an opening for every kind a start answers with it', () => {
    const declared = ONBOARDING_KINDS.filter((kind) => 'opening' in KIND_REGISTRY[kind]);
    expect([...ONBOARDING_KINDS].sort()).toEqual([...declared, ...DECIDED_BY_THE_CASE, ...STARTED_BY_CASES].sort());
    expect([...new Set(OPENINGS.map(([, kind]) => kind))].sort()).toEqual([...declared].sort());
  });

  it.concurrent.each(OPENINGS)('%s (%s)', async (_name, kind, inputOf) => {
    const s = env.scenario();
    const input = inputOf(s);
    const id = s.id(kind);
    const before = Date.now();
    const opened = await env.client.workflow.executeUpdateWithStart(openedUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation(WORKFLOW_TYPES[kind], {
        workflowId: id,
        taskQueue: env.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
      }),
    });
    const after = Date.now();
    try {
      // Only the start's latency may differ: the declaration is timed from the task's own time.
      const at = taskTimeOf(opened) ?? before;
      expect(at).toBeGreaterThanOrEqual(before - 1_000);
      expect(at).toBeLessThanOrEqual(after + 1_000);
      const declared = openingState(kind, input, { id, at });
      expect(declared).toBeDefined();
      expect({ stage: opened.stage, awaiting: opened.awaiting, steps: opened.steps, related: opened.related }).toEqual(
        declared,
      );
      expect(opened).toMatchObject({ id, kind, status: 'running', result: null, error: null });
    } finally {
      await env.client.workflow.getHandle(id).terminate('opening checked');
    }
  });
});
