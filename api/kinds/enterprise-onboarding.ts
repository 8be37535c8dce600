/** The API's entry for `enterprise-onboarding`: its start schema, pre-checks, workflow and actions. */
import type { EnterpriseOnboardingInput } from '../../contract/inputs';
import type { RuleFailure } from '../../domain/common';
import { verificationId } from '../../domain/ids';
import { realNameId } from '../../domain/real-name';
import { enterpriseOnboarding } from '../../workflows/enterprise-onboarding';
import { enterpriseOnboardingStartSchema, journeyPayloads, journeySummarySchema } from '../../domain/journey';
import {
  defineKind,
  verificationFailures,
  verificationInput,
  centerNameTaken,
  instanceRequest,
  realNameFailures,
  realNameInput,
  type KindContext,
  type StartBody,
} from './shared';

/**
 * Every rule the journey's start breaks, at once: a verification to start or to follow, a real-name
 * application not already under way, and a contact center name the enterprise does not use yet.
 */
async function startFailures(body: StartBody<'enterprise-onboarding'>, ctx: KindContext): Promise<RuleFailure[]> {
  const vid = verificationId(body.enterpriseId);
  const status = await ctx.caseStatus(vid);
  const failures: RuleFailure[] = [];
  if (body.verification) {
    if (status === 'running' || status === 'completed')
      failures.push({
        path: 'verification',
        code: 'verification-exists',
        message: `verification ${vid} is ${status}: omit verification to follow it`,
      });
    else failures.push(...(await verificationFailures(ctx, body.enterpriseId, body.verification, 'verification.')));
  } else if (!status && !body.realName) {
    failures.push({
      path: 'verification',
      code: 'verification-required',
      message: `enterprise ${body.enterpriseId} has no verification to follow: include one`,
    });
  }
  if (body.realName) {
    const realName = await ctx.caseStatus(realNameId(body.enterpriseId));
    if (realName === 'running' || realName === 'completed')
      failures.push({
        path: 'realName',
        code: 'real-name-exists',
        message: `${realNameId(body.enterpriseId)} is ${realName}: omit realName`,
      });
    else failures.push(...(await realNameFailures(ctx, body.enterpriseId, body.realName, 'realName.')));
  }
  if (body.instance)
    failures.push(...(await centerNameTaken(ctx, body.enterpriseId, body.instance.centerName, 'instance.centerName')));
  return failures;
}

export const enterpriseOnboardingKind = defineKind('enterprise-onboarding', {
  summary: "The enterprise's whole journey, from verification to a working number, linking every case",
  startSchema: enterpriseOnboardingStartSchema,
  workflow: enterpriseOnboarding,
  precheck: startFailures,
  async workflowInput(body, ctx): Promise<EnterpriseOnboardingInput> {
    const { enterpriseId } = body;
    // Who the journey speaks to until a case names its contact: the first application it has.
    const application =
      body.verification ?? body.realName ?? (await ctx.currentApplication(verificationId(enterpriseId)));
    const [known, instances] = await Promise.all([
      ctx.reportsOf(enterpriseId),
      ctx.contactCenter.listInstances(enterpriseId),
    ]);
    return {
      enterpriseId,
      contactEmail: application.contact.email,
      companyName: application.company.name,
      verification: body.verification
        ? { start: verificationInput(ctx, enterpriseId, body.verification) }
        : { follow: verificationId(enterpriseId) },
      ...(body.instance ? { instance: instanceRequest(ctx, body.instance) } : {}),
      ...(body.realName ? { realName: { start: await realNameInput(ctx, enterpriseId, body.realName) } } : {}),
      known,
      instances: instances
        .filter((i) => i.status === 'active')
        .map((i) => ({ instanceId: i.instanceId, centerName: i.centerName })),
      timings: ctx.config.timings.journey,
    };
  },
  payloads: journeyPayloads,
  result: journeySummarySchema,
});
