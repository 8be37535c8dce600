import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import * as workflows from '../../workflows';
import {
  patchMarkers,
  recordedHistories,
  REPLAY_DIR,
  replayDataConverter,
  scheduledActivities,
} from '../support/histories';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

describe('workflow histories recorded from the suite replay against the current code', () => {
  it('replays every recorded history cleanly', async () => {
    const histories = await recordedHistories();
    expect(histories.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: replayDataConverter },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });

  it('covers every kind, and the failure and cancel endings that compensate, with recorded runs', async () => {
    const histories = await recordedHistories();
    const typeOf = (h: (typeof histories)[number]) =>
      h.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
    expect(new Set(histories.map(typeOf))).toEqual(new Set(Object.keys(workflows)));
    // The exported JSON names each event's type.
    const closedAs = (name: string) =>
      (
        JSON.parse(readFileSync(path.join(REPLAY_DIR, `${name}.json`), 'utf8')) as {
          events: { eventType: string }[];
        }
      ).events.at(-1)!.eventType;
    expect(
      [
        'contact-center-instance-admin-mailbox-refused-withdrawn',
        'number-purchase-activation-failed-compensated',
        'number-recovery-operator-cancelled-refused',
        'enterprise-verification-resubmission-expired',
      ].map(closedAs),
    ).toEqual(Array(4).fill('EVENT_TYPE_WORKFLOW_EXECUTION_FAILED'));
    expect(
      [
        'enterprise-onboarding-cancelled-while-verifying',
        'sip-trunk-cancelled-allowlist-removed-with-own-numbers-held',
      ].map(closedAs),
    ).toEqual(Array(2).fill('EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED'));
    // The compensations ran in those histories: the withdrawal, the purchase's undo, the allowlist removal.
    const ran = (name: string) => scheduledActivities(histories.find((h) => h.name === name)!.history);
    expect(ran('contact-center-instance-admin-mailbox-refused-withdrawn')).toContain('platformWithdrawInstance');
    expect(ran('sip-trunk-cancelled-allowlist-removed-with-own-numbers-held')).toEqual(
      expect.arrayContaining(['disallowGateway', 'releaseOwnNumbers']),
    );
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
      Worker.runReplayHistory(
        { workflowBundle: changed, dataConverter: replayDataConverter },
        first!.history,
        first!.workflowId,
      ),
    ).rejects.toThrow(DeterminismViolationError);
  });
});
