/**
 * Steps the SIP processes share: a change the SBC cannot make by itself (manual mode) waits for
 * support to confirm it; the inbound test call is seen in the SBC's call records where the SBC can
 * observe calls, and confirmed by support where it cannot.
 */
import { patched } from '@temporalio/workflow';
import type { ChangeState } from '../../activities/sip-gateway';
import type { TestCallResult } from '../../activities/sip-probe';
import type { ActionName, Payload } from '../../contract/actions';
import type { SipRegistrationInput, SipTrunkInput } from '../../contract/inputs';
import type { Stage } from '../../contract/stages';
import { isoAt, now, type Ending, type OnboardingCase, type WaitOptions } from './case';
import { billing, gateway, sipWatch } from './activities';
import { runKey } from './notify';
import { openCase } from './open-case';
import { putNumbersInService, type NumbersInService } from './numbers';
import type { Check } from '../../domain/sip';

/** The two kinds that bring a customer's gateway in; they share these steps and their actions' payloads. */
export type SipKind = 'sip-trunk' | 'sip-registration';
type SharedAction = 'confirm-sbc-change' | 'confirm-inbound-test' | 'reject';
type SharedPayload<A extends SharedAction> = Payload<'sip-trunk', A>;

export type { Check };

/** A SIP case in review, with its report so far (empty), who hears about it and the emails' common part. */
export function openSipCase<K extends SipKind>(kind: K, input: SipTrunkInput | SipRegistrationInput) {
  const c = openCase(kind, input, 'awaiting-review' as Stage<K>, { instanceId: input.request.instanceId });
  const checks: Check[] = [];
  return { c, checks, to: input.request.contact.email, base: { caseId: c.state.id, companyName: input.companyName } };
}

export function reportOf(passed: boolean, checks: Check[], reason?: string) {
  return { passed, checks, ...(reason ? { reason } : {}) };
}

/** Waits for one of the shared actions; both SIP kinds declare it with the same payload. */
async function awaitShared<K extends SipKind, A extends SharedAction>(
  c: OnboardingCase<K>,
  stage: Stage<K>,
  action: A,
  options: WaitOptions & { deadlineMs?: number },
): Promise<{ actorName: string; payload: SharedPayload<A> } | undefined> {
  const awaits = [{ action: action as ActionName<K>, role: 'support' as const }];
  const { deadlineMs, ...wait } = options;
  const got =
    deadlineMs === undefined
      ? await c.awaitAction(stage, awaits, wait)
      : await c.awaitAction(stage, awaits, { ...wait, deadlineMs });
  return got && { actorName: got.actor.name, payload: got.payload as SharedPayload<A> };
}

export interface ReviewOptions {
  to: string;
  base: { caseId: string; companyName: string };
  mode: 'trunk' | 'registration';
  /** What support reviews, in a line. */
  summary: string;
  remindEveryMs: number;
  /** Reminds support by email too, with this line. */
  reminder?: (n: number) => string;
}

/** Support approves or rejects the application; a rejection tells the enterprise why and ends the case. */
export async function sipReview<K extends SipKind>(c: OnboardingCase<K>, o: ReviewOptions): Promise<void> {
  const { mail } = c;
  const { reminder } = o;
  const review = await c.awaitAction(
    'awaiting-review' as Stage<K>,
    [
      { action: 'approve' as ActionName<K>, role: 'support' },
      { action: 'reject' as ActionName<K>, role: 'support' },
    ],
    {
      onEnter: (dueAt) =>
        mail.send('review', 'support', 'sip-review', {
          ...o.base,
          mode: o.mode,
          summary: o.summary,
          dueAt: isoAt(dueAt ?? now()),
        }),
      remindEveryMs: o.remindEveryMs,
      ...(reminder
        ? {
            onReminder: (n: number) =>
              mail.send(`review-reminder/${n}`, 'support', 'sip-review', {
                ...o.base,
                mode: o.mode,
                summary: reminder(n),
                dueAt: isoAt(now()),
              }),
          }
        : {}),
    },
  );
  if (review.name === 'reject') {
    const { reason } = review.payload as SharedPayload<'reject'>;
    mail.send('rejected', o.to, 'sip-rejected', { ...o.base, reason });
    throw c.fail('Rejected', reason);
  }
}

