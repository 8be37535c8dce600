/** Emails of usage billing (`usage-billing`). */
import { bilingual, yuan, type CaseData, type CaseLinks, type Rendered } from '../common';

export const usageBillingTemplates = {
  'usage-statement': (
    d: CaseData & {
      month: string;
      /** 0: the month's charge; 1, 2, ...: a supplement for calls accounted late. */
      supplement: number;
      chargedFen: number;
      statement: {
        calls: number;
        minutes: number;
        amountFen: number;
        lines: {
          display: string;
          direction: 'inbound' | 'outbound';
          calls: number;
          minutes: number;
          fenPerMinute: number;
          amountFen: number;
          /** Why this rate, by the number's origin (an own line: no charge). */
          basis?: string;
        }[];
      };
    },
    links: CaseLinks,
  ): Rendered => {
    const dirZh = { inbound: '呼入', outbound: '呼出' } as const;
    const s = d.statement;
    const zhLines = s.lines.map(
      (l) =>
        `  ${l.display} ${dirZh[l.direction]}：${l.calls} 通，${l.minutes} 分钟 × ${yuan(l.fenPerMinute)} 元 = ${yuan(l.amountFen)} 元`,
    );
    const enLines = s.lines.map(
      (l) =>
        `  ${l.display} ${l.direction}: ${l.calls} call(s), ${l.minutes} min x CNY ${yuan(l.fenPerMinute)} = CNY ${yuan(l.amountFen)}${l.basis ? ` (${l.basis})` : ''}`,
    );
    const supplementZh = d.supplement > 0 ? `（补充账单 ${d.supplement}：迟到的通话记录）` : '';
    const supplementEn = d.supplement > 0 ? ` (supplement ${d.supplement}: call records that arrived late)` : '';
    return {
      subject: `【话费账单】${d.month} 通话费 ${yuan(d.chargedFen)} 元${supplementZh} / Call charges for ${d.month}: CNY ${yuan(d.chargedFen)}${supplementEn}`,
      text: bilingual(
        [
          `${d.companyName}，您 ${d.month}（北京时间）的通话费用明细如下${supplementZh}：`,
          ...zhLines,
          `合计：${s.calls} 通，${s.minutes} 分钟，${yuan(s.amountFen)} 元（每通按分钟向上取整计费）。`,
          `本次扣费：${yuan(d.chargedFen)} 元。`,
        ],
        [
          `${d.companyName}, your call charges for ${d.month} (China time)${supplementEn}:`,
          ...enLines,
          `Total: ${s.calls} call(s), ${s.minutes} min, CNY ${yuan(s.amountFen)} (each call rounded up to whole minutes).`,
          `Charged now: CNY ${yuan(d.chargedFen)}.`,
        ],
        links,
      ),
    };
  },

  // Usage billing's reconciliation: answered calls the SBC has no closed record of.

  'usage-reconciliation': (
    d: CaseData & { month: string; calls: { callId: string; number: string; answeredAt: string }[] },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【话单核对】${d.month} 有 ${d.calls.length} 通已接通但无结束记录 / ${d.calls.length} answered call(s) in ${d.month} without an end record`,
    text: bilingual(
      [
        `${d.companyName} ${d.month} 有 ${d.calls.length} 通呼叫已接通，但 SBC 没有其结束记录，未计费，请核查：`,
        ...d.calls.map((c) => `  ${c.number} ${c.answeredAt} ${c.callId}`),
        '记录补齐后，可对该月执行重新计费（rerun-month）。',
      ],
      [
        `${d.companyName}: ${d.calls.length} call(s) in ${d.month} were answered but the SBC has no record of their end; they are not billed. Please check:`,
        ...d.calls.map((c) => `  ${c.number} ${c.answeredAt} ${c.callId}`),
        'Once the records are complete, re-run the month (rerun-month).',
      ],
      links,
    ),
  }),
} as const;
