/**
 * The shape of the third-party supplier catalogue (seed 004, 第三方线路申请): industries, suppliers,
 * number kinds, prices and products. The products themselves are in `data.ts`. Pure.
 */
import { z } from 'zod';

export interface Label {
  zh: string;
  en: string;
}

/**
 * Industries an application declares. Every business a product of seed 004 bans or names, plus a
 * few common ones. Codes are coarse where the seed's wording is (e.g. 金融保险 -> insurance);
 * the zh label quotes the seed's words.
 */
const INDUSTRY_LABELS = {
  // 金融类
  lending: { zh: '贷款', en: 'lending' },
  'loan-sharking': { zh: '高利贷', en: 'loan sharking' },
  'debt-collection': { zh: '催收催缴', en: 'debt collection' },
  'precious-metals': { zh: '贵金属交易（纸黄金等）', en: 'precious-metals trading (paper gold etc.)' },
  stocks: { zh: '股票软件或股票推荐', en: 'stock software or stock tips' },
  futures: { zh: '期货', en: 'futures' },
  insurance: { zh: '金融保险', en: 'insurance' },
  'internet-finance': { zh: '互联网金融', en: 'internet finance' },
  'online-lending': { zh: '网贷', en: 'online lending' },
  'tax-services': { zh: '财税', en: 'finance and tax services' },
  // 医疗器械、医药、医美类
  medical: { zh: '医疗、医药销售', en: 'medical care and pharmaceutical sales' },
  'medical-devices': { zh: '医疗器械', en: 'medical devices' },
  'medical-aesthetics': { zh: '医美（医疗美容）', en: 'medical aesthetics' },
  'retail-telemarketing': { zh: '零售推销', en: 'retail telemarketing' },
  'infant-products': { zh: '卖奶粉等婴幼儿用品', en: 'infant formula and baby products' },
  'goat-milk': { zh: '羊奶', en: 'goat milk' },
  'health-supplements': { zh: '保健', en: 'health supplements' },
  // 呼叫中心类
  'blind-calling-services': { zh: '坐席盲呼业务', en: 'agent blind-calling services' },
  robocalling: { zh: '机器人外呼', en: 'robot outbound calling' },
  // 房地产
  'real-estate': {
    zh: '房地产（新房营销、房产中介、房产营销）',
    en: 'real estate (new homes, agencies, property marketing)',
  },
  'home-renovation': { zh: '装修', en: 'home renovation' },
  // 其他业务类
  'invoice-issuing': { zh: '代开发票', en: 'issuing invoices for others' },
  bookkeeping: { zh: '代做账', en: 'bookkeeping for others' },
  'personal-calls': { zh: '个人电话业务', en: 'personal telephone business' },
  'ip-agency': { zh: '知识产权代理', en: 'intellectual-property agency' },
  'telecom-vas': { zh: '运营商增值业务', en: 'telecom value-added services' },
  'pos-terminals': { zh: 'POS机销售', en: 'POS terminal sales' },
  'scan-to-move-car': { zh: '扫码挪车', en: 'scan-to-move-car codes' },
  tobacco: { zh: '烟', en: 'tobacco' },
  alcohol: { zh: '酒、酒水', en: 'alcohol' },
  tea: { zh: '茶叶', en: 'tea' },
  games: { zh: '游戏', en: 'games' },
  affiliation: { zh: '挂靠', en: 'qualification affiliation (挂靠)' },
  'franchise-recruitment': { zh: '招商', en: 'franchise and investment recruitment' },
  gambling: { zh: '棋牌赌博', en: 'gambling (chess and card games)' },
  // Named as supported or promoted by some product, or common elsewhere.
  education: { zh: '教育', en: 'education' },
  matchmaking: { zh: '婚恋', en: 'dating and matchmaking' },
  'enterprise-services': { zh: '企业服务', en: 'enterprise services' },
  ecommerce: { zh: '电商', en: 'e-commerce' },
  logistics: { zh: '物流', en: 'logistics' },
  saas: { zh: '软件/SaaS', en: 'software / SaaS' },
  manufacturing: { zh: '制造业', en: 'manufacturing' },
  retail: { zh: '零售', en: 'retail' },
  other: { zh: '其他', en: 'other' },
} as const satisfies Record<string, Label>;

