/**
 * Third-party supplier products, transcribed from seed 004 (第三方线路申请): what each supplier
 * sells, for which calls, under which restrictions, at which (indicative) prices. Where the seed
 * says nothing a field is left undefined, never guessed; where it is unclear, `notes` says so.
 * Suppliers stay neutral letters, as in the seed. Amounts are integer fen. Pure.
 */
import { z } from 'zod';
import { addWorkingDays } from './working-days';

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

const yuan = (amount: number): number => Math.round(amount * 100);

// Supplier A's two fixed-line products share the banned list and call policy word for word.
const A_FIXED_BANNED: readonly IndustryCode[] = [
  // 金融类（贷款、高利贷、催收催缴、贵金属交易、股票软件或股票推荐、期货、金融保险、互联网金融等）
  'lending',
  'loan-sharking',
  'debt-collection',
  'precious-metals',
  'stocks',
  'futures',
  'insurance',
  'internet-finance',
  'online-lending',
  // 医疗器械、医药、医美类（营销外呼医药销售、零售推销、医美、医疗器械、卖奶粉等婴幼儿用品）
  'medical',
  'retail-telemarketing',
  'medical-aesthetics',
  'medical-devices',
  'infant-products',
  // 呼叫中心类
  'blind-calling-services',
  'robocalling',
  // 房地产（新房营销、装修、房产中介）
  'real-estate',
  'home-renovation',
  // 其他业务类
  'invoice-issuing',
  'bookkeeping',
  'personal-calls',
  'ip-agency',
  'telecom-vas',
  'pos-terminals',
  'scan-to-move-car',
  'tobacco',
  'alcohol',
  'tea',
  'games',
];
const A_FIXED_PHRASES = ['加微信', '加QQ', '抖音培训'] as const;
const A_CALLING_HOURS: readonly TimeWindow[] = [{ from: '08:00', to: '22:00' }];
const A_FIXED_PRICES: Prices = {
  monthlyRentFen: yuan(35),
  annualRentFen: yuan(420),
  prepaidCreditPerYear: { tiersFen: [3000, 5000, 7000, 10000, 12000, 15000, 20000].map(yuan) },
  outboundPerMinuteFen: yuan(0.11),
  inboundPerMinuteFen: 0,
};
const A_FIXED_NOTES = [
  'Calling hours: in principle no calls in rest time; line suppliers may differ (原则上休息时间不允许呼叫，不同的线路商可能会有不同).',
  'Per-callee limit: five calls a day, ringing or answered counts as one; never call users with a complaint history.',
  'Prepaid credit: the carrier sets the minimum tier by number (最低套餐根据运营商号码定价); the seed does not say per number or per account.',
  'Phrase 抖音培训 is banned as in 抖音培训（创业） (Douyin start-up training).',
];

/** "金融保险业" as the seed uses it for supplier A mobile and supplier B: the whole finance group. */
const FINANCE_AND_INSURANCE: readonly IndustryCode[] = [
  'lending',
  'loan-sharking',
  'debt-collection',
  'precious-metals',
  'stocks',
  'futures',
  'insurance',
  'internet-finance',
  'online-lending',
];

const B_REQUIREMENTS = [
  'Numbers anywhere in the country; at least 10 numbers per region in one application (全国号码，一次地区申请至少10个号码).',
];

// Supplier C's entry covers fixed lines and 95 numbers alike; it is split by number kind only.
const C_COMMON = {
  supplier: 'C',
  scenarios: ['inbound', 'outbound'],
  stockCities: null,
  bannedIndustries: [
    'lending',
    'stocks',
    'precious-metals',
    'futures',
    'medical',
    'medical-devices',
    'medical-aesthetics',
    'goat-milk',
    'tax-services',
    'home-renovation',
    'real-estate',
    'affiliation',
    'telecom-vas',
    'alcohol',
    'tea',
    'franchise-recruitment',
    'ip-agency',
    'online-lending',
    'gambling',
    'health-supplements',
  ],
  supportedIndustries: ['debt-collection', 'lending', 'insurance', 'education', 'games'],
  bannedScriptPhrases: ['威胁', '骂人', '下载', '加qq', '留手机号码'],
  callingHours: [
    { from: '08:00', to: '20:00' },
    { from: '09:00', to: '20:00' },
  ],
  perCalleeDailyLimit: { min: 1, max: 5 },
  prices: {},
} as const satisfies Partial<Product>;
const C_NOTES = [
  'Scenarios: the seed names number kinds (固话或95号码), not directions; outbound is implied by its calling rules, inbound by "mixed-display numbers cannot take inbound calls" (so dedicated numbers can).',
  'Concurrency depends on the number kind (号码并发根据号码类型决定); the minimum quantity is whatever the carrier says.',
  'Supports 催收、回访贷款、保险、教育、游戏 (collection; follow-up calls for loans, insurance, education, games), yet lists 贷款 and 网贷 as banned: lending applicants are refused here and go to support.',
  'Also banned: any other business against national policy (等违反国家政策业务); 医疗 read as covering medical devices.',
  'Calling hours 08:00-20:00 or 09:00-20:00 depending on the business scenario.',
  'Blind areas differ by business; ask the carrier (具体以咨询运营商为准).',
  'Per-callee limit: 1-5 calls depending on the line (被叫限呼次数为(1-5）次); the seed states no period.',
  'Prices: dedicated numbers have monthly rent and a minimum spend (amounts not given); mixed-display numbers (random caller ID, no fixed number, cannot take inbound calls) have no monthly rent.',
];

