/** Emails of the qualification review (`enterprise-verification`). */
import { APPLICANT, bilingual, lines, type CaseData, type CaseLinks, type Rendered } from '../common';

export const verificationTemplates = {
  'verification-submitted': (
    d: CaseData & { applicantType: keyof typeof APPLICANT; round: number; dueAt: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【待审核】企业资质审核 ${d.companyName}（第${d.round}轮）/ Verification to review: ${d.companyName} (round ${d.round})`,
    text: bilingual(
      [`企业 ${d.companyName} 提交了资质审核材料（申请人：${APPLICANT[d.applicantType]}），请在 ${d.dueAt} 前审核。`],
      [
        `${d.companyName} submitted qualification materials (applicant: ${APPLICANT[d.applicantType]}). Please review by ${d.dueAt}.`,
      ],
      links,
    ),
  }),

  'verification-review-reminder': (
    d: CaseData & { waitingSince: string; reminder: number },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【审核超时提醒 ${d.reminder}】企业资质审核 ${d.companyName} / Review overdue (reminder ${d.reminder}): ${d.companyName}`,
    text: bilingual(
      [`企业 ${d.companyName} 的资质审核自 ${d.waitingSince} 起等待审核，已超过服务时限。`],
      [`The verification of ${d.companyName} has waited for review since ${d.waitingSince} and is past its SLA.`],
      links,
    ),
  }),

  'verification-precheck-failed': (
    d: CaseData & { failures: { path: string; code: string; message: string }[]; resubmitBy: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【需补充材料】企业资质预检未通过 / Verification pre-check failed: ${d.companyName}`,
    text: bilingual(
      [
        '您提交的资质材料未通过自动预检，请修改以下内容后重新提交：',
        ...lines(d.failures),
        `请在 ${d.resubmitBy} 前重新提交。`,
      ],
      [
        'Your qualification materials did not pass the automatic pre-check. Please correct the following and resubmit:',
        ...lines(d.failures),
        `Please resubmit by ${d.resubmitBy}.`,
      ],
      links,
    ),
  }),

  'verification-rejected': (
    d: CaseData & {
      reasons: { documentKind?: string; field?: string; code: string; message: string }[];
      resubmitBy: string;
    },
    links: CaseLinks,
  ): Rendered => {
    const reasons = lines(
      d.reasons.map((r) => ({ path: r.documentKind ?? r.field, code: r.code, message: r.message })),
    );
    return {
      subject: `【审核未通过】企业资质审核 ${d.companyName} / Verification rejected: ${d.companyName}`,
      text: bilingual(
        ['您的企业资质审核未通过，原因如下：', ...reasons, `请修改后在 ${d.resubmitBy} 前重新提交。`],
        [
          'Your enterprise verification was rejected for these reasons:',
          ...reasons,
          `Please correct and resubmit by ${d.resubmitBy}.`,
        ],
        links,
      ),
    };
  },

  'verification-approved': (
    d: CaseData & { licenceEffectiveEnd: string; licenceLongTerm?: boolean; mayHoldFixedLines: boolean },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【审核通过】企业资质审核 ${d.companyName} / Verification approved: ${d.companyName}`,
    text: bilingual(
      [
        `恭喜，${d.companyName} 已通过企业实名认证与资质审核，现在可以申请购买号码。`,
        d.licenceLongTerm
          ? `营业执照长期有效（表单按起始日期加10年填写为 ${d.licenceEffectiveEnd}，到期不影响资质）。`
          : `资质有效期至 ${d.licenceEffectiveEnd}。`,
        d.mayHoldFixedLines ? '' : '注意：自然人独资企业不可申请固话号码，可申请 400 号码。',
      ].filter(Boolean),
      [
        `${d.companyName} passed real-name verification and qualification review and may now buy numbers.`,
        d.licenceLongTerm
          ? `The business licence is long-term (entered as start + 10 years, ${d.licenceEffectiveEnd}; the qualification does not lapse then).`
          : `The qualification is valid until ${d.licenceEffectiveEnd}.`,
        d.mayHoldFixedLines
          ? ''
          : 'Note: a sole proprietorship owned by a natural person may apply for 400 numbers but not fixed-line numbers.',
      ].filter(Boolean),
      links,
    ),
  }),

  'verification-expired': (d: CaseData & { rejectedAt: string }, links: CaseLinks): Rendered => ({
    subject: `【已关闭】企业资质审核未在期限内重新提交 / Verification closed: no resubmission in time`,
    text: bilingual(
      [
        `${d.companyName} 的资质审核自 ${d.rejectedAt} 被退回后未在期限内重新提交，案件已关闭。如需继续，请重新发起认证。`,
      ],
      [
        `The verification of ${d.companyName}, returned on ${d.rejectedAt}, was not resubmitted in time and is now closed. Start a new verification to continue.`,
      ],
      links,
    ),
  }),
} as const;
