/**
 * One driver per onboarding kind: how the bench starts a case through the HTTP API, what support
 * does at each stage where the case waits on support (the auto-approver's part), and what a case
 * needs first. `drive` takes one case from start to its end.
 *
 * To bench another kind, write a `KindDriver` and add it to `KIND_DRIVERS`;
 * `npm run bench -- --kinds <kind>` then drives it in the throughput and history parts.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { verificationId } from '../domain/ids';
import type { OnboardingKind } from '../contract/kinds';
import { REQUIRED_DOCUMENTS, type DocumentRef } from '../domain/verification';
import { testCall } from '../sip/test-call';
import { PDF, instanceFor, verificationApplication, type TestInstance } from '../test/support/fixtures';
import { startTestSbc } from '../test/support/sbc';
import { startSippServer } from '../test/support/sipp';
import { billingCall, eventually, type Stack } from '../test/support/stack';
import type { ApiClient } from './util';
import { loopbackNet } from '../test/support/net';

export interface BenchEnterprise {
  id: string;
  token: string;
}

export interface BenchContext {
  stack: Stack;
  api: ApiClient;
  supportToken: string;
}

export interface SupportStep {
  action: string;
  payload: Record<string, unknown>;
}

export interface KindDriver {
  kind: OnboardingKind;
  /** What support does at each stage where this kind waits on support. */
  supportSteps: Record<string, SupportStep>;
  /** Most cases the bench may drive in one run (e.g. the sandbox's number inventory); default unlimited. */
  maxCases?: number;
  /**
   * Activities whose time is the outside world's (a test call ringing at the gateway): the baseline
   * sleeps as long as they took in the product, so the ratio measures overhead.
   */
  baselineSleeps?: string[];
  /**
   * Services this kind needs beside the stack (e.g. the real SBC), started once per run before the
   * stack; `env` is added to the stack's configuration.
   */
  services?(): Promise<{ env: Record<string, string>; stop(): Promise<void> }>;
  /** What the case needs before it can start (untimed), e.g. an approved verification. */
  prepare?(ctx: BenchContext, ent: BenchEnterprise, i: number): Promise<void>;
  /** Starts one case through the API; returns its id. */
  start(ctx: BenchContext, ent: BenchEnterprise, i: number): Promise<string>;
  /**
   * Steps after the start that the auto-approver does not take (the enterprise's, an outside
   * system's), through the API; the bench then waits for the workflow to close.
   */
  afterStart?(ctx: BenchContext, id: string, ent: BenchEnterprise, i: number, closed: Promise<unknown>): Promise<void>;
}

/** Drives one case to its end: started through the API, moved on by the auto-approver; resolves when the workflow closes. */
export async function drive(driver: KindDriver, ctx: BenchContext, ent: BenchEnterprise, i: number): Promise<string> {
  const id = await driver.start(ctx, ent, i);
  // One wait for the close, shared with the steps after the start: a case that fails there ends them.
  const closed = ctx.stack.client.workflow.getHandle(id).result();
  closed.catch(() => undefined);
  await driver.afterStart?.(ctx, id, ent, i, closed);
  await closed;
  return id;
}

// --- enterprise-verification -----------------------------------------------------------------

export { PDF, verificationApplication };

export async function uploadVerificationDocuments(ctx: BenchContext, ent: BenchEnterprise): Promise<DocumentRef[]> {
  const kinds = REQUIRED_DOCUMENTS['legal-representative'];
  return Promise.all(kinds.map((k) => ctx.api.upload(ent.token, k, PDF)));
}

export const enterpriseVerification: KindDriver = {
  kind: 'enterprise-verification',
  supportSteps: { 'awaiting-review': { action: 'approve', payload: { note: 'bench: approved' } } },
  async start(ctx, ent) {
    const documents = await uploadVerificationDocuments(ctx, ent);
    const res = await ctx.api.expect<{ id: string }>(
      202,
      'POST',
      '/v1/onboardings',
      ent.token,
      verificationApplication(ent.id, documents),
    );
    return res.id;
  },
};

// --- number-purchase -------------------------------------------------------------------------

const AREA_CODES = ['010', '020', '021', '0755', '0571', '028'];
const SCRIPT = '您好，这里是示例科技客服中心，来电回访您近期的售后服务体验，耽误您一分钟时间。';