export const CATALOG: readonly Product[] = [
  {
    id: 'a-aftersales-fixed',
    supplier: 'A',
    name: { zh: '售后（回访）类业务固话', en: 'After-sales (follow-up) fixed line' },
    numberKind: 'fixed-line',
    scenarios: ['inbound', 'outbound'],
    concurrency: { defaultConcurrentCalls: 30 },
    stockCities: [
      '北京',
      '天津',
      '重庆',
      '上海',
      '无锡',
      '南京',
      '南通',
      '连云港',
      '佛山',
      '惠州',
      '广州',
      '深圳',
      '宁波',
      '金华',
      '济南',
      '青岛',
      '太原',
      '呼和浩特',
      '哈尔滨',
      '福州',
      '南昌',
      '合肥',
    ],
    bannedIndustries: A_FIXED_BANNED,
    bannedScriptPhrases: A_FIXED_PHRASES,
    callingHours: A_CALLING_HOURS,
    perCalleeDailyLimit: 5,
    perCalleeCountedOn: 'rung-or-answered',
    noCallingPastComplainants: true,
    noBlindCalling: true,
    blindRegions: [],
    prices: A_FIXED_PRICES,
    requirements: [
      'Numbers in 北京/上海/广州/深圳 are scarce; stock is refreshed irregularly (北上广深号码比较稀缺，不定期更新).',
    ],
    notes: [
      'Concurrency: 30 by default; the carrier has the final say.',
      'Stocked lines have no blind area (存号线路：无盲区).',
      ...A_FIXED_NOTES,
    ],
  },
  {
    id: 'a-invitation-fixed',
    supplier: 'A',
    name: { zh: '邀约类业务固话', en: 'Invitation fixed line' },
    numberKind: 'fixed-line',
    scenarios: ['inbound', 'outbound'],
    stockCities: null,
    bannedIndustries: A_FIXED_BANNED,
    bannedScriptPhrases: A_FIXED_PHRASES,
    callingHours: A_CALLING_HOURS,
    perCalleeDailyLimit: 5,
    perCalleeCountedOn: 'rung-or-answered',
    noCallingPastComplainants: true,
    noBlindCalling: true,
    blindRegions: ['新疆', '西藏'],
    leadTimeWorkingDays: { min: 7, max: 30 },
    prices: A_FIXED_PRICES,
    requirements: [
      'No stock: each line is applied for separately, opened 7-30 working days after the materials pass review (号码不做库存，线路单独申请).',
    ],
    notes: ['Concurrency is whatever the carrier configures (并发数量以运营商配置为准).', ...A_FIXED_NOTES],
  },
  {
    id: 'a-400',
    supplier: 'A',
    name: { zh: '400', en: '400 number' },
    numberKind: '400',
    scenarios: ['inbound'],
    stockCities: null,
    prices: {
      packages400: {
        termMonths: 36,
        tiers: [
          { fen: yuan(3000), perMinuteFen: yuan(0.12) },
          { fen: yuan(5000), perMinuteFen: yuan(0.1) },
          { fen: yuan(7000) },
          { fen: yuan(10000) },
          { fen: yuan(15000), maxFen: yuan(50000), perMinuteFen: yuan(0.08) },
        ],
      },
    },
    requirements: [],
    notes: [
      'Requirements and restrictions are "--" in the seed.',
      'Packages are per 3 years; minutes = amount / per-minute rate. The seed gives no rate for the 7,000 and 10,000 yuan packages (its 0.08/min follows the 15,000-50,000 range).',
    ],
  },
  {
    id: 'a-mobile',
    supplier: 'A',
    name: { zh: '手机号码', en: 'Mobile number' },
    numberKind: 'mobile',
    scenarios: ['inbound', 'outbound'],
    concurrency: { maxConcurrentCallsPerNumber: 1, agentsPerNumber: 1 },
    stockCities: null,
    minQuantityPerRegion: 10,
    bannedIndustries: [...FINANCE_AND_INSURANCE, 'education', 'medical-aesthetics', 'real-estate'],
    callingHours: A_CALLING_HOURS,
    perCalleeDailyLimit: 5,
    perCalleeCountedOn: 'rung-or-answered',
    noCallingPastComplainants: true,
    noBlindCalling: true,
    prices: {
      monthlyRentFen: yuan(25),
      inboundPerMinuteFen: yuan(0.12),
      outboundPerMinuteFen: yuan(0.12),
      minimumMonthlySpend: { fen: yuan(2000), per: 'account' },
    },
    requirements: [
      'Numbers anywhere in the country may be applied for; the carrier confirms the region (全国号码可申请，具体地区以运营商反馈为准).',
      'At least 10 numbers per region (每个地区10个号码起).',
    ],
    notes: [
      'No concurrency: a number serves one agent (不支持并发，只能供一个坐席使用).',
      'Banned: 金融保险业, 教育, 医疗美容, 房产营销 and the like.',
      'Per-callee limit: five calls a day, ringing or answered counts as one; never call users with a complaint history.',
    ],
  },
  {
    id: 'a-marketing-mobile',
    supplier: 'A',
    name: { zh: '营销手机号码', en: 'Marketing mobile number' },
    numberKind: 'mobile',
    scenarios: ['outbound'],
    stockCities: null,
    supportedIndustries: ['real-estate', 'education', 'matchmaking', 'enterprise-services'],
    callingHours: [{ from: '08:00', to: '20:00' }],
    perCalleeDailyLimit: 1,
    perCalleeCountedOn: 'answered',
    blindRegions: ['北京', '新疆', '西藏'],
    prices: {
      monthlyRentFen: 0,
      outboundPerMinuteFen: yuan(0.15),
      minimumMonthlySpend: { fen: yuan(1000), per: 'account' },
      firstPrepaymentMin: { fen: yuan(10000) },
    },
    requirements: ['Mixed display of mobile numbers from across the country (混显全国手机小号).'],
    notes: [
      'Outbound only; the callee sees a mobile number local to them (打哪显示哪里手机小号).',
      'Promoted businesses (主推业务): 房产, 教育, 婚恋, 企业服务; the seed lists no banned ones.',
      'Same callee once a day; an answered call counts (同一被叫一天一次（接通算）).',
    ],
  },
  {
    id: 'b-sip-marketing',
    supplier: 'B',
    name: { zh: 'SIP营销小号', en: 'SIP marketing number' },
    numberKind: 'mobile',
    scenarios: ['outbound'],
    stockCities: null,
    minQuantityPerRegion: 10,
    bannedIndustries: FINANCE_AND_INSURANCE,
    noBlindCalling: true,
    prices: { monthlyRentFen: yuan(35), minimumMonthlySpend: { fen: yuan(20) }, outboundPerMinuteFen: yuan(0.13) },
    requirements: B_REQUIREMENTS,
    notes: [
      'Scenario in the seed: shows a mobile number (外显手机号); only an outbound rate is given, and 003 Q4 names SIP marketing numbers as the way to show a mobile caller ID.',
      'Minimum spend 20 yuan/month: the seed does not say per number or per account.',
    ],
  },
  {
    id: 'b-virtual',
    supplier: 'B',
    name: { zh: '虚拟号码', en: 'Virtual number' },
    numberKind: 'virtual-mobile',
    scenarios: ['inbound', 'outbound'],
    stockCities: null,
    minQuantityPerRegion: 10,
    bannedIndustries: FINANCE_AND_INSURANCE,
    noBlindCalling: true,
    prices: {
      monthlyRentFen: yuan(35),
      minimumMonthlySpend: { fen: yuan(20) },
      inboundPerMinuteFen: yuan(0.08),
      outboundPerMinuteFen: yuan(0.08),
    },
    requirements: [
      ...B_REQUIREMENTS,
      'Virtual mobile numbers are nationwide call-center numbers: a 全网呼叫中心增值电信业务经营许可证 is needed before applying (004 section 三).',
    ],
    notes: [
      'Scenario in the seed: shows a mobile number (外显手机号); rates are given for inbound and outbound (呼入呼出0.08元/分钟).',
      'The price cell repeats 月租35元/月，低消20元/月 twice; transcribed once. The seed does not say whether the minimum spend is per number or per account.',
    ],
  },
  {
    ...C_COMMON,
    id: 'c-fixed',
    name: { zh: '固话', en: 'Fixed line' },
    numberKind: 'fixed-line',
    requirements: ['Minimum quantity: ask the carrier (申请号码数量最低要求以实际咨询运营商为准).'],
    notes: ['Seed entry 8 (固话或95号码), fixed-line numbers.', ...C_NOTES],
  },
  {
    ...C_COMMON,
    id: 'c-95',
    name: { zh: '95号码', en: '95 number' },
    numberKind: '95',
    requirements: [
      'Minimum quantity: ask the carrier (申请号码数量最低要求以实际咨询运营商为准).',
      '95 numbers are nationwide call-center numbers: a 全网呼叫中心增值电信业务经营许可证 is needed before applying (004 section 三).',
    ],
    notes: ['Seed entry 8 (固话或95号码), 95 numbers.', ...C_NOTES],
  },
];

