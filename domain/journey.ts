/**
 * The enterprise's journey (`enterprise-onboarding`): its start body and what it shows. The
 * verification and instance parts are the other kinds' own start bodies, so one rule set serves.
 */
import { z } from 'zod';
import { awaitedActionSchema, caseStatusSchema } from './onboarding';
import { enterpriseIdSchema } from './common';
import { applicationSchema } from './verification';
import { contactCenterInstanceStartSchema } from './contact-center';
import { realNameStartSchema } from './real-name';

export const enterpriseOnboardingStartSchema = z.strictObject({
  kind: z.literal('enterprise-onboarding'),
  enterpriseId: enterpriseIdSchema,
  realName: realNameStartSchema
    .omit({ kind: true, enterpriseId: true })
    .optional()
    .describe(
      "seed 002's order: real-name verification first, the instance once it passes, then the qualification review",
    ),
  verification: applicationSchema
    .optional()
    .describe("the verification's application; omitted to follow the enterprise's existing verification"),
  instance: contactCenterInstanceStartSchema
    .omit({ kind: true, enterpriseId: true })
    .optional()
    .describe('the contact center to create once verification passes; omitted when the enterprise creates it itself'),
});
export type EnterpriseOnboardingStart = z.infer<typeof enterpriseOnboardingStartSchema>;

/** The journey has no actions of its own: people act on its cases. */
export const journeyPayloads = {};

export const MILESTONES = [
  'registered',
  'real-named',
  'verified',
  'instance-created',
  'number-access',
  'ready',
] as const;

export const journeyMilestoneSchema = z.object({
  name: z.enum(MILESTONES),
  status: z.enum(['done', 'in-progress', 'waiting', 'not-started']),
  at: z.string().optional().describe('when it was reached'),
  caseIds: z.array(z.string()).describe('the cases behind it'),
});

/** The journey's own summary (the case's `result` while it runs). */
export const journeySummarySchema = z.object({
  milestones: z.array(journeyMilestoneSchema),
  instances: z.array(
    z.object({ instanceId: z.string(), centerName: z.string().optional(), caseId: z.string().optional() }),
  ),
  numbers: z.array(z.object({ number: z.string(), instanceId: z.string().optional(), caseId: z.string() })),
  cases: z.array(z.object({ id: z.string(), kind: z.string(), status: caseStatusSchema, stage: z.string() })),
  stalledOn: z.enum(['enterprise', 'support']).nullable(),
});
export type JourneySummary = z.infer<typeof journeySummarySchema>;

/** `GET /v1/enterprises/{enterpriseId}/journey`. */
export const journeyViewSchema = journeySummarySchema.extend({
  id: z.string(),
  enterpriseId: z.string(),
  status: caseStatusSchema,
  stage: z.string(),
  next: z.array(awaitedActionSchema).describe('who must act next, for what, and by when, soonest first'),
  links: z.object({ self: z.string(), temporalUi: z.string() }),
});
export type JourneyView = z.infer<typeof journeyViewSchema>;
