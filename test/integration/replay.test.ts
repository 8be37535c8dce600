import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { payloadKeyListSchema } from '../../config';
import { EncryptionCodec, productDataConverter } from '../../config/payload-encryption';
import { recordedHistories } from '../support/histories';
import { TEST_PAYLOAD_KEYS } from '../support/stack';

// Histories recorded before payload encryption are plain; later ones are encrypted with the suite's key.
const dataConverter = productDataConverter(new EncryptionCodec(payloadKeyListSchema.parse(TEST_PAYLOAD_KEYS)));
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

describe('workflow histories recorded from the suite replay against the current code', () => {
  it('replays every recorded history cleanly', async () => {
    const histories = await recordedHistories();
    expect(histories.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });

  it('fails when a workflow changes its command sequence without patched', async () => {
    const [first] = (await recordedHistories()).filter((h) => h.name.startsWith('enterprise-verification'));
    expect(first).toBeDefined();
    const changed = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, '..', 'support', 'changed-workflows.ts'),
      logger: quiet,
    });
    await expect(
      Worker.runReplayHistory({ workflowBundle: changed }, first!.history, first!.workflowId),
    ).rejects.toThrow(DeterminismViolationError);
  });
});
