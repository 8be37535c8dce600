/**
 * One driver per onboarding kind: how the bench starts a case through the HTTP API, what support
 * does at each stage where the case waits on support (the auto-approver's part), and what a case
 * needs first. `drive` takes one case from start to its end.
 *
 * To bench another kind, write a `KindDriver` and add it to `KIND_DRIVERS` (see the marked place
 * for `sip-trunk` at the bottom); `npm run bench -- --kinds <kind>` then drives it in the
 * throughput and history parts.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { usccCheckCharacter } from '../domain/checks';
import { verificationId } from '../domain/ids';
import type { OnboardingKind } from '../domain/onboarding';
import { REQUIRED_DOCUMENTS, type DocumentRef } from '../domain/verification';
import { billingCall, type Stack } from '../test/support/stack';
import type { ApiClient } from './util';

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
  /** What the case needs before it can start (untimed), e.g. an approved verification. */
  prepare?(ctx: BenchContext, ent: BenchEnterprise, i: number): Promise<void>;
  /** Starts one case through the API; returns its id. */
  start(ctx: BenchContext, ent: BenchEnterprise, i: number): Promise<string>;
  /**
   * Steps after the start that the auto-approver does not take (the enterprise's, an outside
   * system's), through the API; the bench then waits for the workflow to close.
   */
  afterStart?(ctx: BenchContext, id: string, ent: BenchEnterprise, i: number): Promise<void>;
}

/** Drives one case to its end: started through the API, moved on by the auto-approver; resolves when the workflow closes. */
export async function drive(driver: KindDriver, ctx: BenchContext, ent: BenchEnterprise, i: number): Promise<string> {
  const id = await driver.start(ctx, ent, i);
  await driver.afterStart?.(ctx, id, ent, i);
  await ctx.stack.client.workflow.getHandle(id).result();
  return id;
}

// --- enterprise-verification -----------------------------------------------------------------

export const PDF = Buffer.from('%PDF-1.4\n% qualification scan\n');
const USCC_BODY = '91440101MA59UTQD1';
const USCC = USCC_BODY + usccCheckCharacter(USCC_BODY);
const LEGAL_REP_ID = '11010519491231002X';

export async function uploadVerificationDocuments(ctx: BenchContext, ent: BenchEnterprise): Promise<DocumentRef[]> {
  const kinds = REQUIRED_DOCUMENTS['legal-representative'];
  return Promise.all(kinds.map((k) => ctx.api.upload(ent.token, k, PDF)));
}

export function verificationApplication(enterpriseId: string, documents: DocumentRef[]) {
  return {
    kind: 'enterprise-verification' as const,
    enterpriseId,
    applicantType: 'legal-representative' as const,
    company: { name: '广州示例通信科技有限公司', unifiedSocialCreditCode: USCC, entityType: 'company' as const, licenceValidFrom: '2021-06-01', licenceValidTo: null },
    legalRepresentative: { name: '张三', idNumber: LEGAL_REP_ID },
    contact: { name: '李四', phone: '13800138000', email: `ops@${enterpriseId}.example.cn` },
    documents,
  };
}

export const enterpriseVerification: KindDriver = {
  kind: 'enterprise-verification',
  supportSteps: { 'awaiting-review': { action: 'approve', payload: { note: 'bench: approved' } } },
  async start(ctx, ent) {
    const documents = await uploadVerificationDocuments(ctx, ent);
    const res = await ctx.api.expect<{ id: string }>(202, 'POST', '/v1/onboardings', ent.token, verificationApplication(ent.id, documents));
    return res.id;
  },
};

// --- number-purchase -------------------------------------------------------------------------

const AREA_CODES = ['010', '020', '021', '0755', '0571', '028'];
const SCRIPT = '您好，这里是示例科技客服中心，来电回访您近期的售后服务体验，耽误您一分钟时间。';

async function isVerified(ctx: BenchContext, enterpriseId: string): Promise<boolean> {
  try {
    const d = await ctx.stack.client.workflow.getHandle(verificationId(enterpriseId)).describe();
    return d.status.name === 'COMPLETED';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
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
    if (!(await isVerified(ctx, ent.id))) await drive(enterpriseVerification, ctx, ent, i);
    const customer = await billingCall<{ id: string }>(ctx.stack, 'GET', `/v1/customers?enterpriseId=${ent.id}`);
    const credit = await billingCall(ctx.stack, 'POST', `/v1/customers/${customer.body.id}/credits`, { amountFen: 1_000_000, note: 'bench top-up' });
    if (credit.status !== 201) throw new Error(`top-up failed: ${credit.status}`);
  },
  async start(ctx, ent, i) {
    const body = {
      kind: 'number-purchase',
      enterpriseId: ent.id,
      numberType: 'fixed-line',
      areaCode: AREA_CODES[i % AREA_CODES.length],
      quantity: 1,
      scenario: 'both',
      callScript: SCRIPT,
      autoRenew: true,
      binding: { instanceId: `cc-${ent.id}`, ivrFlowId: 'ivr-1', skillGroupId: 'sg-1' },
    };
    return (await ctx.api.expect<{ id: string }>(202, 'POST', '/v1/onboardings', ent.token, body)).id;
  },
};

// --- the drivers -----------------------------------------------------------------------------

export const KIND_DRIVERS: Partial<Record<OnboardingKind, KindDriver>> = {
  'enterprise-verification': enterpriseVerification,
  'number-purchase': numberPurchase,
  // ==== sip-trunk: add its driver here ========================================================
  // 'sip-trunk': sipTrunk,
  // A KindDriver: `start` POSTs a sip-trunk start body for `ent`; `prepare` gets what the kind
  // requires first (e.g. an approved verification, as numberPurchase.prepare does);
  // `supportSteps` names, per stage that waits on support, the action and payload that move the
  // case on; `afterStart` takes the steps that wait on the enterprise or an outside system (a SIP
  // probe, a registration) through the API.
  // ============================================================================================
};

export function driverFor(kind: string): KindDriver {
  const driver = KIND_DRIVERS[kind as OnboardingKind];
  if (!driver) throw new Error(`no bench driver for kind ${kind}; known: ${Object.keys(KIND_DRIVERS).join(', ')}`);
  return driver;
}