const BY_ID = new Map<string, Product>(CATALOG.map((p) => [p.id, p]));

export function productById(id: ProductId): Product;
export function productById(id: string): Product | undefined;
export function productById(id: string): Product | undefined {
  return BY_ID.get(id);
}

/** When a product with a stated lead time should be ready: working days after approval. */
export function leadTimeWindow(
  product: Product,
  approvedOn: string,
  holidays: readonly string[],
): { earliest: string; latest: string } | undefined {
  const lead = product.leadTimeWorkingDays;
  if (!lead) return undefined;
  return {
    earliest: addWorkingDays(approvedOn, lead.min, holidays),
    latest: addWorkingDays(approvedOn, lead.max, holidays),
  };
}

// ---------------------------------------------------------------------------------------------
// Quotes

export type QuoteItem =
  'annual-rent' | 'monthly-rent' | 'prepaid-credit' | '400-package' | 'minimum-spend' | 'first-prepayment';

export interface QuoteLine {
  item: QuoteItem;
  /** What the line is and how it was computed, in words. */
  description: string;
  unitFen: number;
  /** Units the unit amount is multiplied by (numbers x periods). */
  units: number;
  amountFen: number;
}

export interface Quote {
  productId: ProductId;
  quantity: number;
  months: number;
  lines: QuoteLine[];
  /** Sum of the lines: the least the enterprise commits to over the term, before call charges above it. */
  totalFen: number;
  /** Per-minute call charges on top (not in the total; 0 = free, undefined = not stated). */
  rates: { inboundPerMinuteFen?: number; outboundPerMinuteFen?: number };
  /** False when the seed gives no amounts for this product: the total is not a price. */
  priced: boolean;
  notes: string[];
}

