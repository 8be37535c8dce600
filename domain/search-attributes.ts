/**
 * Custom search attributes the product registers on its Temporal namespace.
 *
 * Workflows upsert them so operators and the API can list onboardings by enterprise, kind, stage
 * and by who is expected to act next. The dev supervisor, the deployment's init step, the worker
 * and the tests all read this one list, so a new attribute is added here (and given a key below).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SEARCH_ATTRIBUTES = {
  EnterpriseId: 'Keyword',
  OnboardingKind: 'Keyword',
  OnboardingStage: 'Keyword',
  AwaitingRole: 'Keyword',
  /** A journey waiting past its time: on whom (`enterprise` or `support`); unset when on track. */
  StalledOn: 'Keyword',
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;

/** Typed keys for `upsertSearchAttributes` / `typedSearchAttributes` (workflow-safe). */
export const EnterpriseIdKey = defineSearchAttributeKey('EnterpriseId', SearchAttributeType.KEYWORD);
export const OnboardingKindKey = defineSearchAttributeKey('OnboardingKind', SearchAttributeType.KEYWORD);
export const OnboardingStageKey = defineSearchAttributeKey('OnboardingStage', SearchAttributeType.KEYWORD);
export const AwaitingRoleKey = defineSearchAttributeKey('AwaitingRole', SearchAttributeType.KEYWORD);
export const StalledOnKey = defineSearchAttributeKey('StalledOn', SearchAttributeType.KEYWORD);

/** Every key above, for a dev or test server to register. */
export const SEARCH_ATTRIBUTE_KEYS = [
  EnterpriseIdKey,
  OnboardingKindKey,
  OnboardingStageKey,
  AwaitingRoleKey,
  StalledOnKey,
];
