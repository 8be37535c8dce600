/** Emails of the enterprise's journey (`enterprise-onboarding`). */
import { bilingual, type CaseData, type CaseLinks, type Rendered } from '../common';

export const journeyTemplates = {
  'journey-stalled': (d: CaseData & { waits: string[]; reminder: number }, links: CaseLinks): Rendered => ({
    subject: `【待您处理 ${d.reminder}】开通进度暂停 ${d.companyName} / Your onboarding is waiting on you (reminder ${d.reminder})`,
    text: bilingual(
      ['您的联络中心开通进度正在等待您处理以下事项：', ...d.waits.map((w) => `  - ${w}`), '处理后，开通将自动继续。'],
      [
        'Your contact-center onboarding is waiting on you for:',
        ...d.waits.map((w) => `  - ${w}`),
        'Once done, onboarding carries on by itself.',
      ],
      links,
    ),
  }),

  'journey-sla-missed': (d: CaseData & { wait: string; dueAt: string }, links: CaseLinks): Rendered => ({
    subject: `【超时】${d.companyName} 的开通等待支持处理 / SLA missed in the onboarding of ${d.companyName}`,
    text: bilingual(
      [`${d.companyName} 的开通进度中，以下事项应在 ${d.dueAt} 前由支持人员处理，现已超时：`, `  - ${d.wait}`],
      [
        `In the onboarding of ${d.companyName}, this was due from support by ${d.dueAt} and is overdue:`,
        `  - ${d.wait}`,
      ],
      links,
    ),
  }),

  'journey-ready': (d: CaseData & { instances: string[]; numbers: string[] }, links: CaseLinks): Rendered => ({
    subject: `【已开通】${d.companyName} 可以通话了 / ${d.companyName} is ready for calls`,
    text: bilingual(
      [
        `${d.companyName} 的联络中心已开通，号码已可使用：`,
        `  实例：${d.instances.join('、')}`,
        `  号码：${d.numbers.join('、')}`,
      ],
      [
        `The contact center of ${d.companyName} is ready and its numbers work:`,
        `  Instance: ${d.instances.join(', ')}`,
        `  Numbers: ${d.numbers.join(', ')}`,
      ],
      links,
    ),
  }),
} as const;
