/**
 * Third-party supplier products, transcribed from seed 004 (第三方线路申请): what each supplier
 * sells, for which calls, under which restrictions, at which (indicative) prices. Where the seed
 * says nothing a field is left undefined, never guessed; where it is unclear, `notes` says so.
 * Suppliers stay neutral letters, as in the seed. Amounts are integer fen. Data only.
 */
import type { IndustryCode, Prices, Product, TimeWindow } from './model';

const yuan = (amount: number): number => Math.round(amount * 100);

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

// Supplier A's two fixed-line products share the banned list and call policy word for word.
const A_FIXED_BANNED: readonly IndustryCode[] = [
  // 金融类（贷款、高利贷、催收催缴、贵金属交易、股票软件或股票推荐、期货、金融保险、互联网金融等）
  ...FINANCE_AND_INSURANCE,
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

// Supplier B's two products share their stock, quantity, industry and calling terms.
const B_TERMS = {
  stockCities: null,
  minQuantityPerRegion: 10,
  bannedIndustries: FINANCE_AND_INSURANCE,
  noBlindCalling: true,
} as const satisfies Partial<Product>;
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
    ...B_TERMS,
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
    ...B_TERMS,
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
