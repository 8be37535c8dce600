import { describe, expect, it } from 'vitest';
import { residentIdCheckDigit, usccCheckCharacter } from '../../domain/checks';
import { applyResubmission } from '../../domain/resubmission';
import {
  applicationFacts,
  applicationSchema,
  precheckApplication,
  REQUIRED_DOCUMENTS,
  verificationPayloads,
  type Application,
  type DocumentKind,
} from '../../domain/verification';

const TODAY = '2026-11-22';
const uscc = (body: string) => body + usccCheckCharacter(body);
const id17 = '44010619900307231';

function application(overrides: Partial<Application> = {}): Application {
  const applicantType = overrides.applicantType ?? 'agent';
  return {
    applicantType,
    company: {
      name: '广州示例科技有限公司',
      unifiedSocialCreditCode: uscc('91440101MA59UTQD1'),
      entityType: 'company',
      licenceValidFrom: '2020-01-01',
      licenceValidTo: null,
    },
    legalRepresentative: { name: '张三', idNumber: '11010519491231002X' },
    agent: { name: '李四', idNumber: id17 + residentIdCheckDigit(id17) },
    contact: { name: '李四', phone: '13800138000', email: 'ops@example.cn' },
    documents: REQUIRED_DOCUMENTS[applicantType].map((kind, i) => ({ kind, documentId: `doc-${i}` })),
    ...overrides,
  };
}

describe('verification pre-check', () => {
  it('passes a complete agent application and a complete legal-representative one', () => {
    expect(precheckApplication(application(), TODAY)).toEqual([]);
    expect(
      precheckApplication(application({ applicantType: 'legal-representative', agent: undefined }), TODAY),
    ).toEqual([]);
  });

  it.each(REQUIRED_DOCUMENTS.agent.map((k) => [k]))('requires %s from an agent', (kind: DocumentKind) => {
    const app = application();
    const failures = precheckApplication({ ...app, documents: app.documents.filter((d) => d.kind !== kind) }, TODAY);
    expect(failures).toEqual([{ path: 'documents', code: 'document-missing', message: expect.stringContaining(kind) }]);
  });

  it.each(REQUIRED_DOCUMENTS['legal-representative'].map((k) => [k]))(
    'requires %s from a legal representative',
    (kind: DocumentKind) => {
      const app = application({ applicantType: 'legal-representative', agent: undefined });
      const failures = precheckApplication({ ...app, documents: app.documents.filter((d) => d.kind !== kind) }, TODAY);
      expect(failures.map((f) => f.code)).toEqual(['document-missing']);
    },
  );

  it('does not ask a legal representative for the agent materials', () => {
    expect(REQUIRED_DOCUMENTS['legal-representative']).not.toContain('power-of-attorney');
    expect(REQUIRED_DOCUMENTS['legal-representative']).not.toContain('agent-id');
  });

  it.each([
    [
      'a bad credit code check character',
      { company: { ...application().company, unifiedSocialCreditCode: '91440101MA59UTQD10' } },
      'company.unifiedSocialCreditCode',
      'uscc-check-character',
    ],
    [
      'a legal rep ID with a bad check digit',
      { legalRepresentative: { name: '张三', idNumber: '110105194912310021' } },
      'legalRepresentative.idNumber',
      'id-check-digit',
    ],
    [
      'an agent ID with an impossible birth date',
      { agent: { name: '李四', idNumber: '44010619900231' + '2310' } },
      'agent.idNumber',
      'id-birth-date',
    ],
    ['an agent application with no agent', { agent: undefined }, 'agent', 'agent-required'],
    [
      'an expired licence',
      { company: { ...application().company, licenceValidTo: '2025-12-31' } },
      'company.licenceValidTo',
      'licence-expired',
    ],
    [
      'a licence not yet valid',
      { company: { ...application().company, licenceValidFrom: '2027-01-01', licenceValidTo: '2030-01-01' } },
      'company.licenceValidFrom',
      'licence-not-started',
    ],
  ] as const)('names %s', (_label, overrides, path, code) => {
    const failures = precheckApplication(application(overrides as Partial<Application>), TODAY);
    expect(failures).toEqual([expect.objectContaining({ path, code })]);
  });

  it('accepts a long-term licence past the start + 10 years it is entered with', () => {
    const old = application({ company: { ...application().company, licenceValidFrom: '2016-11-21' } });
    expect(precheckApplication(old, TODAY)).toEqual([]);
    expect(applicationFacts(old).licence).toMatchObject({ longTerm: true, effectiveEnd: '2026-11-21' });
  });

  it('returns every failing rule at once', () => {
    const app = application({
      legalRepresentative: { name: '张三', idNumber: '110105194912310021' },
      company: { ...application().company, unifiedSocialCreditCode: 'X', licenceValidTo: '2020-06-01' },
      documents: [],
    });
    const codes = precheckApplication(app, TODAY).map((f) => f.code);
    expect(codes.filter((c) => c === 'document-missing')).toHaveLength(7);
    expect(codes).toEqual(expect.arrayContaining(['uscc-length', 'id-check-digit', 'licence-expired']));
  });

  it('rejects unknown fields and lists each bad field by path', () => {
    const parsed = applicationSchema.safeParse({
      ...application(),
      contact: { name: '', phone: '123', email: 'nope' },
      extra: true,
    });
    expect(parsed.success).toBe(false);
    const paths = parsed.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['contact.name', 'contact.phone', 'contact.email', '']));
  });
});

describe('resubmission and result', () => {
  it('replaces documents of the resubmitted kinds only, and keeps other fields', () => {
    const app = application();
    const merged = applyResubmission(app, { documents: [{ kind: 'business-licence', documentId: 'doc-new' }] });
    expect(merged.documents.filter((d) => d.kind === 'business-licence')).toEqual([
      { kind: 'business-licence', documentId: 'doc-new' },
    ]);
    expect(merged.documents).toHaveLength(app.documents.length);
    expect(merged.company).toEqual(app.company);
  });

  it('refuses an empty resubmission and a reason that names neither document nor field', () => {
    expect(verificationPayloads.resubmit.safeParse({}).success).toBe(false);
    expect(verificationPayloads.reject.safeParse({ reasons: [{ code: 'other', message: 'x' }] }).success).toBe(false);
    expect(verificationPayloads.reject.safeParse({ reasons: [] }).success).toBe(false);
  });

  it('records a long-term licence as start + 10 years and bars natural-person sole proprietorships from fixed lines', () => {
    const sole = application({
      company: { ...application().company, entityType: 'sole-proprietorship', licenceValidFrom: '2024-02-29' },
    });
    const result = applicationFacts(sole);
    expect(result.licence).toEqual({
      validFrom: '2024-02-29',
      validTo: null,
      longTerm: true,
      effectiveEnd: '2034-02-28',
    });
    expect(result.mayHoldFixedLines).toBe(false);
    expect(applicationFacts(application()).mayHoldFixedLines).toBe(true);
  });
});
