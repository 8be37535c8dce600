/** The API's entry for `sip-registration`: its start schema, pre-checks, workflow and actions. */
import { toE164 } from '../../domain/numbers';
import { sipRegistrationPayloads, sipRegistrationStartSchema, sipRegistrationResultSchema } from '../../domain/sip';
import { sipRegistration } from '../../workflows/sip-registration';
import { defineKind, ownLinesFailures } from './shared';
import { ownLinesInput } from './verified-starts';

export const sipRegistrationKind = defineKind('sip-registration', {
  summary: 'Onboard a gateway without a public IP: it registers to the provider with a digest account',
  startSchema: sipRegistrationStartSchema,
  workflow: sipRegistration,
  binding: (body) => ({ instanceId: { id: body.instanceId, path: 'instanceId' } }),
  precheck: (body, ctx) => ownLinesFailures(ctx, body),
  workflowInput: ownLinesInput(({ testCallee, ...request }, ctx) => ({
    request,
    ...(testCallee ? { testCallee: toE164(testCallee) } : {}),
    registrar: ctx.config.sipGateway.registrar,
  })),
  payloads: sipRegistrationPayloads,
  result: sipRegistrationResultSchema,
});
