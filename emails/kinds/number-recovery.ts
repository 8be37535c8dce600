/** Emails of recovering a released number (`number-recovery`). */
import { bilingual, type CaseData, type CaseLinks, type Rendered } from '../common';

export const numberRecoveryTemplates = {
  'recovery-completed': (
    d: CaseData & { number: string; instanceId: string; paidThrough: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【号码已找回】${d.number} / Number recovered`,
    text: bilingual(
      [
        `号码 ${d.number} 已找回：已重新导入实例 ${d.instanceId} 并绑定原 IVR 与技能组，月租已付至 ${d.paidThrough}，自动续费已开启。`,
      ],
      [
        `${d.number} is recovered: re-imported into instance ${d.instanceId}, bound to its IVR flow and skill group again, rent paid until ${d.paidThrough}, renewing automatically.`,
      ],
      links,
    ),
  }),

  'recovery-failed': (d: CaseData & { number: string; reason: string }, links: CaseLinks): Rendered => ({
    subject: `【号码未能找回】${d.number} / Number not recovered`,
    text: bilingual(
      [`号码 ${d.number} 未能找回：${d.reason}`],
      [`${d.number} could not be recovered: ${d.reason}`],
      links,
    ),
  }),
} as const;
