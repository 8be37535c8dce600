/**
 * Deploying changed workflow code while cases are open: the rule in the README ("Changing a
 * workflow"). Cases of a real kind (enterprise verification) start on the current code and wait
 * for review; the worker is then replaced by one running a changed verification workflow (a new
 * pre-check as the case reaches review). Guarded by `patched`, the open cases finish on the path
 * they started on and new cases take the new step; unguarded, the same change breaks an open
 * case with a non-determinism error on its next workflow task.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { handlesOf } from '../../contract/actions';
import { verificationId } from '../../domain/ids';
import { createWorker } from '../../worker/worker';
import { legalRepApplication } from '../support/fixtures';
import { caseApi, caseWhen, eventually, startHarness, type Harness } from '../support/harness';
import { recordedHistories, replayDataConverter } from '../support/histories';
import { changedVerificationBundle, NEW_STEP, PATCH_ID } from '../support/changed-bundle';

type Events = temporal.api.history.v1.IHistoryEvent[];

async function historyOf(client: Client, id: string): Promise<Events> {
  return (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
}

const activityTypes = (events: Events) =>
  events.flatMap((e) =>
    e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : [],
  );
/** A patch marker's details as text (the patch id is JSON in one of its payloads). */
const markerText = (e: temporal.api.history.v1.IHistoryEvent) =>
  Object.values(e.markerRecordedEventAttributes?.details ?? {})
    .flatMap((d) => d.payloads ?? [])
    .map((p) => Buffer.from(p.data ?? []).toString())
    .join(' ');
/** The markers of the change deployed here (the product's own patches mark every case too). */
const patchMarkers = (events: Events) =>
  events.filter(
    (e) => e.markerRecordedEventAttributes?.markerName === 'core_patch' && markerText(e).includes(`"${PATCH_ID}"`),
  );
const failedTasks = (events: Events) =>
  events.flatMap((e) => (e.workflowTaskFailedEventAttributes ? [e.workflowTaskFailedEventAttributes] : []));

/** Nothing in flight: no workflow task or activity pending, so a new worker starts from history alone. */
async function settled(client: Client, id: string): Promise<void> {
  await eventually(
    async () => {
      const { raw } = await client.workflow.getHandle(id).describe();
      return !raw.pendingWorkflowTask && (raw.pendingActivities ?? []).length === 0;
    },
    20_000,
    `${id} settled`,
  );
}

let h: Harness;
let dir: string;
let patchedCode: string;
let unpatchedCode: string;
let deprecatedCode: string;
let removedCode: string;
let connection: NativeConnection;
let activities: object;
const running = new Set<() => Promise<void>>();
const entC = { id: `ent-c-${randomUUID().slice(0, 8)}`, token: `entc-${randomUUID()}` };
/** Enterprises of the retirement: one case per version of the change. */
const later = ['d', 'e', 'f', 'g'].map((x) => ({
  id: `ent-${x}-${randomUUID().slice(0, 8)}`,
  token: `ent${x}-${randomUUID()}`,
}));

