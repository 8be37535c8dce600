/**
 * Third-party supplier lines: an application for a supplier's product, from eligibility to
 * numbers bound on the enterprise's instance.
 *
 * eligibility (every rule, at start) -> awaiting-review (support) -> awaiting-supplier (the
 * supplier is emailed; support records its answer; lead time counted in working days, support
 * alerted when it runs over) -> awaiting-numbers (support records the numbers opened) ->
 * importing (inventory and billing) -> binding (instance, IVR flow, skill group, calling rules).
 */
import type { ThirdPartyLineInput } from '../contract/inputs';
import { addWorkingDays } from '../domain/working-days';
import { billing } from './lib/activities';
import { putNumbersInService } from './lib/numbers';
import { isoAt, now, type OnboardingCase, type WaitOptions } from './lib/case';
import { contactEnding } from './lib/case-types';
import { openCase } from './lib/open-case';
import type { ThirdPartyLineResult } from '../domain/eligibility';

export async function thirdPartyLine(input: ThirdPartyLineInput): Promise<ThirdPartyLineResult> {
  const { request } = input;
  const { product } = input;
  const total = request.regions.reduce((n, r) => n + r.quantity, 0);
  const c = openCase('third-party-line', input, 'awaiting-review', {
    // The API checked each number against the product's kind and wrote it in E.164.
    rules: {
      'numbers-opened': (p) => [
        ...(new Set(p.numbers).size !== p.numbers.length
          ? [{ path: 'payload.numbers', code: 'number-duplicate', message: 'a number is listed twice' }]
          : []),
        ...(p.numbers.length !== total
          ? [
              {
                path: 'payload.numbers',
                code: 'number-count',
                message: `the application is for ${total} numbers, not ${p.numbers.length}`,
              },
            ]
          : []),
      ],
    },
    instanceId: request.binding.instanceId,
  });
  const productName = `${product.name.zh} / ${product.name.en}`;
  const base = { caseId: c.state.id, companyName: input.companyName, product: productName };
  const regions = request.regions.map((r) => `${r.region} x${r.quantity}`).join(', ');
  const line: LineCase = { c, input, base, regions };
  c.step('eligibility', 'done', `${product.id}: every rule passed`);

  return c.run(contactEnding(input, '第三方线路 / supplier line'), async () => {
    await supportReview(line);
    const due = supplierLeadTime(line);
    await supplierApproved(line, due);
    const opened = await c.awaitAction(
      'awaiting-numbers',
      [{ action: 'numbers-opened', role: 'support' }],
      due.overdue('opening numbers'),
    );
    const numbers = opened.payload.numbers;
    const imported = await importNumbers(line, numbers);
    await bindNumbers(line, numbers);

    const formatted = imported.display;
    Object.assign(c.facts, { numbers: formatted, inService: true });
    c.mail.send('ready', input.contactEmail, 'third-party-ready', {
      ...base,
      numbers: formatted,
      instanceId: request.binding.instanceId,
      rules: product.rulesText,
    });
    const result: ThirdPartyLineResult = {
      productId: product.id,
      supplier: product.supplier,
      numbers: formatted,
      instanceId: request.binding.instanceId,
      callingRules: product.callingRules,
      supplierDue: due.supplierDue,
    };
    return result;
  });
}

/** The case and what each of its steps reads. */
interface LineCase {
  c: OnboardingCase<'third-party-line'>;
  input: ThirdPartyLineInput;
  /** The emails' common part. */
  base: { caseId: string; companyName: string; product: string };
  /** The regions applied for, in a line. */
  regions: string;
}

/** When the supplier's whole job is due, and the waits that alert support past it. */
interface SupplierDue {
  supplierDue: ThirdPartyLineResult['supplierDue'];
  /** A wait's reminders: none until the due time, then support is alerted again and again. */
  overdue: (phase: string) => WaitOptions;
}

