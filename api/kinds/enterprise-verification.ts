/** The API's entry for `enterprise-verification`: its start schema, pre-checks, workflow and actions. */
import { chinaDate } from '../../domain/common';
import { applyResubmission } from '../../domain/resubmission';
import {
  precheckApplication,
  verificationPayloads,
  verificationStartSchema,
  type Resubmission,
  verificationResultSchema,
} from '../../domain/verification';
import { enterpriseVerification } from '../../workflows/enterprise-verification';
import { defineKind, verificationFailures, verificationInput } from './shared';
import { requestOf } from './verified-starts';

export const enterpriseVerificationKind = defineKind('enterprise-verification', {
  summary: 'Real-name verification and qualification review of an enterprise',
  startSchema: verificationStartSchema,
  workflow: enterpriseVerification,
  precheck: (body, ctx) => verificationFailures(ctx, body.enterpriseId, requestOf(body)),
  workflowInput: (body, ctx) => verificationInput(ctx, body.enterpriseId, requestOf(body)),
  payloads: verificationPayloads,
  result: verificationResultSchema,
  async actionPrecheck(action, payload, c, ctx) {
    if (action !== 'resubmit') return { failures: [], payload };
    // The whole application as it would stand, so every rule is judged at once, as at the start.
    const patch = payload as Resubmission;
    const merged = applyResubmission(await ctx.currentApplication(c.id), patch);
    const failures = [
      ...precheckApplication(merged, chinaDate(ctx.now())),
      ...(await ctx.documents.check(c.enterpriseId, patch.documents ?? [], 'payload.documents')),
    ];
    return { failures, payload };
  },
});
