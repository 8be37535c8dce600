/**
 * The latency part: the API's starts and reads against the raw Temporal calls they make, the
 * operations interleaved so each sees the same load.
 */
import { createHash } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { openedUpdate, stateQuery } from '../contract/case';
import type { VerificationInput } from '../contract/inputs';
import { verificationId } from '../domain/ids';
import { WORKFLOW_TYPES } from '../contract/kinds';
import { EnterpriseIdKey, OnboardingKindKey, OnboardingStageKey } from '../domain/search-attributes';
import { applicationFacts, type DocumentRef } from '../domain/verification';
import type { Stack } from '../test/support/stack';
import { uploadVerificationDocuments, verificationApplication, type BenchContext, type BenchEnterprise } from './kinds';
import { log, type Options } from './options';
import { percentile, pool, sleep, timed } from './util';

export interface LatencyRow {
  label: string;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  ratioTo?: string;
  ratioP50?: number;
  ratioP99?: number;
}

/** Enterprises the latency part needs: cases to read (started first, untimed), warm-up, and the timed starts. */
export function latencyEnterprises(o: Options): number {
  return 2 * o.latencyRequests + o.warmup;
}

/** Raw Temporal: what the API starts (same workflow, input, memo and search attributes), under ids of its own. */
function rawStartOptions(stack: Stack, ent: BenchEnterprise, documents: DocumentRef[], suffix: string) {
  const config = stack.config;
  const { kind: _kind, enterpriseId, ...application } = verificationApplication(ent.id, documents);
  const input: VerificationInput = {
    enterpriseId,
    application,
    facts: applicationFacts(application),
    timings: config.timings.verification,
  };
  const id = `${verificationId(enterpriseId)}${suffix}`;
  return {
    workflowId: id,
    taskQueue: config.temporal.taskQueue,
    args: [input] as [VerificationInput],
    memo: {
      kind: 'enterprise-verification',
      enterpriseId,
      requestHash: createHash('sha256').update(id).digest('hex'),
      createdBy: 'bench',
    },
    workflowIdConflictPolicy: 'FAIL' as const,
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    typedSearchAttributes: new TypedSearchAttributes([
      { key: EnterpriseIdKey, value: enterpriseId },
      { key: OnboardingKindKey, value: 'enterprise-verification' },
      { key: OnboardingStageKey, value: 'submitted' },
    ]),
    staticSummary: `enterprise-verification for ${enterpriseId}`,
  };
}

