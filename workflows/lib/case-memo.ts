/**
 * The case's visible state kept in its memo, so the API reads it from the server alone (no query,
 * no worker). Written at most once per workflow task, after the task's changes, and only when it
 * changed; payloads go through the worker's codec like any other.
 */
import { patched, upsertMemo } from '@temporalio/workflow';
import { CASE_VIEW_MEMO, type CaseView } from '../../contract/case';

/** Cases keep their state in the memo; cases started before this replay without the upserts. */
export const CASE_MEMO_PATCH = 'case-memo';

/** Above this a state is read by query: a memo travels with every describe and list. */
export const MEMO_BUDGET_CHARS = 24_000;

export class ViewMemo {
  private scheduled = false;
  private written: string | undefined;

  constructor(private readonly view: () => Extract<CaseView, { state: object }>) {}

  /** Marks the state changed: written once the current workflow task's own work is done. */
  touch(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    void Promise.resolve().then(() => {
      this.scheduled = false;
      this.write();
    });
  }

  private write(): void {
    if (!patched(CASE_MEMO_PATCH)) return;
    const view = this.view();
    // The report's time changes with every write; what readers see is the rest.
    const { at: _at, ...rest } = view.report;
    const key = JSON.stringify([view.state, rest]);
    if (key === this.written) return;
    this.written = key;
    const value: CaseView = key.length > MEMO_BUDGET_CHARS ? { v: 1, omitted: 'too-large' } : view;
    upsertMemo({ [CASE_VIEW_MEMO]: value });
  }
}
