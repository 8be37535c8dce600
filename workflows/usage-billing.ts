/**
 * An enterprise's call charges, billed afterwards, monthly: once a month has closed (China time)
 * and its grace for late records has passed, the case reads the SBC's call records, rates them,
 * posts one usage charge to billing (key `<enterprise>/<month>`), emails the itemised statement
 * and continues as new for the next month, carrying the latest statements.
 *
 * Support may re-run a billed month (`rerun-month`), e.g. after the SBC was down: the records are
 * read again, and only what they add is charged, as a supplement (key
 * `<enterprise>/<month>/rerun-<n>`). A month is never billed twice and never refunded here.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { UsageBillingInput } from '../contract/inputs';
import { AwaitingRoleKey } from '../domain/search-attributes';
import { chargeToPost, monthBounds, nextMonth, supplementLines } from '../domain/usage-periods';
import type { RatedMonth, UsageChargeRecord, UsageStatement } from '../domain/usage';
import { failureOf, isoAt, now, type OnboardingCase } from './lib/case';
import { contactEnding } from './lib/case-types';
import { openCase } from './lib/open-case';
import { billing, usage } from './lib/activities';
import type { UsageBillingView } from '../domain/usage-schemas';

export type { UsageBillingView };

/** Statements kept in the case (and carried to each new run): two years. */
export const STATEMENTS_KEPT = 24;
const CARRIED_STEPS = 20;

export async function usageBilling(input: UsageBillingInput): Promise<UsageBillingView> {
  let statements = [...input.statements];
  const c = openCase('usage-billing', input, 'metering', {
    steps: input.carriedSteps,
    rules: {
      // Only a month this case has billed can be read again; the month in progress is billed when it closes.
      'rerun-month': (p) =>
        statements.some((s) => s.month === p.month)
          ? []
          : [
              {
                path: 'payload.month',
                code: 'month-not-billed',
                message: `${p.month} has not been billed yet; billed months: ${statements.map((s) => s.month).join(', ') || 'none'}`,
              },
            ],
    },
  });
  const { mail } = c;
  const month = input.nextMonth;
  const billsAt = monthBounds(month).end + input.timings.graceMs;
  const show = () => {
    c.state.result = { nextMonth: month, billsAt: isoAt(billsAt), statements } satisfies UsageBillingView;
  };
  show();
  if (input.statements.length === 0 && input.carriedSteps.length === 0)
    c.step('usage billing started', 'done', `first month ${month}, billed from ${isoAt(billsAt)}`);

  const keep = (next: UsageStatement[]) => {
    statements = next;
    show();
  };
  const bill = (m: string, rerun: number) => billMonth(c, input, statements, m, rerun, keep);

  return c.run(contactEnding(input, '通话计费 / usage billing'), async () => {
    for (;;) {
      const got = await c.awaitAction('metering', [{ action: 'rerun-month', role: 'support' }] as const, {
        deadlineMs: Math.max(billsAt - now(), 0),
        // An optional action, not work waiting in support's queue.
        onEnter: () => upsertSearchAttributes([{ key: AwaitingRoleKey, value: null }]),
      });
      c.enter('billing');
      if (got) {
        const prior = statements.find((s) => s.month === got.payload.month);
        await bill(got.payload.month, (prior?.reruns ?? 0) + 1);
        continue;
      }
      await bill(month, 0);
      await mail.flush();
      await c.eventsRecorded();
      await condition(allHandlersFinished);
      return continueAsNew<typeof usageBilling>({
        ...input,
        nextMonth: nextMonth(month),
        statements,
        carriedSteps: c.state.steps.slice(-CARRIED_STEPS),
      });
    }
  });
}

type UsageCase = OnboardingCase<'usage-billing'>;

function chargedFen(list: UsageChargeRecord[]): number {
  return list.reduce((n, x) => n + x.amountFen, 0);
}

/**
 * Reads and rates `m`, posts what is owed (if anything), emails the statement, and hands the
 * statements with this month's to `keep`.
 */
