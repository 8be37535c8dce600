import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { payloadKeyListSchema } from '../../config';
import { EncryptionCodec, productDataConverter } from '../../config/payload-encryption';
import { TEST_PAYLOAD_KEYS } from '../support/stack';
import { patchMarkers, recordedHistories, scheduledActivities } from '../support/histories';

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

  it('holds the SIP kinds in every version an open case may be in: before the own-number hold, held without a marker, held with it', async () => {
    const histories = await recordedHistories();
    for (const kind of ['sip-trunk', 'sip-registration']) {
      const versions = new Set(
        histories
          .filter((h) => h.name.startsWith(kind))
          .map((h) =>
            !scheduledActivities(h.history).includes('holdOwnNumbers')
              ? 'no hold'
              : patchMarkers(h.history).includes('own-numbers-held')
                ? 'hold, marker'
                : 'hold, no marker',
          ),
      );
      expect([kind, ...[...versions].sort()]).toEqual([kind, 'hold, marker', 'hold, no marker', 'no hold']);
    }
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
