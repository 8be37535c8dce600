/**
 * Third-party supplier lines: an application for a supplier's product, from eligibility to
 * numbers bound on the enterprise's instance.
 *
 * eligibility (every rule, at start) -> awaiting-review (support) -> awaiting-supplier (the
 * supplier is emailed; support records its answer; lead time counted in working days, support
 * alerted when it runs over) -> awaiting-numbers (support records the numbers opened) ->
 * importing (inventory and billing) -> binding (instance, IVR flow, skill group, calling rules).
 */
import { ApplicationFailure, isCancellation } from '@temporalio/workflow';
import type { ThirdPartyTimings } from '../config';
import { productById, type Product } from '../domain/catalog';
import { chinaDate } from '../domain/common';
import { callingRules, checkEligibility, thirdPartyLineActions, validOpenedNumber, type ThirdPartyLineStart } from '../domain/eligibility';
import { formatNumber, toE164 } from '../domain/numbers';
import { addWorkingDays } from '../domain/working-days';
import { billing, gateway } from './lib/activities';
import { action, failureOf, isoAt, now, OnboardingCase } from './lib/case';
import { Notifier } from './lib/notify';
import { Compensations } from './lib/saga';

export interface ThirdPartyLineInput {
  enterpriseId: string;
  customerId: string;
  companyName: string;
  contactEmail: string;
  supplierEmail: string;
  request: Omit<ThirdPartyLineStart, 'kind' | 'enterpriseId'>;
  timings: ThirdPartyTimings;
}

export interface ThirdPartyLineResult {
  productId: string;
  supplier: string;
  numbers: string[];
  instanceId: string;
  callingRules: ReturnType<typeof callingRules>;
  supplierDue: { start: string; workingDays: number; dueDate: string };
}

/** Without a stated lead time, a supplier is expected to answer within this many working days. */
const DEFAULT_LEAD_WORKING_DAYS = 5;

