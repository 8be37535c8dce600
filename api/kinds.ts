/**
 * What the API knows of each onboarding kind: how a start body is validated and pre-checked,
 * which workflow runs it, at which id, and its actions. Schemas come from `domain/`, the same
 * ones the workflows validate with and the OpenAPI document is generated from.
 */
import type { z } from 'zod';
import type { Config } from '../config';
import { chinaDate, type RuleFailure } from '../domain/common';
import { verificationId, WORKFLOW_TYPES } from '../domain/ids';
import type { ActionSpec, OnboardingKind } from '../domain/onboarding';
import {
  precheckApplication,
  verificationActions,
  verificationStartSchema,
  type Resubmission,
  type VerificationStart,
} from '../domain/verification';
import type { DocumentStore } from '../storage/documents';
import type { VerificationInput } from '../workflows/enterprise-verification';

export interface KindContext {
  config: Config;
  documents: DocumentStore;
  now: () => number;
}

export interface KindDefinition<S extends { enterpriseId: string } = any> {
  kind: OnboardingKind;
  summary: string;
  startSchema: z.ZodType<S>;
  workflowType: string;
  /** A fixed id makes the case unique per enterprise; otherwise each request gets its own id. */
  fixedId?: (body: S) => string;
  /** Every business rule the start body breaks, all at once (422). */
  precheck: (body: S, ctx: KindContext) => Promise<RuleFailure[]>;
  workflowInput: (body: S, ctx: KindContext) => unknown;
  stages: readonly string[];
  actions: Record<string, ActionSpec>;
  /** Checks that need I/O before an action reaches the workflow (422). */
  actionPrecheck?: (action: string, payload: unknown, enterpriseId: string, ctx: KindContext) => Promise<RuleFailure[]>;
}

const enterpriseVerification: KindDefinition<VerificationStart> = {
  kind: 'enterprise-verification',
  summary: 'Real-name verification and qualification review of an enterprise',
  startSchema: verificationStartSchema,
  workflowType: WORKFLOW_TYPES['enterprise-verification'],
  fixedId: (body) => verificationId(body.enterpriseId),
  async precheck(body, ctx) {
    const { kind: _kind, enterpriseId, ...application } = body;
    return [
      ...precheckApplication(application, chinaDate(ctx.now())),
      ...(await ctx.documents.check(enterpriseId, application.documents)),
    ];
  },
  workflowInput: (body, ctx): VerificationInput => {
    const { kind: _kind, enterpriseId, ...application } = body;
    return { enterpriseId, application, timings: ctx.config.timings.verification };
  },
  stages: ['prechecking', 'awaiting-review', 'awaiting-resubmission', 'approving'],
  actions: verificationActions,
  async actionPrecheck(action, payload, enterpriseId, ctx) {
    if (action !== 'resubmit') return [];
    return ctx.documents.check(enterpriseId, (payload as Resubmission).documents ?? [], 'payload.documents');
  },
};

export const KINDS: Partial<Record<OnboardingKind, KindDefinition>> = {
  'enterprise-verification': enterpriseVerification,
};

export function kindDefinition(kind: string): KindDefinition | undefined {
  return KINDS[kind as OnboardingKind];
}
