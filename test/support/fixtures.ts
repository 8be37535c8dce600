/** Valid applications and documents, built from the check functions rather than hard-coded. */
import { randomUUID } from 'node:crypto';
import { residentIdCheckDigit, usccCheckCharacter } from '../../domain/checks';
import type { DocumentKind, DocumentRef } from '../../domain/verification';
import { REQUIRED_DOCUMENTS } from '../../domain/verification';
import { bearer, caseWhen, sandboxCaller, type Stack as Harness } from './stack';

export const PDF = Buffer.from('%PDF-1.4\n% qualification scan\n');
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32)]);

const USCC_BODY = '91440101MA59UTQD1';
export const USCC = USCC_BODY + usccCheckCharacter(USCC_BODY);
export const LEGAL_REP_ID = '11010519491231002X';
export const AGENT_ID = '44010619900307231' + residentIdCheckDigit('44010619900307231');

export async function upload(h: Harness, token: string, kind: DocumentKind, bytes: Buffer = PDF): Promise<DocumentRef> {
  const res = await h.api
    .post('/v1/documents')
    .set(...bearer(token))
    .field('kind', kind)
    .attach('file', bytes, `${kind}.pdf`);
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { kind, documentId: res.body.documentId as string };
}

export async function uploadAll(h: Harness, token: string, kinds: readonly DocumentKind[]): Promise<DocumentRef[]> {
  return Promise.all(kinds.map((k) => upload(h, token, k)));
}

/** A legal representative's verification application for `enterpriseId`, with its documents. */
export function verificationApplication(enterpriseId: string, documents: DocumentRef[]) {
  return {
    kind: 'enterprise-verification' as const,
    enterpriseId,
    applicantType: 'legal-representative' as const,
    company: {
      name: '广州示例通信科技有限公司',
      unifiedSocialCreditCode: USCC,
      entityType: 'company' as const,
      licenceValidFrom: '2021-06-01',
      licenceValidTo: null,
    },
    legalRepresentative: { name: '张三', idNumber: LEGAL_REP_ID },
    contact: { name: '李四', phone: '13800138000', email: `ops@${enterpriseId}.example.cn` },
    documents,
  };
}

/** The same application, its documents uploaded through the API as `token`. */
export async function legalRepApplication(h: Harness, enterpriseId: string, token: string) {
  return verificationApplication(enterpriseId, await uploadAll(h, token, REQUIRED_DOCUMENTS['legal-representative']));
}

/** An instance as the contact-center platform returns it, with its default app, IVR flow and skill group. */
export interface TestInstance {
  instanceId: string;
  enterpriseId: string;
  centerName: string;
  defaults: { appId: string; ivrFlowId: string; skillGroupId: string };
}

/**
 * A contact-center instance of the enterprise, created directly on the platform's sandbox (as
 * the `contact-center-instance` kind would), for cases that bind numbers to one.
 */
export async function instanceFor(
  h: Pick<Harness, 'config'>,
  enterpriseId: string,
  centerName = `center ${randomUUID().slice(0, 8)}`,
): Promise<TestInstance> {
  const res = await platformCall<TestInstance>(h, 'POST', '/v1/instances', {
    enterpriseId,
    centerName,
    admin: { name: 'Test Admin', email: `admin@${enterpriseId}.example.cn` },
    agreement: { version: '2024-06', acceptedAt: new Date().toISOString() },
  });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`instance creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Calls the contact-center sandbox as the product does. */
export const platformCall = sandboxCaller('contactCenter');

/** Drives a verification to approval through the API; returns the billing customer id. */
export async function verifiedEnterprise(
  h: Harness,
  enterpriseId: string,
  token: string,
  entityType: 'company' | 'sole-proprietorship' = 'company',
): Promise<string> {
  const body = await legalRepApplication(h, enterpriseId, token);
  body.company = { ...body.company, entityType } as typeof body.company;
  const started = await h.api
    .post('/v1/onboardings')
    .set(...bearer(token))
    .send(body);
  if (started.status !== 202)
    throw new Error(`verification start failed: ${started.status} ${JSON.stringify(started.body)}`);
  const id = started.body.id as string;
  await caseWhen(h, id, (c) => c.stage === 'awaiting-review', 'verification review');
  const approved = await h.api
    .post(`/v1/onboardings/${id}/actions/approve`)
    .set(...bearer(h.tokens.support))
    .send({});
  if (approved.status !== 200) throw new Error(`approve failed: ${approved.status} ${JSON.stringify(approved.body)}`);
  const done = await caseWhen(h, id, (c) => c.status === 'completed', 'verification approved');
  return (done.result as { billingCustomerId: string }).billingCustomerId;
}

/**
 * One inbound fixed line in 020 bought through the API for an enterprise with the balance to pay
 * for it: the script approved by support, the purchase completed. Returns its result.
 */
export async function purchasedFixedLine(
  h: Harness,
  enterpriseId: string,
  token: string,
  binding: { instanceId: string; ivrFlowId?: string; skillGroupId?: string },
): Promise<{ id: string; numbers: string[]; subscriptionId: string }> {
  const started = await h.api
    .post('/v1/onboardings')
    .set(...bearer(token))
    .send({
      kind: 'number-purchase',
      enterpriseId,
      numberType: 'fixed-line',
      areaCode: '020',
      quantity: 1,
      scenario: 'inbound',
      callScript: '您好，这里是示例科技客服中心。',
      binding,
    });
  if (started.status !== 202) throw new Error(`purchase failed: ${started.status} ${JSON.stringify(started.body)}`);
  const id = started.body.id as string;
  await caseWhen(h, id, (c) => c.stage === 'awaiting-script-review', 'script review');
  await h.api
    .post(`/v1/onboardings/${id}/actions/approve-script`)
    .set(...bearer(h.tokens.support))
    .send({});
  const done = await caseWhen(h, id, (c) => c.status === 'completed', 'purchase completed');
  return { id, ...(done.result as { numbers: string[]; subscriptionId: string }) };
}
