/**
 * Steps the SIP processes share: a change the SBC cannot make by itself (manual mode) waits for
 * support to confirm it; the inbound test call is seen in the SBC's call records where the SBC can
 * observe calls, and confirmed by support where it cannot.
 */
import { ApplicationFailure, isCancellation } from '@temporalio/workflow';
import type { ChangeState } from '../../activities/sip-gateway';
import { failureOf, isoAt, now, type OnboardingCase } from './case';
import type { Compensations } from './saga';
import { gateway, sipWatch } from './activities';
import type { Notifier } from './notify';

/** One line of the pass/fail report. */
export interface Check {
  name: string;
  passed: boolean;
  detail: string;
  at: string;
  code?: number;
  rttMs?: number;
}

export function reportOf(passed: boolean, checks: Check[], reason?: string) {
  return { passed, checks, ...(reason ? { reason } : {}) };
}

/** A manual-mode SBC change is not live until support says it is. */
export async function applySbcChange(c: OnboardingCase, mail: Notifier, state: ChangeState, stage: string, change: string, details: string): Promise<void> {
  if (state !== 'pending-manual') return;
  for (;;) {
    const confirmed = (await c.awaitAction(stage, [{ action: 'confirm-sbc-change', role: 'support' }], {
      onEnter: () => mail.send(`sbc-change/${change}`, 'support', 'sbc-manual-change', { caseId: c.state.id, companyName: '', change, details }),
    }))!;
    if (confirmed.payload.change === change) return;
    c.step('confirm-sbc-change ignored', 'failed', `waiting for "${change}", not "${confirmed.payload.change}"`);
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

export async function inboundTest(c: OnboardingCase, mail: Notifier, o: InboundTestOptions): Promise<Check> {
  const observes = await gateway.sipGatewayObserves.executeWithOptions({ summary: 'what the SBC can observe' }, []);
  const since = isoAt(now());
  const until = now() + o.windowMs;
  if (observes.calls) {
    c.enter('awaiting-inbound-test');
    mail.send('inbound-test', o.to, 'sip-inbound-test', { ...o.base, numbers: o.formatted, from: o.from, until: isoAt(until) });
    // A heartbeating activity watches the call records; each attempt covers a slice of the window.
    while (now() < until) {
      const call = await sipWatch.awaitCall.executeWithOptions({ summary: `watch call records for a call to ${o.formatted.join(', ')}` }, [
        { callees: o.numbers, since, ...(o.sourceIp ? { sourceIp: o.sourceIp } : {}), maxWaitMs: Math.min(until - now(), 5 * 60_000) },
      ]);
      if (call) {
        c.step('inbound test call', 'done', `${call.sipCode} ${call.sipReason} from ${call.sourceIp} to ${call.callee} at ${call.at}`);
        return { name: 'inbound test call', passed: true, detail: `admitted by the SBC: ${call.caller} -> ${call.callee} from ${call.sourceIp}, SIP ${call.sipCode} ${call.sipReason}, at ${call.at}`, at: isoAt(now()), code: call.sipCode };
      }
    }
    return { name: 'inbound test call', passed: false, detail: `no admitted call to ${o.formatted.join(', ')} seen by ${isoAt(until)}`, at: isoAt(now()) };
  }
  // The SBC cannot see calls: support places or watches the call and says so.
  const confirmed = await c.awaitAction('awaiting-inbound-test', [{ action: 'confirm-inbound-test', role: 'support' }], {
    onEnter: () => mail.send('inbound-test', o.to, 'sip-inbound-test', { ...o.base, numbers: o.formatted, from: o.from, until: isoAt(until) }),
    deadlineMs: o.windowMs,
  });
  return confirmed
    ? { name: 'inbound test call', passed: true, detail: `confirmed by ${confirmed.actor.name}${confirmed.payload.note ? `: ${confirmed.payload.note}` : ''} (the SBC cannot observe calls)`, at: isoAt(now()) }
    : { name: 'inbound test call', passed: false, detail: `not confirmed by ${isoAt(until)}`, at: isoAt(now()) };
}

/**
 * How a SIP case ends when something throws: undo what was added, then either close as
 * cancelled or fail with a report of the checks so far (a plain rejection sends none). Always
 * throws: the failure the workflow ends with.
 */
export async function endSipCase(
  err: unknown,
  c: OnboardingCase,
  mail: Notifier,
  undo: Compensations,
  o: { to: string; base: { caseId: string; companyName: string }; kindLabel: string; checks: Check[] },
): Promise<never> {
  await undo.run();
  if (isCancellation(err)) {
    mail.send('cancelled', o.to, 'case-cancelled', { ...o.base, kindLabel: o.kindLabel, reason: c.cancelReason });
    await mail.flush();
    c.cancelled();
    throw err;
  }
  if (c.state.status === 'running') {
    const failure = failureOf(err);
    c.fail(failure.type, failure.message);
  }
  const error = c.state.error!;
  if (error.type !== 'Rejected') {
    c.state.result = reportOf(false, o.checks, error.message);
    mail.send('report', o.to, 'sip-report', { ...o.base, passed: false, checks: [...o.checks, { name: 'result', passed: false, detail: error.message, at: isoAt(now()) }] });
    await mail.flush();
  }
  throw err instanceof ApplicationFailure ? err : ApplicationFailure.create({ type: error.type, message: error.message, nonRetryable: true });
}
