/**
 * Email templates, one per event: Chinese first, English beside it. Workflows name a template and
 * pass its data; the email activity renders it, so history holds data, never rendered mail.
 */

export interface CaseLinks {
  /** The case in the API. */
  api: string;
  /** The case's history in the Temporal UI. */
  temporalUi: string;
}

export interface Rendered {
  subject: string;
  text: string;
}

interface CaseData {
  caseId: string;
  companyName: string;
}

const APPLICANT = {
  agent: '经办人 / authorised agent',
  'legal-representative': '法定代表人 / legal representative',
} as const;

function bilingual(zh: string[], en: string[], links?: CaseLinks): string {
  const footer = links ? ['', `案件 / Case: ${links.api}`, `历史 / History: ${links.temporalUi}`] : [];
  return [...zh, '', '----', '', ...en, ...footer, ''].join('\n');
}

/** Integer fen as yuan with cents. */
function yuan(fen: number): string {
  return (fen / 100).toFixed(2);
}

function lines(items: { path?: string; code: string; message: string }[]): string[] {
  return items.map((i) => `  - ${i.path ? `${i.path} ` : ''}[${i.code}] ${i.message}`);
}

export const templates = {
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

  'purchase-script-review': (
    d: CaseData & { numberType: string; quantity: number; round: number; dueAt: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【待审核】号码申请话术 ${d.companyName}（第${d.round}轮）/ Call script to review: ${d.companyName} (round ${d.round})`,
    text: bilingual(
      [
        `${d.companyName} 申请 ${d.quantity} 个${d.numberType === '400' ? '400' : '固话'}号码，请在 ${d.dueAt} 前审核其外呼话术。`,
      ],
      [
        `${d.companyName} applies for ${d.quantity} ${d.numberType} number(s). Please review the call script by ${d.dueAt}.`,
      ],
      links,
    ),
  }),

  'purchase-script-reminder': (
    d: CaseData & { waitingSince: string; reminder: number },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【审核超时提醒 ${d.reminder}】号码申请话术 ${d.companyName} / Script review overdue (reminder ${d.reminder})`,
    text: bilingual(
      [`${d.companyName} 的话术自 ${d.waitingSince} 起等待审核。`],
      [`The call script of ${d.companyName} has waited for review since ${d.waitingSince}.`],
      links,
    ),
  }),

  'purchase-script-rejected': (
    d: CaseData & { reason: string; automatic: boolean; resubmitBy: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【话术未通过】号码申请 / Call script rejected: ${d.companyName}`,
    text: bilingual(
      [
        `${d.automatic ? '话术自动检查未通过' : '话术审核未通过'}：${d.reason}`,
        `请修改话术后在 ${d.resubmitBy} 前重新提交。`,
      ],
      [
        `${d.automatic ? 'The automatic script check failed' : 'Support rejected the call script'}: ${d.reason}`,
        `Please correct the script and resubmit by ${d.resubmitBy}.`,
      ],
      links,
    ),
  }),

  'purchase-payment-required': (
    d: CaseData & { orderId: string; amountFen: number; balanceFen: number; payBy: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【待支付】号码订单 ${d.orderId} / Payment required for order ${d.orderId}`,
    text: bilingual(
      [
        `订单 ${d.orderId} 应付 ${yuan(d.amountFen)} 元（含首次三个月月租），账户余额 ${yuan(d.balanceFen)} 元，不足以支付。`,
        `请在 ${d.payBy} 前完成支付，逾期订单作废、号码释放。`,
      ],
      [
        `Order ${d.orderId} costs CNY ${yuan(d.amountFen)} (the first three months of rent); the balance of CNY ${yuan(d.balanceFen)} does not cover it.`,
        `Please pay by ${d.payBy}; after that the order is voided and the numbers are released.`,
      ],
      links,
    ),
  }),

  'purchase-400-routing': (d: CaseData & { numbers: string[]; instanceId: string }, links: CaseLinks): Rendered => ({
    subject: `【待配置路由】400号码 ${d.numbers.join(', ')} / Configure 400 routing`,
    text: bilingual(
      [
        `${d.companyName} 的 400 号码 ${d.numbers.join('、')} 已绑定实例 ${d.instanceId}，请配置号码路由后确认，电话才能呼入到呼叫中心。`,
      ],
      [
        `The 400 number(s) ${d.numbers.join(', ')} of ${d.companyName} are bound to instance ${d.instanceId}. Configure their routing and confirm, so calls reach the contact center.`,
      ],
      links,
    ),
  }),

  'purchase-activated': (
    d: CaseData & { numbers: string[]; instanceId: string; paidThrough: string; autoRenew: boolean },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【号码已开通】${d.numbers.join(', ')} / Numbers active`,
    text: bilingual(
      [
        `以下号码已开通并绑定实例 ${d.instanceId}：`,
        ...d.numbers.map((n) => `  - ${n}`),
        `月租已预付至 ${d.paidThrough}，${d.autoRenew ? '到期自动续费' : '请在到期前续费'}。`,
      ],
      [
        `These numbers are active on instance ${d.instanceId}:`,
        ...d.numbers.map((n) => `  - ${n}`),
        `Rent is prepaid until ${d.paidThrough}; ${d.autoRenew ? 'it renews automatically' : 'renew before then'}.`,
      ],
      links,
    ),
  }),

  'purchase-failed': (d: CaseData & { reason: string; undone: string[] }, links: CaseLinks): Rendered => ({
    subject: `【号码申请失败】/ Number purchase failed: ${d.companyName}`,
    text: bilingual(
      [`号码申请未能完成：${d.reason}`, ...(d.undone.length ? ['已撤销：', ...d.undone.map((u) => `  - ${u}`)] : [])],
      [
        `The number purchase could not be completed: ${d.reason}`,
        ...(d.undone.length ? ['Undone:', ...d.undone.map((u) => `  - ${u}`)] : []),
      ],
      links,
    ),
  }),

  'subscription-reminder': (
    d: CaseData & { numbers: string[]; expiresAt: string; amountFen: number },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【续费提醒】号码月租将于 ${d.expiresAt} 到期 / Rent due ${d.expiresAt}`,
    text: bilingual(
      [
        `号码 ${d.numbers.join('、')} 的月租将于 ${d.expiresAt} 到期，续费一个月 ${yuan(d.amountFen)} 元。到期后保留 7 天，之后号码释放。`,
      ],
      [
        `Rent for ${d.numbers.join(', ')} runs out on ${d.expiresAt}; one month costs CNY ${yuan(d.amountFen)}. Numbers are kept 7 days after expiry, then released.`,
      ],
      links,
    ),
  }),

  'subscription-renewed': (
    d: CaseData & { numbers: string[]; paidThrough: string; amountFen: number },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【已续费】号码月租至 ${d.paidThrough} / Renewed until ${d.paidThrough}`,
    text: bilingual(
      [`已扣除 ${yuan(d.amountFen)} 元，号码 ${d.numbers.join('、')} 月租有效期至 ${d.paidThrough}。`],
      [`CNY ${yuan(d.amountFen)} charged; ${d.numbers.join(', ')} are paid until ${d.paidThrough}.`],
      links,
    ),
  }),

  'subscription-in-grace': (
    d: CaseData & { numbers: string[]; releaseAt: string; amountFen: number; reason: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【号码已到期】${d.releaseAt} 前续费可保留号码 / Expired: renew by ${d.releaseAt}`,
    text: bilingual(
      [
        `号码 ${d.numbers.join('、')} 月租已到期（${d.reason}）。请在 ${d.releaseAt} 前续费（${yuan(d.amountFen)} 元），否则号码将被释放。`,
      ],
      [
        `Rent for ${d.numbers.join(', ')} has expired (${d.reason}). Renew by ${d.releaseAt} (CNY ${yuan(d.amountFen)}) or the numbers are released.`,
      ],
      links,
    ),
  }),

  'subscription-released': (d: CaseData & { numbers: string[]; reason: string }, links: CaseLinks): Rendered => ({
    subject: `【号码已释放】${d.numbers.join(', ')} / Numbers released`,
    text: bilingual(
      [`号码 ${d.numbers.join('、')} 已释放：${d.reason}。`],
      [`${d.numbers.join(', ')} have been released: ${d.reason}.`],
      links,
    ),
  }),

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

  'sip-review': (d: CaseData & { mode: string; summary: string; dueAt: string }, links: CaseLinks): Rendered => ({
    subject: `【待审核】SIP对接申请（${d.mode}）${d.companyName} / SIP ${d.mode} application to review`,
    text: bilingual(
      [`${d.companyName} 提交了 SIP 对接申请：${d.summary}。请在 ${d.dueAt} 前审核。`],
      [`${d.companyName} applied for SIP ${d.mode}: ${d.summary}. Please review by ${d.dueAt}.`],
      links,
    ),
  }),

  'sip-rejected': (d: CaseData & { reason: string }, links: CaseLinks): Rendered => ({
    subject: `【申请未通过】SIP对接 / SIP application rejected`,
    text: bilingual(
      [`您的 SIP 对接申请未通过：${d.reason}`],
      [`Your SIP application was rejected: ${d.reason}`],
      links,
    ),
  }),

  'sbc-manual-change': (d: CaseData & { change: string; details: string }, links: CaseLinks): Rendered => ({
    subject: `【待人工操作】SBC变更：${d.change} / Manual SBC change: ${d.change}`,
    text: bilingual(
      [`该 SBC 无管理接口，请手工完成以下变更后确认（confirm-sbc-change，change=${d.change}）：`, `  ${d.details}`],
      [
        `This SBC has no API. Make this change by hand, then confirm it (confirm-sbc-change, change=${d.change}):`,
        `  ${d.details}`,
      ],
      links,
    ),
  }),

  'trunk-whitelist': (
    d: CaseData & { inbound: string[]; outbound: string[]; gateway: string; reminder?: number },
    links: CaseLinks,
  ): Rendered => ({
    subject: `${d.reminder ? `【提醒 ${d.reminder}】` : ''}【请添加白名单】平台信令地址 / Allow the platform's signalling addresses`,
    text: bilingual(
      [
        `我方已将您的网关 ${d.gateway} 加入白名单。请在您的网关/运营商侧放通以下平台信令地址（UDP/TCP），完成后确认（confirm-whitelist）：`,
        '  呼入（您发送呼叫到）：',
        ...d.inbound.map((a) => `    ${a}`),
        '  呼出/回程（平台从以下地址呼叫您）：',
        ...d.outbound.map((a) => `    ${a}`),
        '网关需支持松散路由，信令原路返回。',
      ],
      [
        `Your gateway ${d.gateway} is on our allowlist. Allow these platform signalling addresses on your side, then confirm (confirm-whitelist):`,
        '  Inbound (send your calls to):',
        ...d.inbound.map((a) => `    ${a}`),
        '  Outbound / return (the platform calls you from):',
        ...d.outbound.map((a) => `    ${a}`),
        'The gateway must support loose routing and return signalling on the original path.',
      ],
      links,
    ),
  }),

  'trunk-gateway-needed': (d: CaseData & { gateway: string; reminder?: number }, links: CaseLinks): Rendered => ({
    subject: `${d.reminder ? `【提醒 ${d.reminder}】` : ''}【需要网关】您的运营商不支持 SIP 中继 / A SIP gateway is needed`,
    text: bilingual(
      [
        '您表示号码运营商不支持 SIP 中继。请先咨询运营商能否协助变更为 SIP 中继方式；如无法变更，请购买网关设备和 SIP 服务，搭建一套 SIP 中继服务与平台对接。',
        `网关（申请中填写的 ${d.gateway}）必须支持：`,
        '  1. 松散路由（loose routing，Record-Route/Route 头中的 lr 参数）；',
        '  2. SIP 信令原路返回（响应和后续请求沿原路径返回）。',
        '网关就绪后请确认（confirm-gateway-ready），申请随后进入审核。',
      ],
      [
        "You said your numbers' carrier does not support SIP trunking. Ask the carrier whether it can switch the numbers to a SIP trunk; if it cannot, buy a gateway device and SIP service and build a SIP trunk of your own to connect to the platform.",
        `The gateway (${d.gateway} in your application) must support:`,
        '  1. loose routing (the lr parameter in Record-Route/Route headers);',
        '  2. same-path signalling (responses and later requests return along the path they came).',
        'Once the gateway is in place, confirm (confirm-gateway-ready); the application then goes to review.',
      ],
      links,
    ),
  }),

  'trunk-connectivity-failed': (
    d: CaseData & { target: string; from: string; sent: string; attempts: number; window: string; result: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【连通性检测失败】网关 ${d.target} 无响应 / Connectivity check failed: ${d.target}`,
    text: bilingual(
      [
        `平台在 ${d.window} 内从 ${d.from} 向您的网关 ${d.target} 发送了 ${d.attempts} 次 SIP OPTIONS，结果：${d.result}。`,
        `发送的请求：${d.sent}`,
        '请检查：网关是否在线、防火墙/白名单是否放通平台地址、端口与传输协议是否正确。修复后请重试（retry-connectivity）。',
      ],
      [
        `The platform sent SIP OPTIONS ${d.attempts} time(s) over ${d.window} from ${d.from} to your gateway ${d.target}; result: ${d.result}.`,
        `Request sent: ${d.sent}`,
        'Check that the gateway is up, that your firewall/allowlist admits the platform addresses, and the port and transport. Then retry (retry-connectivity).',
      ],
      links,
    ),
  }),

  'sip-inbound-test': (
    d: CaseData & { numbers: string[]; from: string; until: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【请拨打测试电话】呼入测试 / Place the inbound test call`,
    text: bilingual(
      [
        `请从 ${d.from} 拨打以下任一号码进行呼入测试（${d.until} 前）：`,
        ...d.numbers.map((n) => `  - ${n}`),
        '平台识别到来电后会自动继续。',
      ],
      [
        `Please place a test call from ${d.from} to any of these numbers (by ${d.until}):`,
        ...d.numbers.map((n) => `  - ${n}`),
        'The case moves on by itself once the platform sees the call.',
      ],
      links,
    ),
  }),

  'sip-report': (
    d: CaseData & { passed: boolean; checks: { name: string; passed: boolean; detail: string; at: string }[] },
    links: CaseLinks,
  ): Rendered => {
    const rows = d.checks.map((c) => `  [${c.passed ? 'PASS' : 'FAIL'}] ${c.name}: ${c.detail} (${c.at})`);
    return {
      subject: `【SIP对接${d.passed ? '完成' : '未通过'}】测试报告 / SIP onboarding report: ${d.passed ? 'passed' : 'failed'}`,
      text: bilingual(
        [`SIP 对接测试${d.passed ? '全部通过，号码已分配到实例' : '未通过'}：`, ...rows],
        [`SIP onboarding ${d.passed ? 'passed; the numbers are assigned to the instance' : 'failed'}:`, ...rows],
        links,
      ),
    };
  },

  'sip-credentials': (
    d: CaseData & {
      username: string;
      password: string;
      realm: string;
      registrar: string;
      transport: string;
      rotation: number;
      freeswitchXml?: string;
      freeswitchPath?: string;
      freeswitchOriginate?: string;
    },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【SIP注册账号${d.rotation > 0 ? '（已更换密码）' : ''}】${d.username}@${d.realm} / SIP gateway account${d.rotation > 0 ? ' (new password)' : ''}`,
    text: bilingual(
      [
        '您的网关注册账号如下（密码仅发送这一次，请妥善保存；此前的密码已失效）：',
        `  用户名：${d.username}`,
        `  密码：${d.password}`,
        `  域（realm）：${d.realm}`,
        `  注册服务器/代理：${d.registrar}`,
        `  传输协议：${d.transport.toUpperCase()}（推荐 TCP：公网上大的 UDP 包易被丢弃）`,
        ...(d.freeswitchXml
          ? [
              '',
              `FreeSWITCH 网关配置（保存为 ${d.freeswitchPath ?? 'conf/sip_profiles/external/ 下的文件'}，然后执行 sofia profile external rescan）：`,
              '',
              d.freeswitchXml,
            ]
          : []),
        ...(d.freeswitchOriginate
          ? ['', '注册成功后，在 fs_cli 中用以下命令拨打第一通测试电话（呼入您的线路）：', '', d.freeswitchOriginate]
          : []),
      ],
      [
        'Your gateway registration account (the password is sent this once; keep it safe; any earlier password no longer works):',
        `  Username: ${d.username}`,
        `  Password: ${d.password}`,
        `  Realm: ${d.realm}`,
        `  Registrar / proxy: ${d.registrar}`,
        `  Transport: ${d.transport.toUpperCase()} (TCP recommended: large UDP packets get dropped on the public internet)`,
        ...(d.freeswitchXml
          ? [
              '',
              `The FreeSWITCH gateway file above goes in ${d.freeswitchPath ?? 'conf/sip_profiles/external/'} (then run sofia profile external rescan).`,
            ]
          : []),
        ...(d.freeswitchOriginate
          ? ['Once registered, the originate command above (in fs_cli) places the first test call, to your line.']
          : []),
      ],
      links,
    ),
  }),

  'sip-registration-reminder': (
    d: CaseData & { username: string; realm: string; reminder: number; deadline: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【提醒 ${d.reminder}】网关尚未注册 ${d.username}@${d.realm} / Reminder: gateway not registered yet`,
    text: bilingual(
      [
        `网关账号 ${d.username}@${d.realm} 尚未注册成功。请按账号邮件中的设置配置网关，${d.deadline} 前未注册将关闭申请。`,
      ],
      [
        `The gateway account ${d.username}@${d.realm} has not registered yet. Configure the gateway with the settings from the account email; the application closes at ${d.deadline}.`,
      ],
      links,
    ),
  }),

  'webhook-endpoint-disabled': (
    d: CaseData & { endpointId: string; url: string; reason: string },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【Webhook 已停用】${d.url} / Webhook endpoint disabled: ${d.url}`,
    text: bilingual(
      [
        `企业 ${d.companyName} 的 Webhook 端点 ${d.endpointId}（${d.url}）已停用：${d.reason}。修复接收端后，可在控制台或 API 重新启用，并从某个游标起重发事件。`,
      ],
      [
        `Webhook endpoint ${d.endpointId} (${d.url}) of ${d.companyName} was disabled: ${d.reason}. Once the receiver is fixed, enable it again in the console or the API (PATCH with enabled: true) and resend the events since a cursor.`,
      ],
      links,
    ),
  }),

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

  'contact-center-admin-password': (
    d: {
      caseId: string;
      centerName: string;
      adminName: string;
      adminEmail: string;
      password: string;
      consoleUrl: string;
      instanceId: string;
      reissue: number;
    },
    links: CaseLinks,
  ): Rendered => ({
    subject: `【联络中心管理员${d.reissue > 0 ? '新密码' : '账号'}】${d.centerName} / Contact center administrator ${d.reissue > 0 ? 'password re-issued' : 'account'}: ${d.centerName}`,
    text: bilingual(
      [
        `${d.adminName}，您好：联络中心「${d.centerName}」（实例 ${d.instanceId}）的管理员${d.reissue > 0 ? '密码已重新签发，此前的密码已失效' : '账号已开通'}。`,
        `  登录地址：${d.consoleUrl}`,
        `  用户名（邮箱）：${d.adminEmail}`,
        `  密码：${d.password}`,
        '密码仅在本邮件中显示这一次，系统不保存明文，请登录后妥善保管；如遗失，可申请重新签发。',
      ],
      [
        `Hello ${d.adminName}: the administrator ${d.reissue > 0 ? 'password of' : 'account for'} the contact center "${d.centerName}" (instance ${d.instanceId}) ${d.reissue > 0 ? 'has been re-issued; any earlier password no longer works' : 'is ready'}.`,
        `  Sign in at: ${d.consoleUrl}`,
        `  Username (email): ${d.adminEmail}`,
        `  Password: ${d.password}`,
        'The password is shown this once, in this email only; it is not stored in readable form. Keep it safe; if lost, ask for a new one to be issued.',
      ],
      links,
    ),
  }),

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

  'case-cancelled': (d: CaseData & { kindLabel: string; reason?: string }, links: CaseLinks): Rendered => ({
    subject: `【已取消】${d.kindLabel} ${d.caseId} / Cancelled: ${d.caseId}`,
    text: bilingual(
      [`案件 ${d.caseId}（${d.kindLabel}）已取消。${d.reason ? `原因：${d.reason}` : ''}`],
      [`Case ${d.caseId} (${d.kindLabel}) was cancelled.${d.reason ? ` Reason: ${d.reason}` : ''}`],
      links,
    ),
  }),
} as const;

export type TemplateName = keyof typeof templates;
export type TemplateData<N extends TemplateName> = Parameters<(typeof templates)[N]>[0];

export function renderEmail<N extends TemplateName>(name: N, data: TemplateData<N>, links: CaseLinks): Rendered {
  const render = templates[name] as (d: TemplateData<N>, l: CaseLinks) => Rendered;
  return render(data, links);
}
