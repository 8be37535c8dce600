/**
 * What the chaos scenarios share: a stack with its worker in a child process, a driver that
 * onboards an enterprise (verification, then a number purchase) through the API and keeps
 * trying through outages as a client would (same Idempotency-Key), the automatic approver from
 * the bench, and the checks: one charge per purchase, one email per transition.
 */
import { appendFileSync } from 'node:fs';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { AutoApprover } from '../../bench/approver';
import {
  enterpriseVerification,
  numberPurchase,
  numberPurchaseStartBody,
  PDF,
  verificationApplication,
  type BenchContext,
} from '../../bench/kinds';
import { ApiClient, sleep } from '../../bench/util';
import type { Principal } from '../../api/auth';
import { REQUIRED_DOCUMENTS } from '../../domain/verification';
import { instanceFor } from '../support/fixtures';
import {
  completedAttempt,
  runningActivities,
  sandboxRequests,
  startStack,
  startTemporalServer,
  type Stack,
  type TemporalServer,
} from '../support/stack';

export interface ChaosEnterprise {
  id: string;
  token: string;
}

export function chaosEnterprises(
  tag: string,
  count: number,
): { list: ChaosEnterprise[]; tokens: [string, Principal][] } {
  const list = Array.from({ length: count }, (_, i) => ({ id: `ent-chaos-${tag}-${i}`, token: `chaos-${tag}-${i}` }));
  return {
    list,
    tokens: list.map(
      (e) => [e.token, { name: `chaos ${e.id}`, role: 'enterprise', enterpriseId: e.id }] as [string, Principal],
    ),
  };
}

export async function chaosStack(
  server: TemporalServer,
  env: Record<string, string>,
  tokens: [string, Principal][],
  options: { billingTimeoutHoldMs?: number } = {},
): Promise<Stack> {
  return startStack({
    temporalAddress: server.address,
    workflowBundlePath: inject('chaosBundlePath'),
    worker: 'child',
    mail: { headersOnly: true },
    extraTokens: tokens,
    ...options,
    env: {
      LOG_LEVEL: 'error',
      VERIFICATION_REVIEW_SLA: '1d',
      PURCHASE_SCRIPT_REVIEW_SLA: '1d',
      PURCHASE_PAYMENT_POLL: '1h',
      SUBSCRIPTION_PERIOD: '30d',
      ...env,
    },
  });
}

/**
 * The file's run: `count` chaos enterprises, and a Temporal dev server with a chaos stack on it,
 * started before the file's tests and stopped after them.
 */
export function chaosRun(tag: string, count: number): { list: ChaosEnterprise[]; stack: Stack } {
  const { list, tokens } = chaosEnterprises(`${tag}${Date.now().toString(36)}`, count);
  let server: TemporalServer | undefined;
  let stack: Stack | undefined;
  beforeAll(async () => {
    server = await startTemporalServer();
    stack = await chaosStack(server, {}, tokens);
  });
  afterAll(async () => {
    await stack?.stop();
    await server?.stop();
  });
  return {
    list,
    get stack(): Stack {
      if (!stack) throw new Error('the chaos stack starts before the tests');
      return stack;
    },
  };
}

export function context(stack: Stack): BenchContext {
  return { stack, api: new ApiClient(stack.apiUrl), supportToken: stack.tokens.support };
}

export function approver(ctx: BenchContext): AutoApprover {
  return new AutoApprover(ctx, [enterpriseVerification, numberPurchase], { intervalMs: 300 });
}

