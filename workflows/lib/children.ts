/**
 * A case one case starts for another (a subscription by its purchase, a verification by the
 * journey): the memo and search attributes the API lists and reads it by, as for a case it started.
 */
import { TypedSearchAttributes } from '@temporalio/common';
import type { OnboardingKind } from '../../contract/case';
import { EnterpriseIdKey, OnboardingKindKey, OnboardingStageKey } from '../../domain/search-attributes';

export function childCase(opts: {
  kind: OnboardingKind;
  enterpriseId: string;
  workflowId: string;
  /** The case that starts it. */
  parentId: string;
  firstStage: string;
  summary: string;
}) {
  return {
    workflowId: opts.workflowId,
    memo: { kind: opts.kind, enterpriseId: opts.enterpriseId, requestHash: '', createdBy: `case:${opts.parentId}` },
    typedSearchAttributes: new TypedSearchAttributes([
      { key: EnterpriseIdKey, value: opts.enterpriseId },
      { key: OnboardingKindKey, value: opts.kind },
      { key: OnboardingStageKey, value: opts.firstStage },
    ]),
    staticSummary: opts.summary,
  };
}
