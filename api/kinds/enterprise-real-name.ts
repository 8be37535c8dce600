/** The API's entry for `enterprise-real-name`: its start schema, pre-checks, workflow and actions. */
import { STAGES } from '../../contract/stages';
import { realNameId, realNamePayloads, realNameStartSchema } from '../../domain/real-name';
import { enterpriseRealName } from '../../workflows/enterprise-real-name';
import { defineKind, actionSpecs, realNameFailures, realNameInput } from './shared';

export const enterpriseRealNameKind = defineKind({
  kind: 'enterprise-real-name',
  summary: 'Real-name verification of the enterprise: company, unified social credit code, legal representative',
  startSchema: realNameStartSchema,
  workflow: enterpriseRealName,
  fixedId: (body) => realNameId(body.enterpriseId),
  precheck: (body, ctx) => realNameFailures(ctx, body.enterpriseId, body),
  workflowInput: (body, ctx) => {
    const { kind: _kind, enterpriseId, ...request } = body;
    return realNameInput(ctx, enterpriseId, request);
  },
  stages: STAGES['enterprise-real-name'],
  actions: actionSpecs('enterprise-real-name', realNamePayloads),
});
