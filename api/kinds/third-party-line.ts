/** The API's entry for `third-party-line`: its start schema, pre-checks, workflow and actions. */
import type { RuleFailure } from '../../domain/common';
import { productById } from '../../domain/catalog';
import {
  callingRules,
  checkEligibility,
  describeCallingRules,
  thirdPartyLinePayloads,
  thirdPartyLineStartSchema,
  validOpenedNumber,
  thirdPartyLineResultSchema,
} from '../../domain/eligibility';
import { toE164 } from '../../domain/numbers';
import { thirdPartyLine } from '../../workflows/third-party-line';
import { defineKind, heldInBilling, verifiedOr, DEFAULT_LEAD_WORKING_DAYS } from './shared';
import { boundVerified } from './verified-starts';

export const thirdPartyLineKind = defineKind('third-party-line', {
  summary: "Apply for a supplier's lines: eligibility, review, supplier hand-off, import and binding",
  startSchema: thirdPartyLineStartSchema,
  workflow: thirdPartyLine,
  async precheck(body, ctx) {
    const { kind: _kind, enterpriseId, ...request } = body;
    const failures = checkEligibility(productById(request.productId)!, request);
    // Every broken rule at once, a missing verification among them.
    await verifiedOr(ctx, enterpriseId, failures);
    return failures;
  },
  ...boundVerified(({ productId, ...request }, ctx) => {
    const product = productById(productId)!;
    const rules = callingRules(product);
    return {
      supplierEmail: ctx.config.supplierEmails[product.supplier] ?? ctx.config.email.supportAddress,
      product: {
        id: product.id,
        supplier: product.supplier,
        name: { zh: product.name.zh, en: product.name.en },
        numberKind: product.numberKind,
        leadWorkingDays: product.leadTimeWorkingDays?.max ?? DEFAULT_LEAD_WORKING_DAYS,
        callingRules: rules,
        rulesText: describeCallingRules(rules),
      },
      request,
      timings: ctx.config.timings.thirdParty,
    };
  }),
  payloads: thirdPartyLinePayloads,
  result: thirdPartyLineResultSchema,
  facts: (body) => ({ productId: body.productId }),
  // Opened numbers are checked against the product's kind and billing's inventory, and handed on in E.164.
  async actionPrecheck(action, payload, c, ctx) {
    if (action !== 'numbers-opened') return { failures: [], payload };
    const { numbers } = payload as { numbers: string[] };
    const product = productById(c.facts.productId ?? '');
    const failures: RuleFailure[] = product
      ? numbers.flatMap((n, i) =>
          validOpenedNumber(product, n)
            ? []
            : [
                {
                  path: `payload.numbers.${i}`,
                  code: 'number-invalid',
                  message: `${n} is not a valid ${product.numberKind} number`,
                },
              ],
        )
      : [];
    failures.push(...(await heldInBilling(ctx, c.enterpriseId, numbers, 'payload.numbers')));
    return { failures, payload: { numbers: numbers.map(toE164) } };
  },
});
