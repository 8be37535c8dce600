/** The API's entry for `enterprise-real-name`: its start schema, pre-checks, workflow and actions. */
import { realNamePayloads, realNameStartSchema, realNameResultSchema } from '../../domain/real-name';
import { enterpriseRealName } from '../../workflows/enterprise-real-name';
import { defineKind, realNameFailures, realNameInput } from './shared';

export const enterpriseRealNameKind = defineKind('enterprise-real-name', {
  summary: 'Real-name verification of the enterprise: company, unified social credit code, legal representative',
  startSchema: realNameStartSchema,
  workflow: enterpriseRealName,
  precheck: (body, ctx) => realNameFailures(ctx, body.enterpriseId, body),
  workflowInput: (body, ctx) => {
    const { kind: _kind, enterpriseId, ...request } = body;
    return realNameInput(ctx, enterpriseId, request);
  },
  payloads: realNamePayloads,
  result: realNameResultSchema,
});
