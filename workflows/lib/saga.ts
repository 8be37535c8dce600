/**
 * Compensations: what to undo, registered BEFORE the step it undoes (so a step that fails or is
 * cancelled half-way is undone too), run in reverse on failure or cancel. Every undo must be
 * idempotent and harmless when there is nothing to undo. Each runs outside cancellation and is
 * recorded in the case's steps.
 */
import { CancellationScope } from '@temporalio/workflow';
import type { CaseLog } from './notify';

interface Undo {
  name: string;
  run: () => Promise<unknown>;
  retired: boolean;
}

export class Compensations {
  private readonly undos: Undo[] = [];

  constructor(private readonly kase: CaseLog) {}

  /**
   * Registers an undo before its step runs; `retire()` drops it when the case no longer wants it
   * undone. The undo may return a line saying what it did (shown in the step).
   */
  add(name: string, run: () => Promise<unknown>): { retire(): void } {
    const undo: Undo = { name, run, retired: false };
    this.undos.push(undo);
    return {
      retire: () => {
        undo.retired = true;
      },
    };
  }

  /** The case's work now belongs elsewhere (e.g. a subscription): nothing registered so far is undone. */
  retireAll(): void {
    for (const undo of this.undos) undo.retired = true;
  }

  /** Runs every live undo, newest first; returns what was undone. A failed undo is recorded, not fatal. */
  async run(): Promise<string[]> {
    const undone: string[] = [];
    await CancellationScope.nonCancellable(async () => {
      for (const undo of [...this.undos].reverse()) {
        if (undo.retired) continue;
        try {
          const what = await undo.run();
          this.kase.step(`compensation: ${undo.name}`, 'done', typeof what === 'string' ? what : undefined);
          undone.push(undo.name);
        } catch (err) {
          this.kase.step(`compensation: ${undo.name}`, 'failed', err instanceof Error ? err.message : String(err));
        }
      }
    });
    return undone;
  }
}
