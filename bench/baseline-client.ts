/**
 * Starting a baseline case (see `baseline-workflow.ts`) the way the product's API starts a case:
 * same start options, and update-with-start when the recorded case opens with an update.
 */
import { createHash } from 'node:crypto';
import { WithStartWorkflowOperation, type Client, type WorkflowHandle } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { EnterpriseIdKey, OnboardingKindKey, OnboardingStageKey } from '../domain/search-attributes';
import type { BaselineInput } from './baseline-workflow';
import { baselineSignals, baselineUpdates, opensWithUpdate } from './history';

/** The same start options as the product's POST: memo, search attributes, summary; update-with-start when the case opens with an update. */
export async function startBaseline(
  client: Client,
  taskQueue: string,
  workflowId: string,
  input: BaselineInput,
): Promise<{ handle: WorkflowHandle; updates: string[] }> {
  const options = {
    taskQueue,
    workflowId,
    args: [input] as [BaselineInput],
    memo: {
      kind: 'baseline',
      enterpriseId: workflowId,
      requestHash: createHash('sha256').update(workflowId).digest('hex'),
      createdBy: 'bench',
    },
    typedSearchAttributes: new TypedSearchAttributes([
      { key: EnterpriseIdKey, value: workflowId },
      { key: OnboardingKindKey, value: 'baseline' },
      { key: OnboardingStageKey, value: 'submitted' },
    ]),
    staticSummary: `baseline ${workflowId}`,
  };
  const updates = baselineUpdates(input.steps);
  const opening = opensWithUpdate(input.steps);
  let handle: WorkflowHandle;
  if (opening) {
    const operation = new WithStartWorkflowOperation('baselineCase', { ...options, workflowIdConflictPolicy: 'FAIL' });
    await client.workflow.executeUpdateWithStart(opening, { startWorkflowOperation: operation });
    handle = await operation.workflowHandle();
    updates.shift();
  } else {
    handle = await client.workflow.start('baselineCase', options);
  }
  for (const signal of baselineSignals(input.steps)) await handle.signal(signal);
  return { handle, updates };
}