beforeAll(async () => {
  h = await startHarness(
    {},
    {
      worker: 'none',
      extraTokens: [entC, ...later].map(
        (e) => [e.token, { name: `enterprise ${e.id}`, role: 'enterprise', enterpriseId: e.id }] as const,
      ),
    },
  );
  dir = await mkdtemp(path.join(os.tmpdir(), 'onboarding-deploy-'));
  patchedCode = await changedVerificationBundle(dir, 'patched');
  unpatchedCode = await changedVerificationBundle(dir, 'unguarded');
  deprecatedCode = await changedVerificationBundle(dir, 'deprecated');
  removedCode = await changedVerificationBundle(dir, 'removed');
  connection = await NativeConnection.connect({ address: h.config.temporal.address });
  activities = createActivities(h.config, { sipGateway: h.sipGateway });
});
afterAll(async () => {
  for (const stop of running) await stop();
  await connection?.close();
  await h?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** One deploy: a worker on the stack's task queue with this workflow code; returns its stop. */
async function deploy(workflowBundle: WorkerOptions['workflowBundle']): Promise<() => Promise<void>> {
  const worker = await createWorker({ config: h.config, connection, workflowBundle, activities });
  const run = worker.run();
  const stop = async () => {
    running.delete(stop);
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await run;
  };
  running.add(stop);
  return stop;
}

const { start, act } = caseApi(() => h);

async function startVerification(enterpriseId: string, token: string): Promise<string> {
  const id = await start(await legalRepApplication(h, enterpriseId, token), token);
  expect(id).toBe(verificationId(enterpriseId));
  await caseWhen(
    h,
    id,
    (c) => c.stage === 'awaiting-review' && c.awaiting.some((a) => a.action === 'approve'),
    `${id} awaiting review`,
  );
  return id;
}

async function approve(id: string): Promise<void> {
  await act(id, 'approve', h.tokens.support, { note: 'documents in order' });
}

describe('a workflow change deployed while cases are open', () => {
  it('keeps open cases on their path with patched, sends new ones down the new step, and breaks without it', async () => {
    // Version 1: the current code. Two cases reach review and wait there.
    const stopCurrent = await deploy({ codePath: inject('workflowBundlePath') });
    const openPatched = await startVerification(h.enterprises.a, h.tokens.entA);
    const openUnpatched = await startVerification(entC.id, entC.token);
    await settled(h.client, openPatched);
    await settled(h.client, openUnpatched);
    await stopCurrent();

    // A deploy of the change without patched: the next task of an open case replays its
    // history, which has no pre-check where the new code schedules one.
    const stopUnpatched = await deploy({ code: unpatchedCode });
    await h.client.workflow.getHandle(openUnpatched).signal(handlesOf('enterprise-verification', 'approve').signal, {
      actor: { role: 'support', name: 'ops' },
      payload: { note: 'documents in order' },
    });
    const [failure] = await eventually(
      async () => {
        const failed = failedTasks(await historyOf(h.client, openUnpatched));
        return failed.length > 0 ? failed : undefined;
      },
      20_000,
      'a failed workflow task',
    );
    expect(failure!.cause).toBe(
      temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR,
    );
    expect(failure!.failure?.message).toMatch(/nondetermin/i);
    // The case is stuck, not moved on: still awaiting review, its approval unprocessed.
    const stuck = await h.client.workflow.getHandle(openUnpatched).describe();
    expect(stuck.status.name).toBe('RUNNING');
    expect(activityTypes(await historyOf(h.client, openUnpatched))).not.toContain('ensureBillingCustomer');
    await stopUnpatched();

    // The same change guarded by patched, deployed the same way.
    const stopPatched = await deploy({ code: patchedCode });

    // The open case finishes on the path it started on: no new step, no marker, no failed task.
    await approve(openPatched);
    const done = await caseWhen(h, openPatched, (c) => c.status === 'completed', 'open case completed');
    expect(done.steps.map((s) => s.name)).not.toContain(NEW_STEP);
    const oldPath = await historyOf(h.client, openPatched);
    expect(activityTypes(oldPath)).not.toContain('precheckApplication');
    expect(activityTypes(oldPath)).toContain('ensureBillingCustomer');
    expect(patchMarkers(oldPath)).toEqual([]);
    expect(failedTasks(oldPath)).toEqual([]);

    // The case the unguarded deploy broke resumes on the guarded one: its retried task replays
    // cleanly and takes the approval it was sent.
    await caseWhen(h, openUnpatched, (c) => c.status === 'completed', 'stuck case recovered', 45_000);
    expect(activityTypes(await historyOf(h.client, openUnpatched))).not.toContain('precheckApplication');

    // A case started after the deploy takes the new step, and records that it did.
    const fresh = await startVerification(h.enterprises.b, h.tokens.entB);
    await approve(fresh);
    const freshDone = await caseWhen(h, fresh, (c) => c.status === 'completed', 'new case completed');
    expect(freshDone.steps.map((s) => s.name)).toContain(NEW_STEP);
    const newPath = await historyOf(h.client, fresh);
    expect(activityTypes(newPath).filter((t) => t === 'precheckApplication')).toHaveLength(1);
    const markers = patchMarkers(newPath);
    expect(markers).toHaveLength(1);
    expect(markerText(markers[0]!)).toContain(`"${PATCH_ID}"`);
    expect(failedTasks(newPath)).toEqual([]);
    await stopPatched();
  });

  it('replays every recorded history against the changed code', async () => {
    const histories = await recordedHistories();
    expect(histories.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { code: patchedCode }, dataConverter: replayDataConverter },
      histories,
    )) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    // The unguarded change is caught by the same replay: a recorded verification no longer replays.
    const verification = histories.filter((x) => x.name.startsWith('enterprise-verification'));
    expect(verification.length).toBeGreaterThan(0);
    const broken: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { code: unpatchedCode }, dataConverter: replayDataConverter },
      verification.map(({ workflowId, history }) => ({ workflowId, history })),
    )) {
      if (result.error) broken.push(result.workflowId);
    }
    expect(broken).toHaveLength(verification.length);
  });
});