export async function thirdPartyLine(input: ThirdPartyLineInput): Promise<ThirdPartyLineResult> {
  const { request, timings } = input;
  const product = productById(request.productId) as Product;
  const c = new OnboardingCase({ kind: 'third-party-line', enterpriseId: input.enterpriseId, stage: 'awaiting-review' });
  const mail = new Notifier(c);
  const undo = new Compensations(c);
  const productName = `${product.name.zh} / ${product.name.en}`;
  const base = { caseId: c.state.id, companyName: input.companyName, product: productName };
  const regions = request.regions.map((r) => `${r.region} x${r.quantity}`).join(', ');
  const total = request.regions.reduce((n, r) => n + r.quantity, 0);
  c.handle([
    action('approve', thirdPartyLineActions.approve),
    action('reject', thirdPartyLineActions.reject),
    action('supplier-approved', thirdPartyLineActions['supplier-approved']),
    action('supplier-rejected', thirdPartyLineActions['supplier-rejected']),
    action('numbers-opened', thirdPartyLineActions['numbers-opened'], (p: { numbers: string[] }) => [
      ...p.numbers.flatMap((n, i) => (validOpenedNumber(product, n) ? [] : [{ path: `payload.numbers.${i}`, code: 'number-invalid', message: `${n} is not a valid ${product.numberKind} number` }])),
      ...(new Set(p.numbers.map(toE164)).size !== p.numbers.length ? [{ path: 'payload.numbers', code: 'number-duplicate', message: 'a number is listed twice' }] : []),
      ...(p.numbers.length !== total ? [{ path: 'payload.numbers', code: 'number-count', message: `the application is for ${total} numbers, not ${p.numbers.length}` }] : []),
    ]),
  ]);

  try {
    // The API checked eligibility; a case started another way is held to the same rules.
    const broken = checkEligibility(product, request);
    if (broken.length > 0) throw c.fail('NotEligible', broken.map((f) => `${f.path}: ${f.message}`).join('; '));
    c.step('eligibility', 'done', `${product.id}: every rule passed`);

    const review = (await c.awaitAction(
      'awaiting-review',
      [
        { action: 'approve', role: 'support' },
        { action: 'reject', role: 'support' },
      ],
      {
        onEnter: (dueAt) => mail.send('review', 'support', 'third-party-review', { ...base, regions, dueAt: isoAt(dueAt!) }),
        remindEveryMs: timings.reviewSlaMs,
        onReminder: (n) => mail.send(`review-reminder/${n}`, 'support', 'third-party-review', { ...base, regions, dueAt: isoAt(now()) }),
      },
    ))!;
    if (review.name === 'reject') {
      mail.send('rejected', input.contactEmail, 'third-party-rejected', { ...base, reason: review.payload.reason, by: 'support' });
      await mail.flush();
      throw c.fail('RejectedBySupport', review.payload.reason as string);
    }

    // The supplier's lead time, in working days from today (weekends and holidays excluded).
    const start = chinaDate(now());
    const workingDays = product.leadTimeWorkingDays?.max ?? DEFAULT_LEAD_WORKING_DAYS;
    const dueDate = addWorkingDays(start, workingDays, timings.holidays);
    const calendarDays = Math.round((Date.parse(dueDate) - Date.parse(start)) / 86_400_000);
    const supplierDue = { start, workingDays, dueDate };
    c.step('supplier lead time', 'done', `${workingDays} working days from ${start}: due ${dueDate} (${calendarDays} calendar days)`);
    // The supplier's whole job (review, then opening numbers) is due then; past it, support is alerted.
    const dueAt = now() + calendarDays * timings.dayMs;
    const overdue = (phase: string) => ({
      firstReminderMs: Math.max(1, dueAt - now()),
      remindEveryMs: timings.escalationEveryMs,
      onReminder: (n: number) => {
        c.step(`supplier overdue ${n}`, 'done', `${phase}; due ${dueDate}`);
        mail.send(`escalation/${phase}/${n}`, 'support', 'third-party-escalation', { ...base, supplier: product.supplier, dueDate, escalation: n, phase });
      },
    });

    const answer = (await c.awaitAction(
      'awaiting-supplier',
      [
        { action: 'supplier-approved', role: 'support' },
        { action: 'supplier-rejected', role: 'support' },
      ],
      {
        onEnter: () =>
          mail.send('supplier', input.supplierEmail, 'third-party-supplier-application', {
            ...base,
            industry: request.industry,
            scenario: request.scenario,
            regions,
            ...(request.callScript ? { callScript: request.callScript } : {}),
            dueDate,
          }),
        ...overdue('review'),
      },
    ))!;
    if (answer.name === 'supplier-rejected') {
      mail.send('supplier-rejected', input.contactEmail, 'third-party-rejected', { ...base, reason: answer.payload.note, by: `supplier ${product.supplier}` });
      await mail.flush();
      throw c.fail('RejectedBySupplier', answer.payload.note as string);
    }

    const opened = (await c.awaitAction('awaiting-numbers', [{ action: 'numbers-opened', role: 'support' }], overdue('opening numbers')))!;
    const numbers = (opened.payload.numbers as string[]).map(toE164);

    c.enter('importing');
    await billing.importNumbers.executeWithOptions({ summary: `import ${numbers.length} ${product.id} number(s)` }, [
      { customerId: input.customerId, numbers, type: product.numberKind, supplier: product.supplier, reference: c.state.id, idempotencyKey: `${c.state.id}/import` },
    ]);
    undo.add('return the imported numbers', () =>
      billing.releaseNumbers.executeWithOptions({ summary: 'compensate: remove imported numbers' }, [{ numbers, reference: c.state.id, idempotencyKey: `${c.state.id}/release` }]),
    );

    c.enter('binding');
    const rules = callingRules(product);
    await gateway.assignNumbers.executeWithOptions({ summary: `bind ${numbers.length} number(s) to ${request.binding.instanceId}` }, [
      {
        instanceId: request.binding.instanceId,
        numbers,
        ...(request.binding.ivrFlowId ? { ivrFlowId: request.binding.ivrFlowId } : {}),
        ...(request.binding.skillGroupId ? { skillGroupId: request.binding.skillGroupId } : {}),
        callingRules: rules,
        reference: c.state.id,
      },
    ]);
    undo.add('unbind the numbers', () => gateway.unassignNumbers.executeWithOptions({ summary: 'compensate: unbind numbers' }, [{ numbers, reference: c.state.id }]));

    const formatted = numbers.map(formatNumber);
    mail.send('ready', input.contactEmail, 'third-party-ready', { ...base, numbers: formatted, instanceId: request.binding.instanceId, rules: describeRules(rules) });
    await mail.flush();
    const result: ThirdPartyLineResult = { productId: product.id, supplier: product.supplier, numbers: formatted, instanceId: request.binding.instanceId, callingRules: rules, supplierDue };
    c.complete(result);
    return result;
  } catch (err) {
    await undo.run();
    if (isCancellation(err)) {
      mail.send('cancelled', input.contactEmail, 'case-cancelled', { caseId: c.state.id, companyName: input.companyName, kindLabel: '第三方线路 / supplier line', reason: c.cancelReason });
      await mail.flush();
      c.cancelled();
      throw err;
    }
    if (c.state.status === 'running') {
      const failure = failureOf(err);
      c.fail(failure.type, failure.message);
    }
    throw err instanceof ApplicationFailure ? err : ApplicationFailure.create({ type: c.state.error!.type, message: c.state.error!.message, nonRetryable: true });
  }
}

function describeRules(r: ReturnType<typeof callingRules>): string {
  const parts: string[] = [];
  if (r.callingHours?.length) parts.push(`hours ${r.callingHours.map((w) => `${w.from}-${w.to}`).join(' or ')}`);
  if (r.perCalleeDailyLimit !== undefined) parts.push(`at most ${typeof r.perCalleeDailyLimit === 'number' ? r.perCalleeDailyLimit : JSON.stringify(r.perCalleeDailyLimit)} calls per callee per day`);
  if (r.noBlindCalling) parts.push('no blind calling');
  if (r.blindRegions?.length) parts.push(`no service in ${r.blindRegions.join(', ')}`);
  return parts.join('; ') || 'none stated';
}