/** Retries `fn` until it returns, as a client facing an outage would; gives up at the deadline. */
export async function persist<T>(label: string, fn: () => Promise<T>, deadlineMs = 8 * 60_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let wait = 250;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${label}: still failing: ${String(err)}`);
      await sleep(wait);
      wait = Math.min(wait * 2, 3_000);
    }
  }
}

/** Counts what the API answered during a run, to report 5xx seen during outages. */
export class Answers {
  readonly byStatus = new Map<number, number>();
  note(status: number) {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
  }
  get serverErrors(): number {
    return [...this.byStatus].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
  }
}

async function startCase(
  ctx: BenchContext,
  token: string,
  body: unknown,
  key: string,
  answers: Answers,
): Promise<string> {
  return persist(`start ${key}`, async () => {
    const res = await ctx.api.call<{ id: string }>('POST', '/v1/onboardings', token, body, { 'idempotency-key': key });
    answers.note(res.status);
    if (res.status !== 202)
      throw new Error(`POST /v1/onboardings answered ${res.status}: ${JSON.stringify(res.body).slice(0, 200)}`);
    return res.body.id;
  });
}

/** Waits for the case's workflow to close; a failed case resolves with its failure. */
export async function closed(ctx: BenchContext, id: string): Promise<{ status: string; failure?: unknown }> {
  return persist(`result of ${id}`, async () => {
    try {
      await ctx.stack.client.workflow.getHandle(id).result();
      return { status: 'COMPLETED' };
    } catch (err) {
      if (err instanceof WorkflowFailedError) return { status: 'FAILED', failure: err.cause };
      throw err;
    }
  });
}

async function topUp(ctx: BenchContext, enterpriseId: string, amountFen: number): Promise<string> {
  const headers = { authorization: `Bearer ${ctx.stack.config.billing.apiKey}`, 'content-type': 'application/json' };
  const customer = await persist(`customer of ${enterpriseId}`, async () => {
    const res = await fetch(`${ctx.stack.config.billing.url}/v1/customers?enterpriseId=${enterpriseId}`, {
      headers,
      signal: AbortSignal.timeout(5_000),
    });
    if (res.status !== 200) throw new Error(`GET customer: ${res.status}`);
    return ((await res.json()) as { id: string }).id;
  });
  // One key for every attempt: a retried top-up credits once.
  await persist(`top-up ${enterpriseId}`, async () => {
    const res = await fetch(`${ctx.stack.config.billing.url}/v1/customers/${customer}/credits`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': `chaos-top-up-${enterpriseId}` },
      body: JSON.stringify({ amountFen, note: 'chaos top-up' }),
      signal: AbortSignal.timeout(5_000),
    });
    if (res.status !== 201 && res.status !== 200) throw new Error(`top-up: ${res.status}`);
  });
  return customer;
}

export interface Onboarded {
  enterpriseId: string;
  verification: string;
  verificationStatus: string;
  purchase?: string;
  purchaseStatus?: string;
  purchaseFailure?: unknown;
}

/** An enterprise onboarded through the API: its verification, then (optionally) a one-number purchase. */
export async function onboard(
  ctx: BenchContext,
  ent: ChaosEnterprise,
  i: number,
  answers: Answers,
  options: { purchase: boolean },
): Promise<Onboarded> {
  const documents = await Promise.all(
    REQUIRED_DOCUMENTS['legal-representative'].map((kind) =>
      persist(`upload ${kind}`, async () => {
        return ctx.api.upload(ent.token, kind, PDF);
      }),
    ),
  );
  const verification = await startCase(
    ctx,
    ent.token,
    verificationApplication(ent.id, documents),
    `chaos-verification-${ent.id}`,
    answers,
  );
  const v = await closed(ctx, verification);
  const out: Onboarded = { enterpriseId: ent.id, verification, verificationStatus: v.status };
  if (!options.purchase || v.status !== 'COMPLETED') return out;
  await topUp(ctx, ent.id, 1_000_000);
  // Numbers go to a real instance of the enterprise on the contact-center platform.
  const instance = await persist(`instance for ${ent.id}`, () =>
    instanceFor(ctx.stack, ent.id, `chaos center ${ent.id}`),
  );
  const body = numberPurchaseStartBody(ent.id, i, { instanceId: instance.instanceId });
  out.purchase = await startCase(ctx, ent.token, body, `chaos-purchase-${ent.id}`, answers);
  const p = await closed(ctx, out.purchase);
  out.purchaseStatus = p.status;
  out.purchaseFailure = p.failure;
  return out;
}

/** Runs `task(i)` for i in [0, count), at most `concurrency` at once. */
export async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

/** Onboards each enterprise (its verification, then a purchase), `concurrency` at once; `ctx` may differ per enterprise. */
export function onboardAll(
  ctx: BenchContext | ((i: number) => BenchContext),
  enterprises: ChaosEnterprise[],
  answers: Answers,
  options: { concurrency: number; offset?: number },
): Promise<Onboarded[]> {
  const offset = options.offset ?? 0;
  return pool(enterprises.length, options.concurrency, (i) =>
    onboard(typeof ctx === 'function' ? ctx(offset + i) : ctx, enterprises[i]!, offset + i, answers, {
      purchase: true,
    }),
  );
}

export const TRANSITION_EMAILS: Record<string, string[]> = {
  'enterprise-verification': ['verification-submitted', 'verification-approved'],
  'number-purchase': ['purchase-script-review', 'purchase-activated'],
};

export interface EmailCheck {
  expected: number;
  /** Distinct emails (case + event + Message-ID, the Message-ID carrying the round). */
  distinct: number;
  /** As received, repeats included (a repeat has the same Message-ID, so an inbox drops it). */
  received: number;
  repeats: number;
  /** `<case> <event>: <distinct count>` wherever a transition has other than one email. */
  wrong: string[];
}

/** One email per transition, by the dedup key X-Onboarding-Case + X-Onboarding-Event + round (Message-ID). */
export function checkEmails(stack: Stack, cases: { id: string; kind: string }[]): EmailCheck {
  const wrong: string[] = [];
  let expected = 0;
  let distinct = 0;
  let received = 0;
  for (const c of cases) {
    const mails = stack.mail.forCase(c.id);
    received += mails.length;
    const keys = new Set(mails.map((m) => `${m.event}|${m.messageId}`));
    distinct += keys.size;
    for (const event of TRANSITION_EMAILS[c.kind] ?? []) {
      expected++;
      const n = [...keys].filter((k) => k.startsWith(`${event}|`)).length;
      if (n !== 1) wrong.push(`${c.id} ${event}: ${n}`);
    }
    const unexpected = [...keys].filter((k) => !(TRANSITION_EMAILS[c.kind] ?? []).includes(k.split('|')[0]!));
    for (const k of unexpected) wrong.push(`${c.id} unexpected ${k}`);
  }
  return { expected, distinct, received, repeats: received - distinct, wrong };
}

export interface ChargeCheck {
  purchases: number;
  /** Purchases whose charge was performed other than once (a 2xx that was not an idempotent replay). */
  wrong: string[];
  chargeAttempts: number;
  debits: number;
}

/** Exactly one charge per purchase: in the billing sandbox's request log and in its ledger. */
export async function checkCharges(stack: Stack, purchases: { id: string; orderId: string }[]): Promise<ChargeCheck> {
  const log = await sandboxRequests(stack, { method: 'POST' });
  const charges = log.filter((r) => /^\/v1\/orders\/[^/]+\/charge$/.test(r.path));
  const wrong: string[] = [];
  const ledger = Object.values(stack.billing.store.data.ledgerEntries);
  let debits = 0;
  for (const p of purchases) {
    const performed = charges.filter(
      (r) => r.idempotencyKey?.includes(p.id) && r.status !== null && r.status < 300 && !r.replayed,
    ).length;
    const debited = ledger.filter((e) => e.type === 'debit' && e.orderId === p.orderId).length;
    debits += debited;
    if (performed !== 1 || debited !== 1) wrong.push(`${p.id}: ${performed} charge(s) performed, ${debited} debit(s)`);
  }
  return {
    purchases: purchases.length,
    wrong,
    chargeAttempts: charges.filter((r) => purchases.some((p) => r.idempotencyKey?.includes(p.id))).length,
    debits,
  };
}

/**
 * What every onboarding run under a fault must end with: each verification and purchase completed,
 * each purchase charged once, and each transition emailed once (a second delivery fails the run).
 */
export async function checkOnboarded(
  stack: Stack,
  onboarded: Onboarded[],
): Promise<{ charges: ChargeCheck; emails: EmailCheck; figures: string[] }> {
  const notCompleted = onboarded.filter(
    (o) => o.verificationStatus !== 'COMPLETED' || o.purchaseStatus !== 'COMPLETED',
  );
  expect(notCompleted).toEqual([]);
  const purchases = await Promise.all(
    onboarded.map(async (o) => ({
      id: o.purchase!,
      orderId: ((await stack.client.workflow.getHandle(o.purchase!).result()) as { orderId: string }).orderId,
    })),
  );
  const charges = await checkCharges(stack, purchases);
  expect(charges.wrong).toEqual([]);
  const emails = checkEmails(stack, [
    ...onboarded.map((o) => ({ id: o.verification, kind: 'enterprise-verification' })),
    ...purchases.map((p) => ({ id: p.id, kind: 'number-purchase' })),
  ]);
  expect(emails.wrong).toEqual([]);
  // Exactly one delivery per transition: a second delivery of the same message fails the run.
  expect(emails.repeats).toBe(0);
  const figures = [
    `charges: ${charges.debits} debits for ${charges.purchases} purchases from ${charges.chargeAttempts} charge requests (a repeated one answered from its idempotency record)`,
    `emails: ${emails.distinct} distinct for ${emails.expected} transitions, ${emails.repeats} repeated deliveries (same Message-ID)`,
  ];
  return { charges, emails, figures };
}

export interface ScenarioResult {
  name: string;
  outcome: string;
  figures: string;
}

export function record(result: ScenarioResult): void {
  appendFileSync(inject('chaosResultsFile'), `${JSON.stringify(result)}\n`);
  console.log(`[chaos] ${result.name}: ${result.outcome} — ${result.figures}`);
}

/** Records the scenario's result whether it passes or not. */
export async function scenario(name: string, body: () => Promise<string>): Promise<void> {
  const began = Date.now();
  try {
    const figures = await body();
    record({ name, outcome: 'passed', figures: `${figures}; ${Math.round((Date.now() - began) / 1000)} s` });
  } catch (err) {
    record({
      name,
      outcome: 'FAILED',
      figures: `${String(err).slice(0, 400)}; ${Math.round((Date.now() - began) / 1000)} s`,
    });
    throw err;
  }
}

/**
 * A count from the environment that must be at least 1: a chaos run with no kill, restart or
 * enterprise would pass without testing anything, so it is refused instead.
 */
export function atLeastOne(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(
      `${name}=${raw} is refused: a chaos run needs at least 1 (it would otherwise pass without its fault)`,
    );
  }
  return n;
}

/** The run's cases still running, by the visibility query. */
export async function runningCases(stack: Stack): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of stack.client.workflow.list({
    query: `TaskQueue = '${stack.config.temporal.taskQueue}' AND ExecutionStatus = 'Running'`,
  }))
    ids.push(wf.workflowId);
  return ids;
}

export interface HeldActivity {
  workflowId: string;
  activityType: string;
  attempt: number;
}

/**
 * Waits until some running case has an activity of one of these types started on a worker (at
 * most `timeoutMs`), so the kill that follows lands on one; false when none came.
 */
export async function untilActivityRuns(stack: Stack, types: string[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const id of await runningCases(stack)) {
      const running = await runningActivities(stack.client, id).catch(() => []);
      if (running.some((a) => types.includes(a.activityType))) return true;
    }
    await sleep(100);
  }
  return false;
}

/**
 * SIGKILLs the stack's worker process and returns the activities it held. After the kill the
 * server still shows them started by that worker's identity (`<pid>@host`) until their timeout,
 * so these are exactly the attempts the kill interrupted.
 */
export async function killWorkerHolding(stack: Stack): Promise<HeldActivity[]> {
  const pid = stack.workerProcess?.pid;
  if (!pid) throw new Error('the worker runs in no child process to kill');
  await stack.stopWorker('SIGKILL');
  const held: HeldActivity[] = [];
  for (const id of await runningCases(stack)) {
    for (const a of await runningActivities(stack.client, id).catch(() => [])) {
      if (a.workerIdentity.startsWith(`${pid}@`))
        held.push({ workflowId: id, activityType: a.activityType, attempt: a.attempt });
    }
  }
  return held;
}

/** The interrupted activities that then completed, with the attempt that completed each (2 or more: a retry). */
export async function completedAfterKill(
  stack: Stack,
  held: HeldActivity[],
): Promise<(HeldActivity & { completedAttempt: number })[]> {
  return Promise.all(
    held.map(async (a) => ({
      ...a,
      completedAttempt: await completedAttempt(stack.client, a.workflowId, a.activityType).catch(() => 0),
    })),
  );
}

/** What a fault running alongside the onboardings is told: seconds since they began, and whether they are through. */
export interface FaultClock {
  elapsed(): number;
  done(): boolean;
}

export interface FaultRun<F> {
  onboarded: Onboarded[];
  /** What the fault alongside returned. */
  fault: F;
  answers: Answers;
  seconds: number;
  approverErrors: number;
}

/**
 * Onboards (`onboardAll`) with the automatic approver on and billing's faults switched to
 * `billing` (switched back once the onboardings are through), while `alongside` runs the fault
 * that lands meanwhile; resolves when both have ended.
 */
export async function underFault<F = undefined>(
  stack: Stack,
  run: {
    billing: Parameters<Stack['billing']['setFaults']>[0];
    onboardAll: (ctx: BenchContext, answers: Answers) => Promise<Onboarded[]>;
    alongside?: (clock: FaultClock) => Promise<F>;
  },
): Promise<FaultRun<F>> {
  const ctx = context(stack);
  const auto = approver(ctx);
  auto.start();
  const before = stack.billing.setFaults({});
  stack.billing.setFaults(run.billing);
  const answers = new Answers();
  let finished = false;
  const began = Date.now();
  const clock: FaultClock = { elapsed: () => Math.round((Date.now() - began) / 1000), done: () => finished };
  const alongside = run.alongside?.(clock);
  const onboarded = await run.onboardAll(ctx, answers);
  finished = true;
  stack.billing.setFaults(before);
  const fault = (await alongside) as F;
  await auto.stop();
  return { onboarded, fault, answers, seconds: clock.elapsed(), approverErrors: auto.counts.errors };
}

export interface WorkerKill {
  /** Seconds into the run. */
  at: number;
  /** The running activities the kill interrupted. */
  held: HeldActivity[];
  /** Cases running when it landed. */
  cases: number;
}

/**
 * SIGKILLs the stack's worker `kills` times (the first after `firstAfterMs`, then every
 * `everyMs`), each at a moment a billing charge is in flight, and starts it again 1.5 s later;
 * stops early once the onboardings are through.
 */
export async function killWorkerRepeatedly(
  stack: Stack,
  options: { kills: number; everyMs: number; firstAfterMs: number },
  clock: FaultClock,
): Promise<WorkerKill[]> {
  const kills: WorkerKill[] = [];
  await sleep(options.firstAfterMs);
  for (let k = 0; k < options.kills && !clock.done(); k++) {
    await untilActivityRuns(stack, ['chargeOrder'], 30_000);
    const held = await killWorkerHolding(stack);
    const cases = (await runningCases(stack)).length;
    kills.push({ at: clock.elapsed(), held, cases });
    await sleep(1_500);
    await stack.startWorker();
    if (k + 1 < options.kills) await sleep(options.everyMs);
  }
  return kills;
}

/**
 * Proves the kills landed: all `expected` of them happened, each interrupted running activities
 * (not an idle worker), and some interrupted activity completed on a later attempt (a retry).
 */
export async function expectKillsLanded(
  stack: Stack,
  kills: WorkerKill[],
  expected: number,
): Promise<{ completed: (HeldActivity & { completedAttempt: number })[]; retried: HeldActivity[] }> {
  expect(kills.length).toBe(expected);
  // Each kill landed on running work, not on an idle worker.
  expect(kills.map((k) => k.held.length).filter((n) => n === 0)).toEqual([]);
  const completed = await completedAfterKill(
    stack,
    kills.flatMap((k) => k.held),
  );
  const retried = completed.filter((a) => a.completedAttempt >= 2);
  // The interrupted attempts were retried to completion.
  expect(retried.length).toBeGreaterThan(0);
  return { completed, retried };
}

export function describeKills(kills: WorkerKill[]): string {
  return kills
    .map(
      (k) =>
        `${k.at} s (${k.cases} cases running, ${k.held.length} activities interrupted: ${[
          ...new Set(k.held.map((a) => a.activityType)),
        ].join(', ')})`,
    )
    .join(', ');
}

/**
 * The worker killed with SIGKILL `kills` times while the enterprises onboard (a verification and a
 * purchase each), each kill aimed at a moment a billing charge is in
 * flight. Proves every fault landed: each kill interrupted at least one running activity, some
 * interrupted activity completed on a later attempt, and billing saw more charge requests than
 * purchases (the retried charge answered from its idempotency record); then every case completed,
 * with one charge per purchase and one email per transition.
 */
export async function workerKillRun(
  stack: Stack,
  enterprises: ChaosEnterprise[],
  options: { kills: number; killEveryMs: number; concurrency: number },
): Promise<string> {
  // Slower billing keeps activities in flight when the kills land.
  const { onboarded, fault, answers, seconds } = await underFault(stack, {
    billing: { latencyMs: 300 },
    onboardAll: (ctx, answers) => onboardAll(ctx, enterprises, answers, { concurrency: options.concurrency }),
    alongside: (clock) =>
      killWorkerRepeatedly(stack, { kills: options.kills, everyMs: options.killEveryMs, firstAfterMs: 3_000 }, clock),
  });
  const { completed, retried } = await expectKillsLanded(stack, fault, options.kills);
  const { charges, figures } = await checkOnboarded(stack, onboarded);
  // A charge was among the retried attempts: billing saw it again and answered from its idempotency record.
  expect(charges.chargeAttempts).toBeGreaterThan(charges.purchases);
  return [
    `${onboarded.length * 2}/${enterprises.length * 2} completed in ${seconds} s`,
    `killed at ${describeKills(fault)}`,
    `${retried.length}/${completed.length} interrupted activities completed on a later attempt (up to attempt ${Math.max(...completed.map((a) => a.completedAttempt))})`,
    ...figures,
    `API 5xx: ${answers.serverErrors}`,
  ].join('; ');
}

/**
 * The Temporal server taken down (`down`) 8 s into the onboardings and brought back (`up`)
 * `downMs` later. Proves the fault landed: the server went down under open cases, not after the
 * run, and came back; then every case completed, with one charge per purchase and one email per
 * transition.
 */
export async function serverRestartRun(
  stack: Stack,
  run: {
    cases: number;
    downMs: number;
    down: () => Promise<void>;
    up: () => Promise<void>;
    onboardAll: (ctx: BenchContext, answers: Answers) => Promise<Onboarded[]>;
  },
): Promise<string> {
  const { onboarded, fault, answers, seconds, approverErrors } = await underFault(stack, {
    billing: { latencyMs: 200 },
    onboardAll: run.onboardAll,
    alongside: async (clock) => {
      await sleep(8_000);
      const running = (await runningCases(stack)).length;
      await run.down();
      await sleep(run.downMs);
      await run.up();
      return { running, upAt: clock.elapsed() };
    },
  });
  // The server went down under open cases, not after the run.
  expect(fault.running).toBeGreaterThan(0);
  const { figures } = await checkOnboarded(stack, onboarded);
  return [
    `${onboarded.length * 2}/${run.cases} completed in ${seconds} s (the last ${seconds - fault.upAt} s after the restart; ${fault.running} cases running when the server went down)`,
    ...figures,
    `5xx answers to starts: ${answers.serverErrors} (a client retries with the same Idempotency-Key); approver request errors: ${approverErrors}`,
  ].join('; ');
}