/** Support approves or rejects the application; a rejection tells the enterprise why and ends the case. */
async function supportReview({ c, input, base, regions }: LineCase): Promise<void> {
  const { mail } = c;
  const review = await c.awaitAction(
    'awaiting-review',
    [
      { action: 'approve', role: 'support' },
      { action: 'reject', role: 'support' },
    ],
    {
      onEnter: (dueAt) =>
        mail.send('review', 'support', 'third-party-review', { ...base, regions, dueAt: isoAt(dueAt ?? now()) }),
      remindEveryMs: input.timings.reviewSlaMs,
      onReminder: (n) =>
        mail.send(`review-reminder/${n}`, 'support', 'third-party-review', {
          ...base,
          regions,
          dueAt: isoAt(now()),
        }),
    },
  );
  if (review.name === 'reject') {
    mail.send('rejected', input.contactEmail, 'third-party-rejected', {
      ...base,
      reason: review.payload.reason,
      by: 'support',
    });
    throw c.fail('RejectedBySupport', review.payload.reason);
  }
}

/** The supplier's lead time, in working days from today (weekends and holidays excluded). */
function supplierLeadTime({ c, input, base }: LineCase): SupplierDue {
  const { product, timings } = input;
  const start = new Date(now() + 8 * 3_600_000).toISOString().slice(0, 10); // today in China
  const workingDays = product.leadWorkingDays;
  const dueDate = addWorkingDays(start, workingDays, timings.holidays);
  const calendarDays = Math.round((Date.parse(dueDate) - Date.parse(start)) / 86_400_000);
  c.step(
    'supplier lead time',
    'done',
    `${workingDays} working days from ${start}: due ${dueDate} (${calendarDays} calendar days)`,
  );
  // The supplier's whole job (review, then opening numbers) is due then; past it, support is alerted.
  const dueAt = now() + calendarDays * timings.dayMs;
  const overdue = (phase: string) => ({
    firstReminderMs: Math.max(1, dueAt - now()),
    remindEveryMs: timings.escalationEveryMs,
    onReminder: (n: number) => {
      c.step(`supplier overdue ${n}`, 'done', `${phase}; due ${dueDate}`);
      c.mail.send(`escalation/${phase}/${n}`, 'support', 'third-party-escalation', {
        ...base,
        supplier: product.supplier,
        dueDate,
        escalation: n,
        phase,
      });
    },
  });
  return { supplierDue: { start, workingDays, dueDate }, overdue };
}

/** The supplier is emailed the application; support records its answer. A rejection ends the case. */
async function supplierApproved({ c, input, base, regions }: LineCase, due: SupplierDue): Promise<void> {
  const { mail } = c;
  const { request, product } = input;
  const answer = await c.awaitAction(
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
          dueDate: due.supplierDue.dueDate,
        }),
      ...due.overdue('review'),
    },
  );
  if (answer.name === 'supplier-rejected') {
    mail.send('supplier-rejected', input.contactEmail, 'third-party-rejected', {
      ...base,
      reason: answer.payload.note,
      by: `supplier ${product.supplier}`,
    });
    throw c.fail('RejectedBySupplier', answer.payload.note);
  }
}

/** The opened numbers go into inventory and billing, for the enterprise's customer account. */
async function importNumbers({ c, input }: LineCase, numbers: string[]) {
  const { product } = input;
  c.enter('importing');
  c.undo.add('return the imported numbers', () =>
    billing.releaseNumbers.executeWithOptions({ summary: 'compensate: remove imported numbers' }, [
      { numbers, reference: c.state.id, idempotencyKey: `${c.state.id}/release` },
    ]),
  );
  return billing.importNumbers.executeWithOptions({ summary: `import ${numbers.length} ${product.id} number(s)` }, [
    {
      customerId: input.customerId,
      numbers,
      type: product.numberKind,
      supplier: product.supplier,
      reference: c.state.id,
      idempotencyKey: `${c.state.id}/import`,
    },
  ]);
}

/** The numbers are bound on the instance with the product's calling rules. */
async function bindNumbers({ c, input }: LineCase, numbers: string[]): Promise<void> {
  const { request, product } = input;
  c.enter('binding');
  await putNumbersInService(c, {
    verb: 'bind',
    instanceId: request.binding.instanceId,
    numbers,
    route: { ...request.binding, callingRules: product.callingRules },
    // The supplier carries the lines' calls and bills them (004 §2): its trunk, its rules.
    origin: 'supplier',
    supplier: product.supplier,
    summary: `bind ${numbers.length} number(s) to ${request.binding.instanceId}`,
    platformSummary: `bind ${numbers.length} number(s) in contact center ${request.binding.instanceId}`,
  });
}
