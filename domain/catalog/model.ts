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
 * a row is `[code, zh, en]`, the zh label quoting the seed's words.
 */
const INDUSTRY_TABLE = [
  // 金融类
  ['lending', '贷款', 'lending'],
  ['loan-sharking', '高利贷', 'loan sharking'],
  ['debt-collection', '催收催缴', 'debt collection'],
  ['precious-metals', '贵金属交易（纸黄金等）', 'precious-metals trading (paper gold etc.)'],
  ['stocks', '股票软件或股票推荐', 'stock software or stock tips'],
  ['futures', '期货', 'futures'],
  ['insurance', '金融保险', 'insurance'],
  ['internet-finance', '互联网金融', 'internet finance'],
  ['online-lending', '网贷', 'online lending'],
  ['tax-services', '财税', 'finance and tax services'],
  // 医疗器械、医药、医美类
  ['medical', '医疗、医药销售', 'medical care and pharmaceutical sales'],
  ['medical-devices', '医疗器械', 'medical devices'],
  ['medical-aesthetics', '医美（医疗美容）', 'medical aesthetics'],
  ['retail-telemarketing', '零售推销', 'retail telemarketing'],
  ['infant-products', '卖奶粉等婴幼儿用品', 'infant formula and baby products'],
  ['goat-milk', '羊奶', 'goat milk'],
  ['health-supplements', '保健', 'health supplements'],
  // 呼叫中心类
  ['blind-calling-services', '坐席盲呼业务', 'agent blind-calling services'],
  ['robocalling', '机器人外呼', 'robot outbound calling'],
  // 房地产
  ['real-estate', '房地产（新房营销、房产中介、房产营销）', 'real estate (new homes, agencies, property marketing)'],
  ['home-renovation', '装修', 'home renovation'],
  // 其他业务类
  ['invoice-issuing', '代开发票', 'issuing invoices for others'],
  ['bookkeeping', '代做账', 'bookkeeping for others'],
  ['personal-calls', '个人电话业务', 'personal telephone business'],
  ['ip-agency', '知识产权代理', 'intellectual-property agency'],
  ['telecom-vas', '运营商增值业务', 'telecom value-added services'],
  ['pos-terminals', 'POS机销售', 'POS terminal sales'],
  ['scan-to-move-car', '扫码挪车', 'scan-to-move-car codes'],
  ['tobacco', '烟', 'tobacco'],
  ['alcohol', '酒、酒水', 'alcohol'],
  ['tea', '茶叶', 'tea'],
  ['games', '游戏', 'games'],
  ['affiliation', '挂靠', 'qualification affiliation (挂靠)'],
  ['franchise-recruitment', '招商', 'franchise and investment recruitment'],
  ['gambling', '棋牌赌博', 'gambling (chess and card games)'],
  // Named as supported or promoted by some product, or common elsewhere.
  ['education', '教育', 'education'],
  ['matchmaking', '婚恋', 'dating and matchmaking'],
  ['enterprise-services', '企业服务', 'enterprise services'],
  ['ecommerce', '电商', 'e-commerce'],
  ['logistics', '物流', 'logistics'],
  ['saas', '软件/SaaS', 'software / SaaS'],
  ['manufacturing', '制造业', 'manufacturing'],
  ['retail', '零售', 'retail'],
  ['other', '其他', 'other'],
] as const satisfies readonly (readonly [code: string, zh: string, en: string])[];

export type IndustryCode = (typeof INDUSTRY_TABLE)[number][0];
export const INDUSTRIES: readonly ({ code: IndustryCode } & Label)[] = INDUSTRY_TABLE.map(([code, zh, en]) => ({
  code,
  zh,
  en,
}));
export const INDUSTRY_CODES = INDUSTRIES.map((i) => i.code) as [IndustryCode, ...IndustryCode[]];
export const industrySchema = z.enum(INDUSTRY_CODES);

const LABELS = new Map<IndustryCode, Label>(INDUSTRIES.map(({ code, zh, en }) => [code, { zh, en }]));

export function industryLabel(code: IndustryCode): Label {
  return LABELS.get(code)!;
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
