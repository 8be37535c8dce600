/**
 * The generated TypeScript client (client/) against the real API: one enterprise verification
 * driven through it, so the committed types and the served document stay in step with the app.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createOnboardingClient, uploadDocument, type Onboarding, type OnboardingClient } from '../../client';
import { REQUIRED_DOCUMENTS } from '../../domain/verification';
import { eventually, useHarness } from '../support/harness';
import { LEGAL_REP_ID, PDF, USCC } from '../support/fixtures';

let asA: OnboardingClient;
let asSupport: OnboardingClient;
const h = useHarness();
beforeAll(async () => {
  asA = createOnboardingClient({ baseUrl: h.apiUrl, token: h.tokens.entA });
  asSupport = createOnboardingClient({ baseUrl: h.apiUrl, token: h.tokens.support });
});

describe('the typed client', () => {
  it('uploads, starts, reads, lists, acts on and cancels an enterprise verification', async () => {
    const enterpriseId = h.enterprises.a;

    // Uploads are multipart, outside openapi-fetch, but typed by the same document.
    const documents = [];
    for (const kind of REQUIRED_DOCUMENTS['legal-representative']) {
      const stored = await uploadDocument(
        { baseUrl: h.apiUrl, token: h.tokens.entA },
        { kind, file: new Blob([PDF]), filename: `${kind}.pdf` },
      );
      expect(stored.response.status).toBe(201);
      if (!stored.data) throw new Error(`upload failed: ${JSON.stringify(stored.error)}`);
      expect(stored.data).toMatchObject({ kind, contentType: 'application/pdf', size: PDF.length });
      expect(stored.data.sha256).toMatch(/^[0-9a-f]{64}$/);
      documents.push({ kind: stored.data.kind, documentId: stored.data.documentId });
    }
    const refused = await uploadDocument(
      { baseUrl: h.apiUrl, token: h.tokens.entA },
      { kind: 'business-licence', file: new Blob(['plain text']), filename: 'a.txt' },
    );
    expect(refused.response.status).toBe(415);
    expect(refused.error?.status).toBe(415);

    const started = await asA.POST('/v1/onboardings', {
      params: { header: { 'Idempotency-Key': `client-${enterpriseId}` } },
      body: {
        kind: 'enterprise-verification',
        enterpriseId,
        applicantType: 'legal-representative',
        company: {
          name: '广州示例通信科技有限公司',
          unifiedSocialCreditCode: USCC,
          entityType: 'company',
          licenceValidFrom: '2021-06-01',
          licenceValidTo: null,
        },
        legalRepresentative: { name: '张三', idNumber: LEGAL_REP_ID },
        contact: { name: '李四', phone: '13800138000', email: `ops@${enterpriseId}.example.cn` },
        documents,
      },
    });
    expect(started.response.status).toBe(202);
    if (!started.data) throw new Error(`start failed: ${JSON.stringify(started.error)}`);
    const id = started.data.id;
    expect(started.data).toMatchObject({ kind: 'enterprise-verification', enterpriseId, status: 'running' });

    // A schema error comes back as the typed problem, listing the failing field.
    const invalid = await asA.POST('/v1/onboardings', {
      body: {
        kind: 'enterprise-verification',
        enterpriseId,
        applicantType: 'legal-representative',
        company: {
          name: '',
          unifiedSocialCreditCode: USCC,
          entityType: 'company',
          licenceValidFrom: '2021-06-01',
          licenceValidTo: null,
        },
        legalRepresentative: { name: '张三', idNumber: LEGAL_REP_ID },
        contact: { name: '李四', phone: '13800138000', email: 'ops@example.cn' },
        documents,
      },
    });
    expect(invalid.response.status).toBe(400);
    expect(invalid.error?.errors?.map((e) => e.path)).toContain('company.name');

    const inReview: Onboarding = await eventually(
      async () => {
        const { data } = await asA.GET('/v1/onboardings/{id}', { params: { path: { id } } });
        return data?.stage === 'awaiting-review' ? data : undefined;
      },
      20_000,
      'awaiting-review',
    );
    expect(inReview.awaiting).toEqual([
      expect.objectContaining({ action: 'approve', role: 'support' }),
      expect.objectContaining({ action: 'reject', role: 'support' }),
    ]);

    const listed = await eventually(
      async () => {
        const { data } = await asSupport.GET('/v1/onboardings', {
          params: { query: { kind: 'enterprise-verification', awaiting: 'support', enterpriseId, limit: 10 } },
        });
        return data?.items.find((item) => item.id === id);
      },
      20_000,
      'listed as awaiting support',
    );
    expect(listed).toMatchObject({
      id,
      kind: 'enterprise-verification',
      enterpriseId,
      status: 'running',
      stage: 'awaiting-review',
    });
    const otherKind = await asSupport.GET('/v1/onboardings', {
      params: { query: { kind: 'sip-trunk', enterpriseId } },
    });
    expect(otherKind.data?.items).toEqual([]);

    // Not the enterprise's step: a typed 403 problem.
    const forbidden = await asA.POST('/v1/onboardings/{id}/actions/{action}', {
      params: { path: { id, action: 'approve' } },
      body: {},
    });
    expect(forbidden.response.status).toBe(403);
    expect(forbidden.error?.status).toBe(403);

    const rejected = await asSupport.POST('/v1/onboardings/{id}/actions/{action}', {
      params: { path: { id, action: 'reject' } },
      body: {
        reasons: [{ documentKind: 'business-licence', code: 'seal-missing', message: '营业执照扫描件未加盖公章' }],
      },
    });
    expect(rejected.response.status).toBe(200);
    expect(rejected.data?.stage).toBe('awaiting-resubmission');
    expect(rejected.data?.awaiting).toEqual([expect.objectContaining({ action: 'resubmit', role: 'enterprise' })]);

    const cancelled = await asA.POST('/v1/onboardings/{id}/cancel', {
      params: { path: { id } },
      body: { reason: 'trying the client' },
    });
    expect(cancelled.response.status).toBe(200);
    const final = await eventually(
      async () => {
        const { data } = await asA.GET('/v1/onboardings/{id}', { params: { path: { id } } });
        return data?.status === 'cancelled' ? data : undefined;
      },
      20_000,
      'cancelled',
    );
    expect(final.status).toBe('cancelled');
    const again = await asA.POST('/v1/onboardings/{id}/cancel', { params: { path: { id } }, body: {} });
    expect(again.response.status).toBe(409);
  });
});