/** The outbound test call's line in the report; a call that failed fails the case. */
export function outboundChecked<K extends SipKind>(c: OnboardingCase<K>, checks: Check[], call: TestCallResult): void {
  checks.push({
    name: 'outbound test call',
    passed: call.passed,
    detail: call.summary,
    at: isoAt(now()),
    ...(call.finalCode ? { code: call.finalCode } : {}),
  });
  c.step('outbound test call', call.passed ? 'done' : 'failed', call.summary);
  if (!call.passed) throw c.fail('OutboundTestFailed', `the outbound test call failed: ${call.summary}`);
}

/**
 * Whether this case holds its own numbers at approval. The hold first shipped without a patch
 * marker, so three kinds of case exist: approved before that release (no hold), approved under it
 * (a hold and no marker) and approved since (a hold and the `own-numbers-held` marker). A case
 * without the marker is told apart by when its approval ran, which replay reproduces exactly.
 */
export function ownNumbersHeld(): boolean {
  return patched('own-numbers-held') || now() >= HOLD_WITHOUT_MARKER_FROM;
}
/** When the unmarked hold was released (its commit on main); no case approved earlier held. */
const HOLD_WITHOUT_MARKER_FROM = Date.parse('2026-12-01T23:50:18Z');

/**
 * The enterprise's own numbers come off sale in billing for as long as the case brings them in,
 * so no purchase can reserve one meanwhile; if the case ends without them they go back on sale.
 */
export async function holdOwnNumbers<K extends SipKind>(c: OnboardingCase<K>, numbers: string[]): Promise<void> {
  c.undo.add('put the numbers back on sale', () =>
    billing.releaseOwnNumbers.executeWithOptions({ summary: 'compensate: release the held numbers in billing' }, [
      {
        numbers,
        reference: c.state.id,
        reason: `case ${c.state.id} ended without them`,
        idempotencyKey: runKey('release-own-numbers'),
      },
    ]),
  );
  const { held } = await billing.holdOwnNumbers.executeWithOptions(
    { summary: `hold ${numbers.length} own number(s) off sale in billing` },
    [
      {
        numbers,
        reason: `brought in by ${c.state.enterpriseId} (case ${c.state.id})`,
        reference: c.state.id,
        idempotencyKey: runKey('hold-own-numbers'),
      },
    ],
  );
  if (held.length > 0) c.step('own numbers held off sale', 'done', `${held.length} number(s) billing knew of`);
}

/** A manual-mode SBC change is not live until support says it is. */
export async function applySbcChange<K extends SipKind>(
  c: OnboardingCase<K>,
  state: ChangeState,
  stage: Stage<K>,
  change: string,
  details: string,
): Promise<void> {
  if (state !== 'pending-manual') return;
  for (;;) {
    const confirmed = await awaitShared(c, stage, 'confirm-sbc-change', {
      onEnter: () =>
        c.mail.send(`sbc-change/${change}`, 'support', 'sbc-manual-change', {
          caseId: c.state.id,
          companyName: '',
          change,
          details,
        }),
    });
    if (confirmed?.payload.change === change) return;
    c.step('confirm-sbc-change ignored', 'failed', `waiting for "${change}", not "${confirmed?.payload.change}"`);
  }
}

export interface InboundTestOptions {
  to: string;
  base: { caseId: string; companyName: string };
  /** E.164, the lines a test call may ring. */
  numbers: string[];
  formatted: string[];
  /** The gateway address calls must come from (trunk), if known. */
  sourceIp?: string;
  /** Shown to the enterprise: where to call from. */
  from: string;
  windowMs: number;
}

/** The inbound test call, its line added to the report; a call not seen (or confirmed) fails the case. */
export async function inboundTest<K extends SipKind>(
  c: OnboardingCase<K>,
  checks: Check[],
  o: InboundTestOptions,
): Promise<void> {
  const inbound = await inboundCall(c, o);
  checks.push(inbound);
  if (!inbound.passed) throw c.fail('InboundTestFailed', inbound.detail);
}

/**
 * The gateway's numbers go into service on the instance, the last line of the report; the report
 * goes to the enterprise.
 */
