/** Emails of own 400 number landing (`own-400-landing`). */
import { bilingual, type CaseData, type CaseLinks, type Rendered } from '../common';

export const own400LandingTemplates = {
  'landing-invoice-ready': (
    d: CaseData & {
      own400Number: string;
      operator: string;
      fixedLines: string[];
      invoiceId: string;
      confirmBy: string;
    },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【请联系400运营商】发票已开具，请办理 ${d.own400Number} 落地变更 / Invoice issued: land ${d.own400Number}`,
    text: bilingual(
      [
        `用于绑定自有400号码 ${d.own400Number} 的固话已开通，发票（${d.invoiceId}，备注为固话号码）见附件。`,
        '请按以下步骤办理：',
        `  1. 携带附件发票联系您的400运营商（${d.operator}）；`,
        `  2. 申请将400号码 ${d.own400Number} 的落地号码变更为：${d.fixedLines.join('、')}；`,
        '  3. 运营商确认变更完成后，在本平台确认“400已落地”（confirm-400-landed）。',
        `请在 ${d.confirmBy} 前完成。`,
      ],
      [
        `The fixed line(s) for binding your own 400 number ${d.own400Number} are active; the invoice (${d.invoiceId}, with the fixed lines in its remark) is attached.`,
        'Next steps:',
        `  1. Take the attached invoice to your 400 operator (${d.operator});`,
        `  2. Ask them to re-point ("land") ${d.own400Number} on: ${d.fixedLines.join(', ')};`,
        '  3. Once the operator confirms, confirm here with confirm-400-landed.',
        `Please complete this by ${d.confirmBy}.`,
      ],
      links,
    ),
  }),

  'landing-forward-ready': (
    d: CaseData & {
      own400Number: string;
      operator: string;
      fixedLines: string[];
      peakConcurrentInbound: number;
      confirmBy: string;
    },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【请联系400运营商】将 ${d.own400Number} 的底号呼叫转移到 ${d.fixedLines.join('、')} / Forward ${d.own400Number} to ${d.fixedLines.join(', ')}`,
    text: bilingual(
      [
        `用于接入自有400号码 ${d.own400Number} 的固话已就绪：${d.fixedLines.join('、')}。`,
        '请按以下步骤办理：',
        `  1. 联系您的400运营商（${d.operator}），申请将400号码绑定的底号呼叫转移到：${d.fixedLines.join('、')}；`,
        '  2. 运营商确认后，在本平台确认“已转移”（confirm-400-forwarded），然后拨打400号码测试。',
        '请注意呼叫转移的限制：',
        '  · 忙线：只有一条线路时，一位客户通话中，另一位客户来电会提示忙线；',
        `  · 中继：可请运营商开通中继功能解决忙线，但中继最大线路为 20 线（您申报的并发为 ${d.peakConcurrentInbound}），客户量大时可能不满足并发；`,
        '  · 号码显示：运营商开通号码透传时显示客户的真实号码，否则显示400绑定的底号。',
        '如需更大并发或始终显示真实来电号码，请改用“更换400落地号码”方式（mode: rebind）。',
        `请在 ${d.confirmBy} 前完成。`,
      ],
      [
        `The fixed line(s) for your own 400 number ${d.own400Number} are ready: ${d.fixedLines.join(', ')}.`,
        'Next steps:',
        `  1. Ask your 400 operator (${d.operator}) to forward the 400 number's base number to: ${d.fixedLines.join(', ')};`,
        '  2. Once they confirm, confirm here with confirm-400-forwarded, then call the 400 number to test.',
        'What forwarding cannot do:',
        '  - Busy: with a single line, a second caller hears busy while the first is talking;',
        `  - Trunk: the operator can open its trunk function against that, but it carries at most 20 lines (you declared ${d.peakConcurrentInbound} concurrent calls), which may not be enough for many callers;`,
        "  - Caller ID: callers show with their own number only if the operator passes it through; otherwise the 400 number's base number shows.",
        'For more concurrent calls or the real caller always shown, re-bind the landing line instead (mode: rebind).',
        `Please complete this by ${d.confirmBy}.`,
      ],
      links,
    ),
  }),

  'landing-reminder': (
    d: CaseData & { own400Number: string; operator: string; fixedLines: string[]; reminder: number; confirmBy: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【提醒 ${d.reminder}】400号码 ${d.own400Number} 尚未确认落地 / Reminder: ${d.own400Number} not yet landed`,
    text: bilingual(
      [
        `请联系 ${d.operator} 将 ${d.own400Number} 落地到 ${d.fixedLines.join('、')}，完成后确认。截止时间：${d.confirmBy}。`,
      ],
      [
        `Please have ${d.operator} land ${d.own400Number} on ${d.fixedLines.join(', ')} and confirm. Deadline: ${d.confirmBy}.`,
      ],
      links,
    ),
  }),

  'landing-test-call': (
    d: CaseData & { own400Number: string; fixedLines: string[]; confirmBy: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【待测试】拨打 ${d.own400Number} 验证落地 / Test call to ${d.own400Number}`,
    text: bilingual(
      [
        `企业已确认 ${d.own400Number} 落地到 ${d.fixedLines.join('、')}。请拨打该400号码，确认来电到达固话后，在 ${d.confirmBy} 前确认测试通过（confirm-test-call）。`,
      ],
      [
        `The enterprise confirmed ${d.own400Number} is landed on ${d.fixedLines.join(', ')}. Call the 400 number, check the call arrives on the fixed line, and confirm (confirm-test-call) by ${d.confirmBy}.`,
      ],
      links,
    ),
  }),

  'landing-test-call-record': (
    d: CaseData & { own400Number: string; fixedLines: string[]; until: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【请测试】拨打 ${d.own400Number} 验证落地 / Call ${d.own400Number} to prove the landing`,
    text: bilingual(
      [
        `请在 ${d.until} 前拨打您的400号码 ${d.own400Number}。来电须到达固话 ${d.fixedLines.join('、')}：平台从 SBC 的通话记录中看到这通来电后，接入即告完成，无需另行确认。`,
      ],
      [
        `Call your 400 number ${d.own400Number} by ${d.until}. The call must arrive on ${d.fixedLines.join(', ')}: once the SBC's call records show it, the landing is complete; nothing else to confirm.`,
      ],
      links,
    ),
  }),

  'landing-completed': (d: CaseData & { own400Number: string; fixedLines: string[] }, links: CaseLinks): Rendered => ({
    subject: `【已接通】400号码 ${d.own400Number} 已接入呼叫中心 / ${d.own400Number} is live`,
    text: bilingual(
      [`400号码 ${d.own400Number} 已落地到 ${d.fixedLines.join('、')}，测试来电已到达呼叫中心。`],
      [`${d.own400Number} is landed on ${d.fixedLines.join(', ')} and a test call reached the contact center.`],
      links,
    ),
  }),

  'landing-failed': (d: CaseData & { own400Number: string; reason: string }, links: CaseLinks): Rendered => ({
    subject: `【未完成】400号码 ${d.own400Number} 接入失败 / ${d.own400Number} not landed`,
    text: bilingual(
      [`400号码 ${d.own400Number} 的接入未能完成：${d.reason}`],
      [`Landing ${d.own400Number} could not be completed: ${d.reason}`],
      links,
    ),
  }),
} as const;