/** Case i's purchase: one fixed-line number, the area codes taken in turn, bound to the enterprise's instance. */
export function numberPurchaseStartBody(
  enterpriseId: string,
  i: number,
  binding: { instanceId: string; ivrFlowId?: string; skillGroupId?: string },
) {
  return {
    kind: 'number-purchase',
    enterpriseId,
    numberType: 'fixed-line',
    areaCode: AREA_CODES[i % AREA_CODES.length],
    quantity: 1,
    scenario: 'both',
    callScript: SCRIPT,
    autoRenew: true,
    binding,
  };
}

async function isVerified(ctx: BenchContext, enterpriseId: string): Promise<boolean> {
  try {
    const d = await ctx.stack.client.workflow.getHandle(verificationId(enterpriseId)).describe();
    return d.status.name === 'COMPLETED';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** Kinds that need a verified enterprise drive its verification first, unless an earlier kind did. */
async function ensureVerified(ctx: BenchContext, ent: BenchEnterprise, i: number): Promise<void> {
  if (!(await isVerified(ctx, ent.id))) await drive(enterpriseVerification, ctx, ent, i);
}

/** Each enterprise's contact-center instance, created on the platform's sandbox before its first number case. */
const instances = new Map<string, Promise<TestInstance>>();

function instanceOf(ctx: BenchContext, enterpriseId: string): Promise<TestInstance> {
  let instance = instances.get(enterpriseId);
  if (!instance) {
    instance = instanceFor(ctx.stack, enterpriseId, `bench center ${enterpriseId}`);
    instances.set(enterpriseId, instance);
  }
  return instance;
}

export const numberPurchase: KindDriver = {
  kind: 'number-purchase',
  supportSteps: {
    'awaiting-script-review': { action: 'approve-script', payload: { note: 'bench: script ok' } },
    'awaiting-400-routing': { action: 'confirm-400-routing', payload: { note: 'bench: routed' } },
  },
  // The billing sandbox holds 30 fixed-line numbers in each of 6 area codes; one number per case.
  maxCases: 150,
  async prepare(ctx, ent, i) {
    await ensureVerified(ctx, ent, i);
    await instanceOf(ctx, ent.id);
    const customer = await billingCall<{ id: string }>(ctx.stack, 'GET', `/v1/customers?enterpriseId=${ent.id}`);
    const credit = await billingCall(ctx.stack, 'POST', `/v1/customers/${customer.body.id}/credits`, {
      amountFen: 1_000_000,
      note: 'bench top-up',
    });
    if (credit.status !== 201) throw new Error(`top-up failed: ${credit.status}`);
  },
  async start(ctx, ent, i) {
    const { instanceId, defaults } = await instanceOf(ctx, ent.id);
    const body = numberPurchaseStartBody(ent.id, i, {
      instanceId,
      ivrFlowId: defaults.ivrFlowId,
      skillGroupId: defaults.skillGroupId,
    });
    return (await ctx.api.expect<{ id: string }>(202, 'POST', '/v1/onboardings', ent.token, body)).id;
  },
};

// --- sip-trunk -------------------------------------------------------------------------------

/** Loopback /24s of the bench's SBC and of the customers' gateways (the tests use 127.0.71-74). */
const SBC_NET = loopbackNet(90);
const GATEWAY_NETS = 9;
const GATEWAYS_PER_NET = 250;
const GATEWAY_PORT = 5062;

/** Case i's own gateway: the SBC allowlists one address per case, and inbound calls are told apart by it. */
export function benchGateway(i: number): { ip: string; port: number } {
  if (i >= GATEWAY_NETS * GATEWAYS_PER_NET) throw new Error(`no bench gateway address for case ${i}`);
  return { ip: `127.0.${91 + Math.floor(i / GATEWAYS_PER_NET)}.${2 + (i % GATEWAYS_PER_NET)}`, port: GATEWAY_PORT };
}

/** Case i's line: a Guangzhou fixed line of its own, so no two cases bring the same number. */
export function benchTrunkNumber(i: number): string {
  return `020${66_100_000 + i}`;
}

export function sipTrunkStartBody(
  enterpriseId: string,
  i: number,
  instance?: Pick<TestInstance, 'instanceId' | 'defaults'>,
) {
  return {
    kind: 'sip-trunk' as const,
    enterpriseId,
    instanceId: instance?.instanceId ?? `cc-${enterpriseId}`,
    gateway: { ...benchGateway(i), transport: 'udp' as const },
    numbers: [benchTrunkNumber(i)],
    boundAppId: instance?.defaults.appId ?? 'app-bench',
    contact: { name: '王工', phone: '13800138000', email: `noc@${enterpriseId}.example.cn` },
    testCallee: '13900139000',
  };
}

/**
 * The enterprise learns of its next step by email, as a real one does; resolves when that email is
 * in, and fails at once when the case closes first (a failed case sends no next step).
 */
async function emailFor(ctx: BenchContext, caseId: string, event: string, closed: Promise<unknown>): Promise<void> {
  await Promise.race([
    eventually(
      () => ctx.stack.mail.forCase(caseId).some((m) => m.event === event),
      120_000,
      `${caseId}: the ${event} email`,
      50,
    ),
    closed.then(() => {
      throw new Error(`${caseId} completed before its ${event} email`);
    }),
  ]);
}

export const sipTrunk: KindDriver = {
  kind: 'sip-trunk',
  supportSteps: { 'awaiting-review': { action: 'approve', payload: { note: 'bench: trunk ok' } } },
  maxCases: GATEWAY_NETS * GATEWAYS_PER_NET,
  // The outbound test call rings at the customer's gateway before the platform cancels it.
  baselineSleeps: ['placeTestCall'],
  async services() {
    // The real SBC: Kamailio on PostgreSQL, with a SIPp contact center behind it.
    const sbc = await startTestSbc(SBC_NET);
    return {
      env: {
        ...sbc.env,
        SIP_ALLOW_PRIVATE_GATEWAYS: 'true',
        SIP_OPTIONS_TIMEOUT: '2s',
        SIP_CONNECTIVITY_WINDOW: '10s',
        SIP_REVIEW_SLA: '1d',
        SIP_INBOUND_TEST_WINDOW: '10m',
      },
      stop: () => sbc.stop(),
    };
  },
  async prepare(ctx, ent, i) {
    await ensureVerified(ctx, ent, i);
    await instanceOf(ctx, ent.id);
  },
  async start(ctx, ent, i) {
    return (
      await ctx.api.expect<{ id: string }>(
        202,
        'POST',
        '/v1/onboardings',
        ent.token,
        sipTrunkStartBody(ent.id, i, await instanceOf(ctx, ent.id)),
      )
    ).id;
  },
  async afterStart(ctx, id, ent, i, closed) {
    const gw = benchGateway(i);
    // The customer's gateway: answers OPTIONS, rings on the outbound test call.
    const sipp = await startSippServer('uas-gateway.xml', gw);
    try {
      await emailFor(ctx, id, 'trunk-whitelist', closed);
      await ctx.api.expect(200, 'POST', `/v1/onboardings/${id}/actions/confirm-whitelist`, ent.token, {
        note: 'bench: provider addresses allowed',
      });
      await emailFor(ctx, id, 'sip-inbound-test', closed);
    } finally {
      await sipp.stop();
    }
    // The enterprise calls its own line from the gateway's address, through the SBC.
    const { sipHost, sipPort } = ctx.stack.config.sipGateway.sbc;
    const call = await testCall({
      target: { host: sipHost, port: sipPort, transport: 'udp' },
      localAddress: gw.ip,
      localPort: gw.port,
      callee: benchTrunkNumber(i),
      caller: '13800138000',
      timeoutMs: 10_000,
    });
    if (call.outcome !== 'answered')
      throw new Error(
        `${id}: the inbound test call through the SBC was not answered: ${call.outcome}${call.finalCode ? ` ${call.finalCode}` : ''}${call.error ? ` (${call.error})` : ''}`,
      );
  },
};

// --- the drivers -----------------------------------------------------------------------------

export const KIND_DRIVERS: Partial<Record<OnboardingKind, KindDriver>> = {
  'enterprise-verification': enterpriseVerification,
  'number-purchase': numberPurchase,
  'sip-trunk': sipTrunk,
};

export function driverFor(kind: string): KindDriver {
  const driver = KIND_DRIVERS[kind as OnboardingKind];
  if (!driver) throw new Error(`no bench driver for kind ${kind}; known: ${Object.keys(KIND_DRIVERS).join(', ')}`);
  return driver;
}
