/**
 * Compensations: what to undo, pushed as each step succeeds, run in reverse on failure or cancel.
 * Each runs outside cancellation and is recorded in the case's steps.
 */
import { CancellationScope } from '@temporalio/workflow';
import type { OnboardingCase } from './case';

interface Undo {
  name: string;
  run: () => Promise<unknown>;
  retired: boolean;
}

export class Compensations {
  private readonly undos: Undo[] = [];

  constructor(private readonly kase: OnboardingCase) {}

  /** Registers an undo; `retire()` drops it when a later undo supersedes it. */
  add(name: string, run: () => Promise<unknown>): { retire(): void } {
    const undo: Undo = { name, run, retired: false };
    this.undos.push(undo);
    return {
      retire: () => {
        undo.retired = true;
      },
    };
  }

  /** Runs every live undo, newest first; returns what was undone. A failed undo is recorded, not fatal. */
  async run(): Promise<string[]> {
    const undone: string[] = [];
    await CancellationScope.nonCancellable(async () => {
      for (const undo of [...this.undos].reverse()) {
        if (undo.retired) continue;
        try {
          await undo.run();
          this.kase.step(`compensation: ${undo.name}`, 'done');
          undone.push(undo.name);
        } catch (err) {
          this.kase.step(`compensation: ${undo.name}`, 'failed', err instanceof Error ? err.message : String(err));
        }
      }
    });
    return undone;
  }
}
