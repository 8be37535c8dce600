/** The API's entry for `sip-trunk`: its start schema, pre-checks, workflow and actions. */
import type { RuleFailure } from '../../domain/common';
import { toE164 } from '../../domain/numbers';
import {
  checkGatewayAddress,
  providerAddresses,
  sipTrunkPayloads,
  sipTrunkStartSchema,
  trunk400Failures,
  sipTrunkResultSchema,
} from '../../domain/sip';
import { sipTrunk } from '../../workflows/sip-trunk';
import { defineKind, ownLinesFailures } from './shared';
import { ownLinesInput } from './verified-starts';

export const sipTrunkKind = defineKind('sip-trunk', {
  summary: "Bring the enterprise's own fixed lines in over a SIP trunk",
  startSchema: sipTrunkStartSchema,
  workflow: sipTrunk,
  binding: (body) => ({
    instanceId: { id: body.instanceId, path: 'instanceId' },
    appId: { id: body.boundAppId, path: 'boundAppId' },
  }),
  async precheck(body, ctx) {
    const failures: RuleFailure[] = [];
    const range = checkGatewayAddress(body.gateway.ip, {
      allowPrivate: ctx.config.sipGateway.allowPrivateGateways,
      forbidden: providerAddresses(ctx.config.sipGateway),
    });
    if (range) failures.push(range);
    failures.push(...trunk400Failures(body));
    return ownLinesFailures(ctx, body, failures);
  },
  workflowInput: ownLinesInput(({ testCallee, owns400Numbers: _owns400, ...request }, ctx) => {
    const { provider } = ctx.config.sipGateway;
    return {
      request,
      testCallee: toE164(testCallee),
      provider: {
        inbound: [provider.inbound, ...provider.inboundIps.filter((a) => a !== provider.inbound)],
        outbound: provider.outbound,
      },
    };
  }),
  payloads: sipTrunkPayloads,
  result: sipTrunkResultSchema,
});