export interface QuoteOptions {
  /** The prepaid-credit tier per year, or the 400 package; the lowest when left out. */
  tierFen?: number;
}

/** 004 section 二: who is paid what, whichever product. */
export const THIRD_PARTY_PAYMENT_NOTE =
  'Rent and call charges are paid to the supplier (cloud marketplace or offline); pay-as-you-go contact-center users also pay the platform a usage fee per minute of third-party calls. Prices are indicative (具体价格以实际咨询为准).';

/** 400 packages run three years, everything else is quoted for a year unless told otherwise. */
export function defaultQuoteMonths(product: Product): number {
  return product.prices.packages400?.termMonths ?? 12;
}

export function yuanText(fen: number): string {
  return `${(fen / 100).toFixed(2)} yuan`;
}

/** Minutes a 400 package buys, where its rate is known. */
export function packageMinutes(pkg: Package400, amountFen = pkg.fen): number | undefined {
  return pkg.perMinuteFen ? Math.floor(amountFen / pkg.perMinuteFen) : undefined;
}

/**
 * An itemised quote for `quantity` numbers over `months`, in fen. It contains what the seed prices
 * for the product, each line saying what it is:
 * - rent: annual rent x numbers x whole years (months rounded up to years) where the seed prices
 *   by the year, else monthly rent x numbers x months (a 0 line where the seed says "no rent");
 * - prepaid call credit: the chosen tier (lowest by default) x years;
 * - 400 package: the chosen package (lowest by default) x 400 numbers x 3-year terms;
 * - minimum monthly spend x months (x numbers only where the seed says per number);
 * - first prepayment minimum, once.
 * Amounts whose basis the seed leaves open (per number or per account) are counted once and said so.
 * Per-minute charges are usage, so they are listed in `rates`, not in the total.
 */