export async function sipNumbersInService<K extends SipKind>(
  c: OnboardingCase<K>,
  checks: Check[],
  o: { to: string; base: { caseId: string; companyName: string }; formatted: string[]; detail: string },
  assignment: NumbersInService,
): Promise<void> {
  c.enter('assigning-numbers' as Stage<K>);
  await putNumbersInService(c, assignment);
  checks.push({ name: 'numbers assigned', passed: true, detail: o.detail, at: isoAt(now()) });
  c.mail.send('report', o.to, 'sip-report', { ...o.base, passed: true, checks });
  Object.assign(c.facts, { numbers: o.formatted, inService: true });
}

async function inboundCall<K extends SipKind>(c: OnboardingCase<K>, o: InboundTestOptions): Promise<Check> {
  const { mail } = c;
  const observes = await gateway.sipGatewayObserves.executeWithOptions({ summary: 'what the SBC can observe' }, []);
  const since = isoAt(now());
  const until = now() + o.windowMs;
  if (observes.calls) {
    c.enter(
      'awaiting-inbound-test' as Stage<K>,
      [],
      [
        {
          for: 'inbound-test-call',
          role: 'enterprise',
          dueAt: isoAt(until),
          detail: `call ${o.formatted.join(' or ')} from ${o.from}`,
        },
      ],
    );
    mail.send('inbound-test', o.to, 'sip-inbound-test', {
      ...o.base,
      numbers: o.formatted,
      from: o.from,
      until: isoAt(until),
    });
    // A heartbeating activity watches the call records; each attempt covers a slice of the window.
    while (now() < until) {
      const call = await sipWatch.awaitCall.executeWithOptions(
        { summary: `watch call records for a call to ${o.formatted.join(', ')}` },
        [
          {
            callees: o.numbers,
            since,
            ...(o.sourceIp ? { sourceIp: o.sourceIp } : {}),
            maxWaitMs: Math.min(until - now(), 5 * 60_000),
          },
        ],
      );
      if (call) {
        c.step(
          'inbound test call',
          'done',
          `${call.sipCode} ${call.sipReason} from ${call.sourceIp} to ${call.callee} at ${call.at}`,
        );
        return {
          name: 'inbound test call',
          passed: true,
          detail: `admitted by the SBC: ${call.caller} -> ${call.callee} from ${call.sourceIp}, SIP ${call.sipCode} ${call.sipReason}, at ${call.at}`,
          at: isoAt(now()),
          code: call.sipCode,
        };
      }
    }
    return {
      name: 'inbound test call',
      passed: false,
      detail: `no admitted call to ${o.formatted.join(', ')} seen by ${isoAt(until)}`,
      at: isoAt(now()),
    };
  }
  // The SBC cannot see calls: support places or watches the call and says so.
  const confirmed = await awaitShared(c, 'awaiting-inbound-test' as Stage<K>, 'confirm-inbound-test', {
    onEnter: () =>
      mail.send('inbound-test', o.to, 'sip-inbound-test', {
        ...o.base,
        numbers: o.formatted,
        from: o.from,
        until: isoAt(until),
      }),
    deadlineMs: o.windowMs,
  });
  return confirmed
    ? {
        name: 'inbound test call',
        passed: true,
        detail: `confirmed by ${confirmed.actorName}${confirmed.payload.note ? `: ${confirmed.payload.note}` : ''} (the SBC cannot observe calls)`,
        at: isoAt(now()),
      }
    : { name: 'inbound test call', passed: false, detail: `not confirmed by ${isoAt(until)}`, at: isoAt(now()) };
}

/**
 * How a SIP case ends other than by passing: cancelled (the common email), or failed with a report
 * of the checks so far (a plain rejection sends none: the rejection email said it all).
 */
export function sipEnding<K extends SipKind>(
  c: OnboardingCase<K>,
  o: { to: string; base: { caseId: string; companyName: string }; kindLabel: string; checks: Check[] },
): Ending {
  return {
    kindLabel: o.kindLabel,
    to: () => o.to,
    companyName: () => o.base.companyName,
    onFailure: (error) => {
      if (error.type === 'Rejected') return;
      c.state.result = reportOf(false, o.checks, error.message);
      c.mail.send('report', o.to, 'sip-report', {
        ...o.base,
        passed: false,
        checks: [...o.checks, { name: 'result', passed: false, detail: error.message, at: isoAt(now()) }],
      });
    },
  };
}