describe('retiring the patch, in two deploys', () => {
  /** Open verifications on this stack's queue that started before `at`: the README's operator query. */
  async function openStartedBefore(at: number): Promise<number> {
    const query =
      `WorkflowType = 'enterpriseVerification' AND ExecutionStatus = 'Running' AND ` +
      `StartTime < '${new Date(at).toISOString()}' AND TaskQueue = '${h.config.temporal.taskQueue}'`;
    return (await h.client.workflow.count(query)).count;
  }
  async function completes(id: string): Promise<Events> {
    await approve(id);
    await caseWhen(h, id, (c) => c.status === 'completed', `${id} completed`);
    const events = await historyOf(h.client, id);
    expect(failedTasks(events)).toEqual([]);
    return events;
  }
  async function replays(code: string, ids: string[]): Promise<string[]> {
    const histories = await Promise.all(
      ids.map(async (workflowId) => ({
        workflowId,
        history: await h.client.workflow.getHandle(workflowId).fetchHistory(),
      })),
    );
    const failed: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { code }, dataConverter: replayDataConverter },
      histories,
    )) {
      if (result.error) failed.push(result.workflowId);
    }
    return failed.sort();
  }
  const deprecated = (e: temporal.api.history.v1.IHistoryEvent) => /"deprecated":\s*true/.test(markerText(e));

  it('deprecatePatch once the visibility query finds no open case from before the patch, then removal once none from before the deprecation', async () => {
    const [d, e, f, g] = later;
    const pause = () => new Promise((r) => setTimeout(r, 1_000));
    let stop: () => Promise<void>;
    /** Replaces the running deploy with `code`; returns an instant a second clear of both, the query's bound. */
    async function redeploy(code: string): Promise<number> {
      await stop();
      await pause();
      const at = Date.now();
      await pause();
      stop = await deploy({ code });
      return at;
    }
    /** A case of `enterprise` on the running deploy, at review with nothing in flight. */
    async function settledCase(enterprise: { id: string; token: string }): Promise<string> {
      const id = await startVerification(enterprise.id, enterprise.token);
      await settled(h.client, id);
      return id;
    }

    // An old case on the code before the change, then the patched deploy and a case on it.
    stop = await deploy({ codePath: inject('workflowBundlePath') });
    const old = await settledCase(e!);
    const patchDeployedAt = await redeploy(patchedCode);
    const marked = await settledCase(d!);

    // Not yet: the query finds the old case, and the deprecated code could not replay it.
    expect(await openStartedBefore(patchDeployedAt)).toBe(1);
    expect(await replays(deprecatedCode, [old, marked])).toEqual([old]);
    const oldPath = await completes(old);
    expect(activityTypes(oldPath)).not.toContain('precheckApplication');
    expect(await openStartedBefore(patchDeployedAt)).toBe(0);

    // First deploy: deprecatePatch, the old branch deleted. A case with the marker goes on.
    const deprecatedAt = await redeploy(deprecatedCode);
    const deprecating = await settledCase(f!);
    const deprecatingPath = await historyOf(h.client, deprecating);
    expect(activityTypes(deprecatingPath)).toContain('precheckApplication');
    expect(patchMarkers(deprecatingPath).filter(deprecated)).toHaveLength(1);

    // Not yet removable: the case from the patched deploy is open, and its marker is not a
    // deprecated one, so code without the patch call could not replay it.
    expect(await openStartedBefore(deprecatedAt)).toBe(1);
    expect(await replays(removedCode, [marked])).toEqual([marked]);
    const markedPath = await completes(marked);
    expect(activityTypes(markedPath).filter((t) => t === 'precheckApplication')).toHaveLength(1);
    expect(await openStartedBefore(deprecatedAt)).toBe(0);

    // Second deploy: the patch call removed. The case from the deprecation deploy goes on, and a
    // new case takes the step with no marker at all.
    await redeploy(removedCode);
    await completes(deprecating);
    const fresh = await startVerification(g!.id, g!.token);
    const freshPath = await completes(fresh);
    expect(activityTypes(freshPath).filter((t) => t === 'precheckApplication')).toHaveLength(1);
    expect(patchMarkers(freshPath)).toEqual([]);
    await stop();

    // The histories that must still replay do: the deprecated code replays every case since the
    // patch, the removed code every case since the deprecation. The others are what the two
    // queries ruled out before each deploy.
    expect(await replays(deprecatedCode, [marked, deprecating, fresh])).toEqual([]);
    expect(await replays(removedCode, [deprecating, fresh])).toEqual([]);
    expect(await replays(removedCode, [old, marked])).toEqual([old, marked].sort());
    // So do the recorded histories of every other kind; the recorded verifications predate the
    // patch, so retiring it for real would list them in the README's Retired patches.
    const recorded = await recordedHistories();
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { code: removedCode }, dataConverter: replayDataConverter },
      recorded,
    )) {
      if (result.error) failures.push(result.workflowId);
    }
    const verifications = recorded.filter((x) => x.name.startsWith('enterprise-verification')).map((x) => x.workflowId);
    expect(verifications.length).toBeGreaterThan(0);
    expect(failures.sort()).toEqual([...verifications].sort());
  });
});