export function quote(
  product: Product,
  quantity: number,
  months: number = defaultQuoteMonths(product),
  options: QuoteOptions = {},
): Quote {
  if (!Number.isInteger(quantity) || quantity < 1)
    throw new RangeError(`quantity must be a whole number >= 1, not ${quantity}`);
  if (!Number.isInteger(months) || months < 1)
    throw new RangeError(`months must be a whole number >= 1, not ${months}`);
  const p = product.prices;
  const lines: QuoteLine[] = [];
  const notes: string[] = [];
  const line = (item: QuoteItem, description: string, unitFen: number, units: number) =>
    lines.push({ item, description, unitFen, units, amountFen: unitFen * units });
  const years = Math.ceil(months / 12);
  const n = `${quantity} number(s)`;

  if (p.annualRentFen !== undefined) {
    line(
      'annual-rent',
      `annual rent ${yuanText(p.annualRentFen)} per number x ${n} x ${years} year(s) (billed by the year; ${months} month(s) rounded up)`,
      p.annualRentFen,
      quantity * years,
    );
  } else if (p.monthlyRentFen !== undefined) {
    const what = p.monthlyRentFen === 0 ? 'no monthly rent' : `monthly rent ${yuanText(p.monthlyRentFen)} per number`;
    line('monthly-rent', `${what} x ${n} x ${months} month(s)`, p.monthlyRentFen, quantity * months);
  }

  if (p.prepaidCreditPerYear) {
    const tiers = p.prepaidCreditPerYear.tiersFen;
    const tier = options.tierFen ?? Math.min(...tiers);
    if (!tiers.includes(tier))
      throw new RangeError(
        `${yuanText(tier)} is not a prepaid-credit tier of ${product.id}: ${tiers.map(yuanText).join(', ')}`,
      );
    const perNumber = p.prepaidCreditPerYear.per === 'number';
    const basis = perNumber ? ` x ${n}` : ' (the seed does not say per number or per account: counted once)';
    line(
      'prepaid-credit',
      `prepaid call credit, tier ${yuanText(tier)} per year x ${years} year(s)${basis}`,
      tier,
      years * (perNumber ? quantity : 1),
    );
  }

  if (p.packages400) {
    const { termMonths, tiers } = p.packages400;
    const amount = options.tierFen ?? Math.min(...tiers.map((t) => t.fen));
    const pkg = tiers.find((t) => (t.maxFen === undefined ? t.fen === amount : amount >= t.fen && amount <= t.maxFen));
    if (!pkg) throw new RangeError(`${yuanText(amount)} is not a 400 package of ${product.id}`);
    const terms = Math.ceil(months / termMonths);
    const minutes = packageMinutes(pkg, amount);
    const included =
      minutes === undefined
        ? 'minutes not stated in the seed'
        : `${minutes} minutes at ${yuanText(pkg.perMinuteFen!)}/min`;
    line(
      '400-package',
      `400 package ${yuanText(amount)} per ${termMonths} months (${included}) x ${n} x ${terms} term(s)`,
      amount,
      quantity * terms,
    );
  }

  if (p.minimumMonthlySpend) {
    const { fen, per } = p.minimumMonthlySpend;
    const perNumber = per === 'number';
    const basis =
      per === undefined
        ? ' (the seed does not say per number or per account: counted once)'
        : perNumber
          ? ` per number x ${n}`
          : ' per account';
    line(
      'minimum-spend',
      `minimum monthly spend ${yuanText(fen)}${basis} x ${months} month(s)`,
      fen,
      months * (perNumber ? quantity : 1),
    );
  }

  if (p.firstPrepaymentMin) {
    line(
      'first-prepayment',
      `first prepayment of call credit, at least ${yuanText(p.firstPrepaymentMin.fen)}, once`,
      p.firstPrepaymentMin.fen,
      1,
    );
  }
  if (p.firstPrepaymentMin && p.minimumMonthlySpend) {
    notes.push(
      'The seed does not say whether the first prepayment counts toward the minimum spend; both are in the total.',
    );
  }

  const priced = lines.length > 0;
  if (!priced) notes.push(`The seed gives no amounts for ${product.id}; ask the supplier.`);
  notes.push(THIRD_PARTY_PAYMENT_NOTE);

  const rates: Quote['rates'] = {};
  if (p.inboundPerMinuteFen !== undefined) rates.inboundPerMinuteFen = p.inboundPerMinuteFen;
  if (p.outboundPerMinuteFen !== undefined) rates.outboundPerMinuteFen = p.outboundPerMinuteFen;

  return {
    productId: product.id,
    quantity,
    months,
    lines,
    totalFen: lines.reduce((t, l) => t + l.amountFen, 0),
    rates,
    priced,
    notes,
  };
}
