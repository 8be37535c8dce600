// The tables below are the transcription's check: each expected value was read from seed 004
// (第三方线路申请) and written here by hand, for every product.
import { describe, expect, it } from 'vitest';
import {
  CATALOG,
  INDUSTRIES,
  INDUSTRY_CODES,
  leadTimeWindow,
  packageMinutes,
  PRODUCT_IDS,
  productById,
  productIdSchema,
  quote,
  type ProductId,
} from '../../domain/catalog';

const p = (id: ProductId) => productById(id);

// The finance group (金融类, 金融保险业), as the seed lists it.
const FINANCE = [
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
const A_FIXED_BANNED = [
  ...FINANCE,
  'medical',
  'retail-telemarketing',
  'medical-aesthetics',
  'medical-devices',
  'infant-products',
  'blind-calling-services',
  'robocalling',
  'real-estate',
  'home-renovation',
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
const C_BANNED = [
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
];
const A_STOCK = [
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
];

const sorted = (xs: readonly string[] | undefined) => (xs ? [...xs].sort() : xs);

/** One row per product, in catalogue order: what the seed states for it, `undefined` where it states nothing. */
function perProduct<T>(stated: Partial<Record<ProductId, T>>): [ProductId, T | undefined][] {
  return PRODUCT_IDS.map((id) => [id, stated[id]]);
}

describe('catalogue shape', () => {
  it('has exactly the products of seed 004, ids matching the schema', () => {
    expect(CATALOG.map((x) => x.id)).toEqual([...PRODUCT_IDS]);
    expect(new Set(PRODUCT_IDS).size).toBe(PRODUCT_IDS.length);
    expect(productIdSchema.safeParse('a-400').success).toBe(true);
    expect(productIdSchema.safeParse('a-international').success).toBe(false);
  });

  it('finds products by id', () => {
    expect(productById('b-virtual')?.name.zh).toBe('虚拟号码');
    expect(productById('nope')).toBeUndefined();
  });

  it('labels every industry in both languages, codes unique', () => {
    expect(new Set(INDUSTRY_CODES).size).toBe(INDUSTRY_CODES.length);
    for (const i of INDUSTRIES) expect(i.zh && i.en).toBeTruthy();
    for (const code of ['ecommerce', 'logistics', 'education', 'saas', 'manufacturing', 'retail', 'other'])
      expect(INDUSTRY_CODES).toContain(code);
    for (const product of CATALOG)
      for (const code of [...(product.bannedIndustries ?? []), ...(product.supportedIndustries ?? [])])
        expect(INDUSTRY_CODES).toContain(code);
  });
});

describe('transcription of seed 004', () => {
  it.each<[ProductId, string, string, string]>([
    ['a-aftersales-fixed', 'A', '售后（回访）类业务固话', 'fixed-line'],
    ['a-invitation-fixed', 'A', '邀约类业务固话', 'fixed-line'],
    ['a-400', 'A', '400', '400'],
    ['a-mobile', 'A', '手机号码', 'mobile'],
    ['a-marketing-mobile', 'A', '营销手机号码', 'mobile'],
    ['b-sip-marketing', 'B', 'SIP营销小号', 'mobile'],
    ['b-virtual', 'B', '虚拟号码', 'virtual-mobile'],
    ['c-fixed', 'C', '固话', 'fixed-line'],
    ['c-95', 'C', '95号码', '95'],
  ])('%s: supplier %s, %s, %s numbers', (id, supplier, zh, kind) => {
    expect(p(id).supplier).toBe(supplier);
    expect(p(id).name.zh).toBe(zh);
    expect(p(id).name.en).toBeTruthy();
    expect(p(id).numberKind).toBe(kind);
  });

  it.each<[ProductId, string[]]>([
    ['a-aftersales-fixed', ['inbound', 'outbound']], // 支持呼入和呼出
    ['a-invitation-fixed', ['inbound', 'outbound']], // 支持呼入和呼出
    ['a-400', ['inbound']], // 仅支持呼入
    ['a-mobile', ['inbound', 'outbound']], // 支持呼入呼出
    ['a-marketing-mobile', ['outbound']], // 仅支持呼出
    ['b-sip-marketing', ['outbound']], // 外显手机号, outbound rate only
    ['b-virtual', ['inbound', 'outbound']], // 外显手机号, 呼入呼出0.08
    ['c-fixed', ['inbound', 'outbound']],
    ['c-95', ['inbound', 'outbound']],
  ])('%s scenarios: %j', (id, scenarios) => {
    expect(p(id).scenarios).toEqual(scenarios);
  });

  // Unstated: a-invitation-fixed 以运营商配置为准, c-fixed 根据号码类型决定.
  it.each(
    perProduct<object>({
      'a-aftersales-fixed': { defaultConcurrentCalls: 30 }, // 默认30路并发
      'a-mobile': { maxConcurrentCallsPerNumber: 1, agentsPerNumber: 1 }, // 不支持并发，只能供一个坐席使用
    }),
  )('%s concurrency: %j', (id, concurrency) => {
    expect(p(id).concurrency).toEqual(concurrency);
  });

  // Only a-aftersales-fixed keeps stock; a-invitation-fixed 号码不做库存.
  it.each(perProduct({ 'a-aftersales-fixed': A_STOCK }))('%s stock cities', (id, cities) => {
    expect(sorted(p(id).stockCities ?? undefined) ?? null).toEqual(cities ? [...cities].sort() : null);
  });

  // Unstated: c-fixed 以实际咨询运营商为准.
  it.each(
    perProduct({
      'a-mobile': 10, // 每个地区10个号码起
      'b-sip-marketing': 10, // 一次地区申请至少10个号码
      'b-virtual': 10,
    }),
  )('%s minimum per region: %s', (id, min) => {
    expect(p(id).minQuantityPerRegion).toBe(min);
  });

  it.each<[ProductId, string[] | undefined]>([
    ['a-aftersales-fixed', A_FIXED_BANNED],
    ['a-invitation-fixed', A_FIXED_BANNED],
    ['a-400', undefined], // 限制条件 --
    ['a-mobile', [...FINANCE, 'education', 'medical-aesthetics', 'real-estate']], // 金融保险业，教育，医疗美容，房产营销
    ['a-marketing-mobile', undefined], // only 主推业务
    ['b-sip-marketing', FINANCE], // 金融保险业不支持
    ['b-virtual', FINANCE],
    ['c-fixed', C_BANNED],
    ['c-95', C_BANNED],
  ])('%s banned industries', (id, banned) => {
    expect(sorted(p(id).bannedIndustries)).toEqual(sorted(banned));
  });

  it.each(
    perProduct({
      'a-marketing-mobile': ['real-estate', 'education', 'matchmaking', 'enterprise-services'], // 主推业务：房产，教育，婚恋，企业服务
      'c-fixed': ['debt-collection', 'lending', 'insurance', 'education', 'games'], // 支持催收、回访贷款、保险、教育、游戏业务
      'c-95': ['debt-collection', 'lending', 'insurance', 'education', 'games'],
    }),
  )('%s supported industries', (id, supported) => {
    expect(sorted(p(id).supportedIndustries)).toEqual(sorted(supported));
  });

  it.each(
    perProduct({
      'a-aftersales-fixed': ['加微信', '加QQ', '抖音培训'],
      'a-invitation-fixed': ['加微信', '加QQ', '抖音培训'],
      'c-fixed': ['威胁', '骂人', '下载', '加qq', '留手机号码'],
      'c-95': ['威胁', '骂人', '下载', '加qq', '留手机号码'],
    }),
  )('%s banned script phrases', (id, phrases) => {
    expect(p(id).bannedScriptPhrases).toEqual(phrases);
  });

  it.each<[ProductId, { from: string; to: string }[] | undefined]>([
    ['a-aftersales-fixed', [{ from: '08:00', to: '22:00' }]], // 早8点-晚22点
    ['a-invitation-fixed', [{ from: '08:00', to: '22:00' }]],
    ['a-400', undefined],
    ['a-mobile', [{ from: '08:00', to: '22:00' }]],
    ['a-marketing-mobile', [{ from: '08:00', to: '20:00' }]], // 早8点晚8点
    ['b-sip-marketing', undefined],
    ['b-virtual', undefined],
    [
      'c-fixed',
      [
        { from: '08:00', to: '20:00' },
        { from: '09:00', to: '20:00' },
      ],
    ], // 08：00 - 20：00或09：00 - 20：00
    [
      'c-95',
      [
        { from: '08:00', to: '20:00' },
        { from: '09:00', to: '20:00' },
      ],
    ],
  ])('%s calling hours', (id, hours) => {
    expect(p(id).callingHours).toEqual(hours);
  });

  it.each<[ProductId, number | { min: number; max: number } | undefined, string | undefined]>([
    ['a-aftersales-fixed', 5, 'rung-or-answered'], // 单被叫号码每天允许外呼五次（振铃或者接听算1次）
    ['a-invitation-fixed', 5, 'rung-or-answered'],
    ['a-400', undefined, undefined],
    ['a-mobile', 5, 'rung-or-answered'],
    ['a-marketing-mobile', 1, 'answered'], // 同一被叫一天一次（接通算）
    ['b-sip-marketing', undefined, undefined],
    ['b-virtual', undefined, undefined],
    ['c-fixed', { min: 1, max: 5 }, undefined], // (1-5）次
    ['c-95', { min: 1, max: 5 }, undefined],
  ])('%s per-callee limit %j counted on %s', (id, limit, countedOn) => {
    expect(p(id).perCalleeDailyLimit).toEqual(limit);
    expect(p(id).perCalleeCountedOn).toBe(countedOn);
  });

  it.each<[ProductId, boolean | undefined, boolean | undefined]>([
    ['a-aftersales-fixed', true, true], // 禁止盲呼; 禁止呼叫历史产生投诉的用户
    ['a-invitation-fixed', true, true],
    ['a-400', undefined, undefined],
    ['a-mobile', true, true], // 盲呼不支持
    ['a-marketing-mobile', undefined, undefined],
    ['b-sip-marketing', true, undefined], // 盲呼不支持
    ['b-virtual', true, undefined],
    ['c-fixed', undefined, undefined],
    ['c-95', undefined, undefined],
  ])('%s no blind calling: %s, no calling past complainants: %s', (id, noBlind, noComplainants) => {
    expect(p(id).noBlindCalling).toBe(noBlind);
    expect(p(id).noCallingPastComplainants).toBe(noComplainants);
  });

  // Unstated: c-fixed 具体以咨询运营商为准.
  it.each(
    perProduct({
      'a-aftersales-fixed': [], // 存号线路：无盲区
      'a-invitation-fixed': ['新疆', '西藏'],
      'a-marketing-mobile': ['北京', '新疆', '西藏'],
    }),
  )('%s blind regions: %j', (id, blind) => {
    expect(p(id).blindRegions).toEqual(blind);
  });

  // 资料审核申请通过后7-30个工作日
  it.each(perProduct({ 'a-invitation-fixed': { min: 7, max: 30 } }))('%s lead time in working days: %j', (id, lead) => {
    expect(p(id).leadTimeWorkingDays).toEqual(lead);
  });

  it.each<[ProductId, number | undefined, number | undefined]>([
    ['a-aftersales-fixed', 3500, 42000], // 年租420元（月租35元/月 * 12）
    ['a-invitation-fixed', 3500, 42000],
    ['a-400', undefined, undefined],
    ['a-mobile', 2500, undefined], // 月租：25/月
    ['a-marketing-mobile', 0, undefined], // 号码无月租
    ['b-sip-marketing', 3500, undefined], // 月租35元/月
    ['b-virtual', 3500, undefined],
    ['c-fixed', undefined, undefined], // amounts not given
    ['c-95', undefined, undefined],
  ])('%s rent: monthly %s fen, annual %s fen', (id, monthly, annual) => {
    expect(p(id).prices.monthlyRentFen).toBe(monthly);
    expect(p(id).prices.annualRentFen).toBe(annual);
  });

  it.each<[ProductId, number | undefined, number | undefined]>([
    ['a-aftersales-fixed', 0, 11], // 外呼资费0.11元/分钟，呼入免费
    ['a-invitation-fixed', 0, 11],
    ['a-400', undefined, undefined], // by package instead
    ['a-mobile', 12, 12], // 呼入外呼0.12
    ['a-marketing-mobile', undefined, 15], // 0.15/分钟, outbound only
    ['b-sip-marketing', undefined, 13], // 外呼0.13元/分钟
    ['b-virtual', 8, 8], // 呼入呼出0.08元/分钟
    ['c-fixed', undefined, undefined],
    ['c-95', undefined, undefined],
  ])('%s per-minute: inbound %s fen, outbound %s fen', (id, inbound, outbound) => {
    expect(p(id).prices.inboundPerMinuteFen).toBe(inbound);
    expect(p(id).prices.outboundPerMinuteFen).toBe(outbound);
  });

  it.each<[ProductId, object | undefined, object | undefined]>([
    ['a-aftersales-fixed', undefined, undefined],
    ['a-invitation-fixed', undefined, undefined],
    ['a-400', undefined, undefined],
    ['a-mobile', { fen: 200000, per: 'account' }, undefined], // 月低消2000元/账户
    ['a-marketing-mobile', { fen: 100000, per: 'account' }, { fen: 1000000 }], // 月低消1000元/账户, 首次预存10000起
    ['b-sip-marketing', { fen: 2000 }, undefined], // 低消20元/月
    ['b-virtual', { fen: 2000 }, undefined],
    ['c-fixed', undefined, undefined],
    ['c-95', undefined, undefined],
  ])('%s minimum monthly spend %j, first prepayment %j', (id, minimum, first) => {
    expect(p(id).prices.minimumMonthlySpend).toEqual(minimum);
    expect(p(id).prices.firstPrepaymentMin).toEqual(first);
  });

  it.each(
    perProduct({
      'a-aftersales-fixed': [300000, 500000, 700000, 1000000, 1200000, 1500000, 2000000], // 3000/年 ... 20000元/年
      'a-invitation-fixed': [300000, 500000, 700000, 1000000, 1200000, 1500000, 2000000],
    }),
  )('%s prepaid credit tiers per year (fen)', (id, tiers) => {
    expect(p(id).prices.prepaidCreditPerYear?.tiersFen).toEqual(tiers);
  });

  it('a-400 packages per 3 years: 3000 @0.12, 5000 @0.10, 7000, 10000, 15000-50000 @0.08', () => {
    const packages = p('a-400').prices.packages400!;
    expect(packages.termMonths).toBe(36);
    expect(packages.tiers).toEqual([
      { fen: 300000, perMinuteFen: 12 },
      { fen: 500000, perMinuteFen: 10 },
      { fen: 700000 },
      { fen: 1000000 },
      { fen: 1500000, maxFen: 5000000, perMinuteFen: 8 },
    ]);
    for (const id of PRODUCT_IDS.filter((x) => x !== 'a-400')) expect(p(id).prices.packages400).toBeUndefined();
  });

  it('a-400 package minutes: 3000/0.12, 5000/0.1, amount/0.08', () => {
    const [t3000, t5000, t7000, , range] = p('a-400').prices.packages400!.tiers;
    expect(packageMinutes(t3000!)).toBe(25000);
    expect(packageMinutes(t5000!)).toBe(50000);
    expect(packageMinutes(t7000!)).toBeUndefined();
    expect(packageMinutes(range!)).toBe(187500);
    expect(packageMinutes(range!, 5000000)).toBe(625000);
  });

  it('95 and virtual mobile numbers need the nationwide call-center licence (section 三)', () => {
    for (const id of ['c-95', 'b-virtual'] as const)
      expect(p(id).requirements.join(' ')).toContain('全网呼叫中心增值电信业务经营许可证');
    expect(p('c-fixed').requirements.join(' ')).not.toContain('许可证');
  });
});

describe('leadTimeWindow', () => {
  it('counts 7-30 working days from approval for the invitation fixed line', () => {
    // 2024-09-27 is a Friday; 2024-10-01..07 is the National Day holiday.
    const holidays = ['2024-10-01', '2024-10-02', '2024-10-03', '2024-10-04', '2024-10-07'];
    expect(leadTimeWindow(p('a-invitation-fixed'), '2024-09-27', holidays)).toEqual({
      earliest: '2024-10-15',
      latest: '2024-11-15',
    });
  });
  it('is undefined without a stated lead time', () => {
    expect(leadTimeWindow(p('a-aftersales-fixed'), '2024-09-27', [])).toBeUndefined();
  });
});

describe('quote', () => {
  const amounts = (q: ReturnType<typeof quote>) => q.lines.map((l) => [l.item, l.amountFen]);

  it('supplier A fixed lines: annual rent x numbers x years, plus the lowest prepaid tier per year', () => {
    const q = quote(p('a-aftersales-fixed'), 3);
    expect(q.months).toBe(12);
    expect(amounts(q)).toEqual([
      ['annual-rent', 3 * 42000],
      ['prepaid-credit', 300000],
    ]);
    expect(q.totalFen).toBe(126000 + 300000);
    expect(q.rates).toEqual({ inboundPerMinuteFen: 0, outboundPerMinuteFen: 11 });
    expect(q.priced).toBe(true);
    expect(q.lines[1]!.description).toContain('counted once');
  });

  it('rounds months up to whole years for annual items, and takes a chosen tier', () => {
    const q = quote(p('a-invitation-fixed'), 2, 18, { tierFen: 1000000 });
    expect(amounts(q)).toEqual([
      ['annual-rent', 2 * 42000 * 2],
      ['prepaid-credit', 1000000 * 2],
    ]);
    expect(q.totalFen).toBe(168000 + 2000000);
    expect(() => quote(p('a-invitation-fixed'), 1, 12, { tierFen: 400000 })).toThrow(RangeError);
  });

  it('400: one package per number per 3-year term, lowest by default', () => {
    const q = quote(p('a-400'), 2);
    expect(q.months).toBe(36);
    expect(amounts(q)).toEqual([['400-package', 2 * 300000]]);
    expect(q.lines[0]!.description).toContain('25000 minutes');
    expect(q.rates).toEqual({});
  });

  it('400: an amount inside the 15000-50000 range, over two terms', () => {
    const q = quote(p('a-400'), 1, 48, { tierFen: 2000000 });
    expect(amounts(q)).toEqual([['400-package', 2000000 * 2]]);
    expect(q.lines[0]!.description).toContain('250000 minutes');
    expect(quote(p('a-400'), 1, 36, { tierFen: 700000 }).lines[0]!.description).toContain('minutes not stated');
    expect(() => quote(p('a-400'), 1, 36, { tierFen: 1200000 })).toThrow(RangeError);
  });

  it('supplier A mobile: monthly rent x numbers x months, minimum spend per account x months', () => {
    const q = quote(p('a-mobile'), 10, 3);
    expect(amounts(q)).toEqual([
      ['monthly-rent', 10 * 2500 * 3],
      ['minimum-spend', 200000 * 3],
    ]);
    expect(q.totalFen).toBe(75000 + 600000);
    expect(q.rates).toEqual({ inboundPerMinuteFen: 12, outboundPerMinuteFen: 12 });
  });

  it('marketing mobile: no rent, minimum spend per account, first prepayment once', () => {
    const q = quote(p('a-marketing-mobile'), 5, 12);
    expect(amounts(q)).toEqual([
      ['monthly-rent', 0],
      ['minimum-spend', 100000 * 12],
      ['first-prepayment', 1000000],
    ]);
    expect(q.totalFen).toBe(1200000 + 1000000);
    expect(q.lines[0]!.description).toContain('no monthly rent');
    expect(q.notes.join(' ')).toContain('first prepayment');
  });

  it.each<[ProductId, Record<string, number>]>([
    ['b-sip-marketing', { outboundPerMinuteFen: 13 }],
    ['b-virtual', { inboundPerMinuteFen: 8, outboundPerMinuteFen: 8 }],
  ])('%s: rent x numbers x months, minimum spend counted once (basis not stated)', (id, rates) => {
    const q = quote(p(id), 10, 6);
    expect(amounts(q)).toEqual([
      ['monthly-rent', 10 * 3500 * 6],
      ['minimum-spend', 2000 * 6],
    ]);
    expect(q.totalFen).toBe(210000 + 12000);
    expect(q.lines[1]!.description).toContain('counted once');
    expect(q.rates).toEqual(rates);
  });

  it.each<ProductId>(['c-fixed', 'c-95'])('%s: no amounts in the seed, so no price', (id) => {
    const q = quote(p(id), 5);
    expect(q.lines).toEqual([]);
    expect(q.totalFen).toBe(0);
    expect(q.priced).toBe(false);
  });

  it('every quote says who is paid, and refuses nonsense', () => {
    for (const product of CATALOG) expect(quote(product, 1).notes.join(' ')).toContain('paid to the supplier');
    expect(() => quote(p('a-mobile'), 0)).toThrow(RangeError);
    expect(() => quote(p('a-mobile'), 1.5)).toThrow(RangeError);
    expect(() => quote(p('a-mobile'), 1, 0)).toThrow(RangeError);
  });
});
