/** Emails of any case: undeliverable mail and cancellation. */
import { bilingual, type CaseData, type CaseLinks, type Rendered } from '../common';

export const anyCaseTemplates = {
  'email-undeliverable': (
    d: CaseData & { template: string; recipient: string; reason: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【邮件退信】案件 ${d.caseId} 的邮件无法送达 / Email undeliverable for case ${d.caseId}`,
    text: bilingual(
      [
        `案件 ${d.caseId} 发给 ${d.recipient} 的邮件（${d.template}）被邮件服务器永久拒收：${d.reason}。请联系企业核对邮箱地址，必要时手动告知。`,
      ],
      [
        `The mail server permanently refused the email (${d.template}) to ${d.recipient} for case ${d.caseId}: ${d.reason}. Check the address with the enterprise and tell them by other means if needed.`,
      ],
      links,
    ),
  }),

  'case-cancelled': (d: CaseData & { kindLabel: string; reason?: string }, links: CaseLinks): Rendered => ({
    subject: `【已取消】${d.kindLabel} ${d.caseId} / Cancelled: ${d.caseId}`,
    text: bilingual(
      [`案件 ${d.caseId}（${d.kindLabel}）已取消。${d.reason ? `原因：${d.reason}` : ''}`],
      [`Case ${d.caseId} (${d.kindLabel}) was cancelled.${d.reason ? ` Reason: ${d.reason}` : ''}`],
      links,
    ),
  }),
} as const;
