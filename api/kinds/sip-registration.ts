/** The API's entry for `sip-registration`: its start schema, pre-checks, workflow and actions. */
import { STAGES } from '../../contract/stages';
import { toE164 } from '../../domain/numbers';
import { sipRegistrationPayloads, sipRegistrationStartSchema } from '../../domain/sip';
import { sipRegistration } from '../../workflows/sip-registration';
import {
  defineKind,
  actionSpecs,
  numbersOf,
  verifiedEnterprise,
  alreadyAssigned,
  heldInBilling,
  verifiedOr,
} from './shared';

export const sipRegistrationKind = defineKind({
  kind: 'sip-registration',
  summary: 'Onboard a gateway without a public IP: it registers to the provider with a digest account',
  startSchema: sipRegistrationStartSchema,
  workflow: sipRegistration,
  binding: (body) => ({ instanceId: { id: body.instanceId, path: 'instanceId' } }),
  async precheck(body, ctx) {
    const failures = [
      ...(await alreadyAssigned(ctx, body.numbers)),
      ...(await heldInBilling(ctx, body.enterpriseId, body.numbers)),
    ];
    await verifiedOr(ctx, body.enterpriseId, failures);
    return failures;
  },
  async workflowInput(body, ctx) {
    const { kind: _kind, enterpriseId, numbers, testCallee, ...request } = body;
    const { companyName } = await verifiedEnterprise(ctx, enterpriseId);
    return {
      enterpriseId,
      companyName,
      request,
      numbers: numbersOf(numbers),
      ...(testCallee ? { testCallee: toE164(testCallee) } : {}),
      registrar: ctx.config.sipGateway.registrar,
      timings: ctx.config.timings.sip,
    };
  },
  stages: STAGES['sip-registration'],
  actions: actionSpecs('sip-registration', sipRegistrationPayloads),
});
