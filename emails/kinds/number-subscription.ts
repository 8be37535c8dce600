/** Emails of a number in service (`number-subscription`). */
import { bilingual, yuan, type CaseData, type CaseLinks, type Rendered } from '../common';

export const numberSubscriptionTemplates = {
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
} as const;
