/**
 * Contact-center instances: what an enterprise states to have one created (center name, its
 * administrator, the service agreement accepted), and the re-issue of the administrator's
 * password. Pure.
 */
import { z } from 'zod';
import { enterpriseIdSchema } from './common';

/** The service agreement's version a start accepts when it names none. */
export const CURRENT_AGREEMENT_VERSION = '2024-06';

export const contactCenterInstanceStartSchema = z.strictObject({
  kind: z.literal('contact-center-instance'),
  enterpriseId: enterpriseIdSchema,
  centerName: z.string().trim().min(1).max(100).describe("unique among the enterprise's contact centers"),
  admin: z.strictObject({
    name: z.string().trim().min(1).max(100),
    email: z.email().describe('the administrator signs in with this address; the password is emailed to it'),
  }),
  agreementAccepted: z.literal(true, { error: 'the service agreement must be accepted' }),
  agreementVersion: z
    .string()
    .trim()
    .min(1)
    .max(50)
    .optional()
    .describe(`defaults to the current version (${CURRENT_AGREEMENT_VERSION})`),
});
export type ContactCenterInstanceStart = z.output<typeof contactCenterInstanceStartSchema>;

export const contactCenterInstancePayloads = {
  'reissue-admin-password': z.strictObject({ reason: z.string().trim().max(500).optional() }),
};

/** An instance as the API lists it (`GET /v1/enterprises/{id}/instances`). */
export const instanceSummarySchema = z.object({
  instanceId: z.string(),
  centerName: z.string(),
  status: z.enum(['active', 'suspended']),
  admin: z.object({ name: z.string(), email: z.string() }),
  defaults: z.object({ appId: z.string(), ivrFlowId: z.string(), skillGroupId: z.string() }),
  createdAt: z.string(),
});
export type InstanceSummary = z.output<typeof instanceSummarySchema>;

/** The instance as created (the case stays open while it serves, for password reissues). */
export const contactCenterInstanceResultSchema = z.object({
  instanceId: z.string(),
  centerName: z.string(),
  admin: z.object({ name: z.string(), email: z.string() }),
  defaults: z
    .object({ appId: z.string(), ivrFlowId: z.string(), skillGroupId: z.string() })
    .describe('the app, IVR flow and skill group the instance starts with'),
  passwordsIssued: z.number().describe('passwords emailed so far (the first one included)'),
});
export type ContactCenterInstanceResult = z.infer<typeof contactCenterInstanceResultSchema>;