export async function latency(
  o: Options,
  stack: Stack,
  ctx: BenchContext,
  ents: BenchEnterprise[],
): Promise<{ concurrency: number; warmup: number; api: 'process'; interleaved: string[]; rows: LatencyRow[] }> {
  const L = o.latencyRequests;
  const C = o.latencyConcurrency;
  const W = o.warmup;
  const readEnts = ents.slice(0, L);
  const warmEnts = ents.slice(L, L + W);
  const timedEnts = ents.slice(L + W, 2 * L + W);
  log(`latency: uploading documents for ${2 * L + W} cases (untimed)`);
  const docs = new Map<string, DocumentRef[]>();
  await pool(
    ents.length,
    16,
    async (i) => void docs.set(ents[i]!.id, await uploadVerificationDocuments(ctx, ents[i]!)),
  );
  const post = (ent: BenchEnterprise) =>
    ctx.api.expect(202, 'POST', '/v1/onboardings', ent.token, verificationApplication(ent.id, docs.get(ent.id)!));

  // Reads are measured on settled cases (waiting for review, no workflow task pending), as most reads are.
  log(`latency: starting ${L} cases to read (untimed)`);
  await pool(L, C, (i) => post(readEnts[i]!));
  await pool(L, 8, async (i) => {
    for (;;) {
      // The API's read (the case's memo): it answers while the first workflow tasks are still queued.
      const ent = readEnts[i]!;
      const state = await ctx.api.expect<{ stage: string }>(
        200,
        'GET',
        `/v1/onboardings/${verificationId(ent.id)}`,
        ent.token,
      );
      if (state.stage === 'awaiting-review') return;
      await sleep(100);
    }
  });
  await sleep(1_000);

  const rawOptions = (ent: BenchEnterprise, suffix: string) => rawStartOptions(stack, ent, docs.get(ent.id)!, suffix);
  const type = WORKFLOW_TYPES['enterprise-verification'];
  const handleOf = (ent: BenchEnterprise) => stack.client.workflow.getHandle(verificationId(ent.id));
  // Each operation: its label and what it does for the i-th start (`starts`) or read target (`reads`).
  const ops: { label: string; run: (start: BenchEnterprise, read: BenchEnterprise) => Promise<unknown> }[] = [
    { label: 'POST /v1/onboardings', run: (e) => post(e) },
    { label: 'raw client.workflow.start', run: (e) => stack.client.workflow.start(type, rawOptions(e, '-raw')) },
    {
      label: "raw executeUpdateWithStart('opened') (the Temporal call of a POST)",
      run: (e) =>
        stack.client.workflow.executeUpdateWithStart(openedUpdate, {
          startWorkflowOperation: new WithStartWorkflowOperation(type, rawOptions(e, '-uws')),
        }),
    },
    {
      label: 'GET /v1/onboardings/{id}',
      run: (_e, r) => ctx.api.expect(200, 'GET', `/v1/onboardings/${verificationId(r.id)}`, r.token),
    },
    { label: "raw query('state')", run: (_e, r) => handleOf(r).query(stateQuery) },
    // A GET reads the case's memo: one describe, no worker.
    { label: 'raw describe (the Temporal call of a GET)', run: (_e, r) => handleOf(r).describe() },
  ];
  log(`latency: warm-up, ${W} of each operation`);
  await pool(W * ops.length, C, (t) =>
    ops[t % ops.length]!.run(warmEnts[Math.floor(t / ops.length)]!, readEnts[Math.floor(t / ops.length) % L]!),
  );
  // Interleaved: the operations in rotation, so load and server state are the same for each row.
  log(`latency: ${L} of each of ${ops.length} operations, interleaved, concurrency ${C}`);
  const samples = ops.map(() => [] as number[]);
  await pool(L * ops.length, C, async (t) => {
    const k = t % ops.length;
    const i = Math.floor(t / ops.length);
    samples[k]!.push((await timed(() => ops[k]!.run(timedEnts[i]!, readEnts[i]!))).ms);
  });
  const rows: LatencyRow[] = ops.map((op, k) => ({
    label: op.label,
    samples: samples[k]!.length,
    p50Ms: percentile(samples[k]!, 50),
    p99Ms: percentile(samples[k]!, 99),
  }));
  return {
    concurrency: C,
    warmup: W,
    api: 'process',
    interleaved: ops.map((op) => op.label),
    rows: withRatios(rows),
  };
}

/** The rows in the order of the operations, each API row beside the raw calls it makes, with its ratio to them. */
function withRatios(rows: LatencyRow[]): LatencyRow[] {
  const [postRow, rawStart, rawUws, get, rawQuery, rawDescribe] = rows as [
    LatencyRow,
    LatencyRow,
    LatencyRow,
    LatencyRow,
    LatencyRow,
    LatencyRow,
  ];
  const ratio = (row: LatencyRow, to: LatencyRow): LatencyRow => ({
    ...row,
    ratioTo: to.label,
    ratioP50: row.p50Ms / to.p50Ms,
    ratioP99: row.p99Ms / to.p99Ms,
  });
  return [
    ratio(postRow, rawStart),
    ratio(postRow, rawUws),
    rawStart,
    rawUws,
    ratio(get, rawDescribe),
    ratio(get, rawQuery),
    rawDescribe,
    rawQuery,
  ];
}
