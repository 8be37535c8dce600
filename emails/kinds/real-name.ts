/** Emails of real-name verification (`enterprise-real-name`). */
import { bilingual, type CaseData, type CaseLinks, type Rendered } from '../common';

export const realNameTemplates = {
  'real-name-submitted': (
    d: CaseData & { unifiedSocialCreditCode: string; legalRepresentative: string; dueAt: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【待审核】企业实名认证 ${d.companyName} / Real-name verification to review: ${d.companyName}`,
    text: bilingual(
      [
        `${d.companyName}（统一社会信用代码 ${d.unifiedSocialCreditCode}，法定代表人 ${d.legalRepresentative}）提交了企业实名认证，校验位已通过，请核对营业执照后审核，${d.dueAt} 前处理。`,
      ],
      [
        `${d.companyName} (code ${d.unifiedSocialCreditCode}, legal representative ${d.legalRepresentative}) applied for real-name verification; the check characters pass. Check the licence and decide by ${d.dueAt}.`,
      ],
      links,
    ),
  }),

  'real-name-approved': (d: CaseData, links: CaseLinks): Rendered => ({
    subject: `【实名认证通过】${d.companyName} / Real-name verification approved`,
    text: bilingual(
      [
        `${d.companyName} 已完成企业实名认证，现在可以创建云呼叫中心实例。`,
        '下一步：提交企业资质审核材料（资质审核通过后即可申请号码）。',
      ],
      [
        `${d.companyName} passed real-name verification and may now create its contact-center instance.`,
        'Next: submit the qualification materials for review (numbers need the review approved).',
      ],
      links,
    ),
  }),

  'real-name-rejected': (
    d: CaseData & { reasons: { field?: string | undefined; code: string; message: string }[] },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【实名认证未通过】${d.companyName} / Real-name verification rejected`,
    text: bilingual(
      [
        `${d.companyName} 的企业实名认证未通过：`,
        ...d.reasons.map((r) => `  · ${r.field ?? ''} ${r.message}（${r.code}）`),
        '请更正后重新提交。',
      ],
      [
        `Real-name verification of ${d.companyName} was rejected:`,
        ...d.reasons.map((r) => `  - ${r.field ?? ''} ${r.message} (${r.code})`),
        'Correct it and apply again.',
      ],
      links,
    ),
  }),
} as const;
