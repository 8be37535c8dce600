/** Emails of third-party supplier lines (`third-party-line`). */
import { bilingual, type CaseData, type CaseLinks, type Rendered } from '../common';

export const thirdPartyLineTemplates = {
  'third-party-review': (
    d: CaseData & { product: string; regions: string; dueAt: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【待审核】第三方线路申请 ${d.companyName}：${d.product} / Supplier line to review`,
    text: bilingual(
      [`${d.companyName} 申请 ${d.product}（${d.regions}），已通过自动资格检查，请在 ${d.dueAt} 前审核。`],
      [
        `${d.companyName} applies for ${d.product} (${d.regions}); the automatic eligibility check passed. Please review by ${d.dueAt}.`,
      ],
      links,
    ),
  }),

  'third-party-supplier-application': (
    d: CaseData & {
      product: string;
      industry: string;
      scenario: string;
      regions: string;
      callScript?: string;
      dueDate: string;
    },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【线路开通申请】${d.companyName}：${d.product} / Line application: ${d.companyName}`,
    text: bilingual(
      [
        `申请企业：${d.companyName}`,
        `产品：${d.product}`,
        `行业：${d.industry}`,
        `场景：${d.scenario}`,
        `地区及数量：${d.regions}`,
        ...(d.callScript ? [`话术：${d.callScript}`] : []),
        `请于 ${d.dueDate} 前答复审核结果并开通号码。`,
      ],
      [
        `Applicant: ${d.companyName}`,
        `Product: ${d.product}`,
        `Industry: ${d.industry}`,
        `Scenario: ${d.scenario}`,
        `Regions: ${d.regions}`,
        `Please reply with your review and open the numbers by ${d.dueDate}.`,
      ],
      links,
    ),
  }),

  'third-party-escalation': (
    d: CaseData & { product: string; supplier: string; dueDate: string; escalation: number; phase: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【供应商超时 ${d.escalation}】${d.companyName}：${d.product} / Supplier overdue`,
    text: bilingual(
      [
        `供应商 ${d.supplier} 处理 ${d.companyName} 的 ${d.product} 申请（${d.phase}）已超过约定工作日，原定 ${d.dueDate} 完成，请跟进。`,
      ],
      [
        `Supplier ${d.supplier} is past its lead time (due ${d.dueDate}) for ${d.companyName}'s ${d.product} application (${d.phase}). Please follow up.`,
      ],
      links,
    ),
  }),

  'third-party-rejected': (
    d: CaseData & { product: string; reason: string; by: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【申请未通过】第三方线路 ${d.product} / Supplier line application rejected`,
    text: bilingual(
      [`您的 ${d.product} 申请未通过（${d.by}）：${d.reason}`],
      [`Your application for ${d.product} was rejected (${d.by}): ${d.reason}`],
      links,
    ),
  }),

  'third-party-ready': (
    d: CaseData & { product: string; numbers: string[]; instanceId: string; rules: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【线路已开通】${d.product}：${d.numbers.length} 个号码 / Supplier numbers active`,
    text: bilingual(
      [
        `${d.product} 的号码已导入并绑定实例 ${d.instanceId}：`,
        ...d.numbers.map((n) => `  - ${n}`),
        `外呼规则：${d.rules}`,
      ],
      [
        `${d.product} numbers are imported and bound to instance ${d.instanceId}:`,
        ...d.numbers.map((n) => `  - ${n}`),
        `Calling rules: ${d.rules}`,
      ],
      links,
    ),
  }),
} as const;
