/** The API's entry for `contact-center-instance`: its start schema, pre-checks, workflow and actions. */
import {
  contactCenterInstancePayloads,
  contactCenterInstanceStartSchema,
  contactCenterInstanceResultSchema,
} from '../../domain/contact-center';
import { contactCenterInstance } from '../../workflows/contact-center-instance';
import { defineKind, centerNameTaken, instanceRequest } from './shared';

export const contactCenterInstanceKind = defineKind('contact-center-instance', {
  summary: "Create the enterprise's contact-center instance and email its administrator a password",
  startSchema: contactCenterInstanceStartSchema,
  workflow: contactCenterInstance,
  async precheck(body, ctx) {
    // Seed 002 step 3 follows real-name verification (step 2); without it, a 409 naming it, first.
    await ctx.approvedRealName(body.enterpriseId);
    return centerNameTaken(ctx, body.enterpriseId, body.centerName, 'centerName');
  },
  async workflowInput(body, ctx) {
    return { ...(await ctx.approvedRealName(body.enterpriseId)), ...instanceRequest(ctx, body) };
  },
  payloads: contactCenterInstancePayloads,
  result: contactCenterInstanceResultSchema,
});