async function billMonth(
  c: UsageCase,
  input: UsageBillingInput,
  statements: UsageStatement[],
  m: string,
  rerun: number,
  keep: (statements: UsageStatement[]) => void,
): Promise<void> {
  const prior = statements.find((s) => s.month === m);
  let rated: RatedMonth;
  try {
    // An SBC that is down is waited out (retries); a refusal is recorded and the case goes on.
    rated = await usage.rateUsageMonth.executeWithOptions(
      { summary: `read and rate the calls of ${m}${rerun ? ` (re-run ${rerun})` : ''}` },
      [{ enterpriseId: input.enterpriseId, month: m }],
    );
  } catch (err) {
    if (isCancellation(err)) throw err;
    c.step(`usage ${m} not rated`, 'failed', failureOf(err).message);
    if (prior) return;
    const empty = { calls: 0, minutes: 0, amountFen: 0, lines: [], unfinishedCalls: 0, chargedFen: 0, charges: [] };
    const unrated: UsageStatement = { month: m, status: 'unrated', ...empty, ratedAt: isoAt(now()), reruns: rerun };
    keep([...statements, unrated].sort((a, b) => a.month.localeCompare(b.month)).slice(-STATEMENTS_KEPT));
    return;
  }
  let charges: UsageChargeRecord[] = prior?.charges ?? [];
  if (!rated.observable) {
    c.step(`usage ${m}`, 'failed', 'the SBC cannot be read in this deployment: nothing billed');
  } else {
    const post = chargeToPost(rated.amountFen, charges.length > 0 ? chargedFen(charges) : undefined);
    if (!post) {
      c.step(
        `usage ${m}`,
        'done',
        `${rated.calls} call(s), ${rated.minutes} min, ${rated.amountFen} fen; nothing more to charge`,
      );
    } else {
      const ask = usageCharge(c, input, m, rerun, rated, prior, charges, post);
      try {
        const charge = await billing.postUsageCharge.executeWithOptions({ summary: ask.summary }, [ask.request]);
        charges = charged(c, input, m, rated, charges, ask, charge);
      } catch (err) {
        if (isCancellation(err)) throw err;
        // Billing refused (e.g. the month charged with another amount elsewhere): support looks
        // into it; the case keeps billing the months after.
        const { message } = failureOf(err);
        c.step(`usage ${m} charge refused`, 'failed', message);
      }
    }
  }
  // Answered calls with no closed record: support looks into them (cases from before this
  // report replay without it).
  if (rated.unreconciled?.length && patched('usage-reconciliation'))
    c.mail.send(`reconciliation/${m}/${rerun}`, 'support', 'usage-reconciliation', {
      caseId: c.state.id,
      companyName: input.companyName,
      month: m,
      calls: rated.unreconciled,
    });
  const statement = statementOf(m, rerun, rated, charges);
  // An unreadable re-run leaves a readable month's statement as it was.
  if (!rated.observable && prior) return;
  keep(
    [...statements.filter((s) => s.month !== m), statement]
      .sort((a, b) => a.month.localeCompare(b.month))
      .slice(-STATEMENTS_KEPT),
  );
  c.emit('usage.statement', {
    month: m,
    status: statement.status,
    calls: statement.calls,
    minutes: statement.minutes,
    amountFen: statement.amountFen,
    chargedFen: statement.chargedFen,
    reruns: rerun,
  });
}

/** The charge to post for `m`: the month's own, or a re-run's supplement of what it adds. */
function usageCharge(
  c: UsageCase,
  input: UsageBillingInput,
  m: string,
  rerun: number,
  rated: RatedMonth,
  prior: UsageStatement | undefined,
  charges: UsageChargeRecord[],
  post: NonNullable<ReturnType<typeof chargeToPost>>,
) {
  const supplement = post.kind === 'month' ? 0 : charges.filter((x) => x.supplement > 0).length + 1;
  const idempotencyKey =
    post.kind === 'month' ? `${input.enterpriseId}/${m}` : `${input.enterpriseId}/${m}/rerun-${rerun}`;
  const lines = post.kind === 'month' ? rated.lines : supplementLines(rated.lines, prior?.lines ?? []);
  return {
    supplement,
    idempotencyKey,
    amountFen: post.amountFen,
    summary: `charge ${post.amountFen} fen for the calls of ${m}${supplement ? ` (supplement ${supplement})` : ''}`,
    request: {
      customerId: input.customerId,
      month: m,
      amountFen: post.amountFen,
      lines: lines.map(({ display: _d, ...l }) => l),
      ...(supplement ? { supplement } : {}),
      reference: c.state.id,
      idempotencyKey,
    },
  };
}

/** Keeps the posted charge with the month's and emails the itemised statement. */
function charged(
  c: UsageCase,
  input: UsageBillingInput,
  m: string,
  rated: RatedMonth,
  charges: UsageChargeRecord[],
  ask: ReturnType<typeof usageCharge>,
  charge: { id: string; amountFen: number },
): UsageChargeRecord[] {
  const { supplement, idempotencyKey } = ask;
  const all = [
    ...charges,
    { chargeId: charge.id, idempotencyKey, supplement, amountFen: charge.amountFen, at: isoAt(now()) },
  ];
  c.step(
    `usage ${m} charged`,
    'done',
    `${rated.calls} call(s), ${rated.minutes} min; ${ask.amountFen} fen${supplement ? ` (supplement ${supplement})` : ''}`,
  );
  c.mail.send(`statement/${m}/${supplement}`, input.contactEmail, 'usage-statement', {
    caseId: c.state.id,
    companyName: input.companyName,
    month: m,
    supplement,
    chargedFen: ask.amountFen,
    statement: { calls: rated.calls, minutes: rated.minutes, amountFen: rated.amountFen, lines: rated.lines },
  });
  return all;
}

/** The month's statement as rated and charged. */
function statementOf(m: string, rerun: number, rated: RatedMonth, charges: UsageChargeRecord[]): UsageStatement {
  const total = chargedFen(charges);
  return {
    month: m,
    status: !rated.observable && charges.length === 0 ? 'unobservable' : total > 0 ? 'charged' : 'nothing-to-charge',
    calls: rated.calls,
    minutes: rated.minutes,
    amountFen: rated.amountFen,
    lines: rated.lines,
    unfinishedCalls: rated.unfinishedCalls,
    ...(rated.unreconciled?.length ? { unreconciled: rated.unreconciled } : {}),
    chargedFen: total,
    charges,
    ratedAt: rated.ratedAt,
    reruns: rerun,
  };
}
