/** Emails of number purchase (`number-purchase`). */
import { bilingual, yuan, type CaseData, type CaseLinks, type Rendered } from '../common';

export const numberPurchaseTemplates = {
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
} as const;