export type IndustryCode = keyof typeof INDUSTRY_LABELS;
export const INDUSTRY_CODES = Object.keys(INDUSTRY_LABELS) as [IndustryCode, ...IndustryCode[]];
export const INDUSTRIES: readonly ({ code: IndustryCode } & Label)[] = INDUSTRY_CODES.map((code) => ({
  code,
  ...INDUSTRY_LABELS[code],
}));
export const industrySchema = z.enum(INDUSTRY_CODES);

export function industryLabel(code: IndustryCode): Label {
  return INDUSTRY_LABELS[code];
}

export const SUPPLIERS = ['A', 'B', 'C'] as const;
export type Supplier = (typeof SUPPLIERS)[number];

/** Kinds of number a supplier opens; virtual mobile numbers look like mobiles on the network. */
export const NUMBER_KINDS = ['fixed-line', '400', '95', 'mobile', 'virtual-mobile'] as const;
export type NumberKind = (typeof NUMBER_KINDS)[number];

export type CallDirection = 'inbound' | 'outbound';

export interface Range {
  min: number;
  max: number;
}

/** A window in China Standard Time, `HH:MM`. */
export interface TimeWindow {
  from: string;
  to: string;
}

/**
 * An amount and what it is counted on. `per` is undefined where the seed does not say whether it
 * is per number or per account; a quote then counts it once, and says so.
 */
export interface Amount {
  fen: number;
  per?: 'number' | 'account';
}

/** A 400 package: fixed amount, or any amount in a range; minutes = amount / per-minute rate. */
export interface Package400 {
  fen: number;
  maxFen?: number;
  perMinuteFen?: number;
}

export interface Prices {
  /** Per number. */
  monthlyRentFen?: number;
  /** Per number, billed a year at a time. */
  annualRentFen?: number;
  minimumMonthlySpend?: Amount;
  /** Prepaid call credit: one tier is bought per year. */
  prepaidCreditPerYear?: { tiersFen: readonly number[]; per?: 'number' | 'account' };
  /** Least first prepayment of call credit. */
  firstPrepaymentMin?: Amount;
  /** 400 packages, each bought per 400 number for `termMonths`. */
  packages400?: { termMonths: number; tiers: readonly Package400[] };
  inboundPerMinuteFen?: number;
  outboundPerMinuteFen?: number;
}

export interface Concurrency {
  /** Concurrent calls a number carries by default. */
  defaultConcurrentCalls?: number;
  /** Hard cap per number. */
  maxConcurrentCallsPerNumber?: number;
  agentsPerNumber?: number;
}

export const PRODUCT_IDS = [
  'a-aftersales-fixed',
  'a-invitation-fixed',
  'a-400',
  'a-mobile',
  'a-marketing-mobile',
  'b-sip-marketing',
  'b-virtual',
  'c-fixed',
  'c-95',
] as const;
export type ProductId = (typeof PRODUCT_IDS)[number];
export const productIdSchema = z.enum(PRODUCT_IDS);

export interface Product {
  id: ProductId;
  supplier: Supplier;
  name: Label;
  numberKind: NumberKind;
  scenarios: readonly CallDirection[];
  concurrency?: Concurrency;
  /** Cities with numbers in stock; null when nothing is stocked and numbers are opened on demand. */
  stockCities: readonly string[] | null;
  minQuantityPerRegion?: number;
  bannedIndustries?: readonly IndustryCode[];
  /** Industries the seed names as supported or promoted (支持/主推): informative, not a whitelist. */
  supportedIndustries?: readonly IndustryCode[];
  bannedScriptPhrases?: readonly string[];
  /** Alternatives: the line uses one of these, by business scenario. */
  callingHours?: readonly TimeWindow[];
  perCalleeDailyLimit?: number | Range;
  /** What counts as a call toward the per-callee limit. */
  perCalleeCountedOn?: 'rung-or-answered' | 'answered';
  /** 禁止呼叫历史产生投诉的用户. */
  noCallingPastComplainants?: boolean;
  noBlindCalling?: boolean;
  /** Provinces (or municipalities) the product does not serve; [] where the seed says "no blind area". */
  blindRegions?: readonly string[];
  leadTimeWorkingDays?: Range;
  prices: Prices;
  requirements: readonly string[];
  notes: readonly string[];
}

/** 003 Q6: suppliers block numbers that call out too often; keep a number's outbound concurrency under about 20. */
export const SUPPLIER_OUTBOUND_CONCURRENCY_GUIDE = 20;
