import { ACTIONS } from '../../contract/actions';
import { STAGES } from '../../contract/stages';
import { describe, expect, it } from 'vitest';
import { productById } from '../../domain/catalog';
import {
  bannedPhrasesIn,
  callingRules,
  checkEligibility,
  is95Number,
  REGIONS,
  resolveRegion,
  thirdPartyLinePayloads,
  thirdPartyLineStartSchema,
  validOpenedNumber,
  type EligibilityRequest,
} from '../../domain/eligibility';

const aftersales = productById('a-aftersales-fixed');
const invitation = productById('a-invitation-fixed');
const a400 = productById('a-400');
const mobile = productById('a-mobile');
const marketing = productById('a-marketing-mobile');
const sip = productById('b-sip-marketing');
const virtual = productById('b-virtual');
const cFixed = productById('c-fixed');
const c95 = productById('c-95');

const SCRIPT = '您好，这里是示例物流公司售后回访，请问您的包裹是否已经收到？';

function request(overrides: Partial<EligibilityRequest> = {}): EligibilityRequest {
  return {
    industry: 'logistics',
    scenario: 'both',
    callScript: SCRIPT,
    regions: [{ region: '广州', quantity: 2 }],
    ...overrides,
  };
}
/** Checks a request (the defaults otherwise) for these quantities per region, in this order. */
const forRegions = (product: Parameters<typeof checkEligibility>[0], quantities: Record<string, number>) =>
  checkEligibility(
    product,
    request({ regions: Object.entries(quantities).map(([region, quantity]) => ({ region, quantity })) }),
  );
const codes = (failures: { code: string }[]) => failures.map((f) => f.code);
/** Each failing rule of a request for a product, as [field, rule]. */
const failingRules = (product: Parameters<typeof checkEligibility>[0], overrides: Partial<EligibilityRequest>) =>
  checkEligibility(product, request(overrides)).map((f) => [f.path, f.code]);

describe('regions', () => {
  it('covers the 31 mainland provincial-level regions and every stock city, each mapped to its province', () => {
    expect(REGIONS.filter((r) => r.kind !== 'city')).toHaveLength(31);
    for (const c of aftersales.stockCities!) expect(resolveRegion(c)).toBeDefined();
    expect(resolveRegion('连云港')?.province).toBe('江苏');
    expect(resolveRegion('呼和浩特')?.province).toBe('内蒙古');
    for (const r of REGIONS) expect(resolveRegion(r.province)?.province).toBe(r.province);
  });

  it('resolves short, full and English names ignoring case and spaces', () => {
    expect(resolveRegion('新疆维吾尔自治区')?.name).toBe('新疆');
    expect(resolveRegion(' 广州市 ')?.name).toBe('广州');
    expect(resolveRegion('inner mongolia')?.name).toBe('内蒙古');
    expect(resolveRegion('Xizang')?.name).toBe('西藏');
    expect(resolveRegion('台北')).toBeUndefined();
  });
});

describe('checkEligibility', () => {
  it('passes a clean request', () => {
    expect(checkEligibility(aftersales, request())).toEqual([]);
    expect(checkEligibility(mobile, request({ regions: [{ region: '江苏', quantity: 10 }] }))).toEqual([]);
  });

  it('industry-banned', () => {
    expect(checkEligibility(aftersales, request({ industry: 'ecommerce' }))).toEqual([]);
    expect(checkEligibility(aftersales, request({ industry: 'debt-collection' }))).toEqual([
      expect.objectContaining({
        path: 'industry',
        code: 'industry-banned',
        message: expect.stringContaining('催收催缴'),
      }),
    ]);
    // Education is fine on A's fixed lines but not on A's mobile numbers.
    expect(
      codes(checkEligibility(mobile, request({ industry: 'education', regions: [{ region: '江苏', quantity: 10 }] }))),
    ).toEqual(['industry-banned']);
    expect(
      codes(
        checkEligibility(
          sip,
          request({ industry: 'insurance', scenario: 'outbound', regions: [{ region: '江苏', quantity: 10 }] }),
        ),
      ),
    ).toEqual(['industry-banned']);
  });

  it('script-phrase-banned: one failure per phrase, ignoring case and whitespace', () => {
    const failures = checkEligibility(aftersales, request({ callScript: '您好，方便的话请 加 微信，或者 加qq 详聊' }));
    expect(failures.map((f) => [f.path, f.code])).toEqual([
      ['callScript', 'script-phrase-banned'],
      ['callScript', 'script-phrase-banned'],
    ]);
    expect(failures[0]!.message).toContain('加微信');
    expect(failures[1]!.message).toContain('加QQ');
    expect(bannedPhrasesIn(cFixed, '请先下载APP，再留手机号码')).toEqual(['下载', '留手机号码']);
    expect(bannedPhrasesIn(cFixed, SCRIPT)).toEqual([]);
    // Supplier B states no phrases: nothing to match.
    expect(bannedPhrasesIn(sip, '加微信')).toEqual([]);
  });

  it('script-required for any outbound calling', () => {
    expect(checkEligibility(a400, request({ scenario: 'inbound', callScript: undefined }))).toEqual([]);
    expect(checkEligibility(aftersales, request({ scenario: 'outbound', callScript: '  ' }))).toEqual([
      { path: 'callScript', code: 'script-required', message: expect.any(String) },
    ]);
    expect(codes(checkEligibility(aftersales, request({ scenario: 'both', callScript: undefined })))).toEqual([
      'script-required',
    ]);
  });

  it('scenario-unsupported; both needs both', () => {
    expect(
      checkEligibility(marketing, request({ scenario: 'outbound', regions: [{ region: '广东', quantity: 1 }] })),
    ).toEqual([]);
    expect(
      checkEligibility(marketing, request({ scenario: 'both', regions: [{ region: '广东', quantity: 1 }] })),
    ).toEqual([{ path: 'scenario', code: 'scenario-unsupported', message: expect.stringContaining('not inbound') }]);
    expect(codes(checkEligibility(a400, request({ scenario: 'outbound' })))).toEqual(['scenario-unsupported']);
  });

  it('region-blind: a blind province catches cities in it, full names too', () => {
    expect(checkEligibility(invitation, request({ regions: [{ region: '四川', quantity: 1 }] }))).toEqual([]);
    expect(checkEligibility(invitation, request({ regions: [{ region: '新疆维吾尔自治区', quantity: 1 }] }))).toEqual([
      { path: 'regions.0.region', code: 'region-blind', message: expect.stringContaining('新疆') },
    ]);
    expect(forRegions(invitation, { 广东: 1, 拉萨: 1 })).toEqual([
      { path: 'regions.1.region', code: 'region-blind', message: expect.stringContaining('西藏') },
    ]);
    expect(
      codes(
        checkEligibility(marketing, request({ scenario: 'outbound', regions: [{ region: 'Beijing', quantity: 1 }] })),
      ),
    ).toEqual(['region-blind']);
    // Stocked lines have no blind area.
    expect(checkEligibility(aftersales, request({ regions: [{ region: '北京', quantity: 1 }] }))).toEqual([]);
  });

  it('region-out-of-stock only where the product keeps stock', () => {
    expect(checkEligibility(aftersales, request({ regions: [{ region: '深圳市', quantity: 3 }] }))).toEqual([]);
    const [failure] = forRegions(aftersales, { 苏州: 1, 江苏: 1 });
    expect(failure).toEqual({ path: 'regions.0.region', code: 'region-unknown', message: expect.any(String) });
    const failures = checkEligibility(aftersales, request({ regions: [{ region: '江苏', quantity: 1 }] }));
    expect(failures).toEqual([
      {
        path: 'regions.0.region',
        code: 'region-out-of-stock',
        message: expect.stringContaining('无锡, 南京, 南通, 连云港'),
      },
    ]);
    expect(codes(checkEligibility(aftersales, request({ regions: [{ region: '四川', quantity: 1 }] })))).toEqual([
      'region-out-of-stock',
    ]);
    // No stock list: numbers are opened on demand anywhere.
    expect(checkEligibility(cFixed, request({ regions: [{ region: '四川', quantity: 1 }] }))).toEqual([]);
  });

  it('quantity-below-minimum per region', () => {
    expect(checkEligibility(virtual, request({ regions: [{ region: '浙江', quantity: 10 }] }))).toEqual([]);
    expect(forRegions(virtual, { 浙江: 10, 福建: 9 })).toEqual([
      { path: 'regions.1.quantity', code: 'quantity-below-minimum', message: expect.stringContaining('at least 10') },
    ]);
  });

  it.each<[string, Parameters<typeof failingRules>[0], Partial<EligibilityRequest>, string[][]]>([
    [
      'region-duplicate: one quantity per region, whatever the spelling',
      mobile,
      {
        regions: [
          { region: '广东', quantity: 5 },
          { region: '广东省', quantity: 5 },
        ],
      },
      [
        ['regions.0.quantity', 'quantity-below-minimum'],
        ['regions.1.region', 'region-duplicate'],
        ['regions.1.quantity', 'quantity-below-minimum'],
      ],
    ],
    [
      'reports every broken rule of one request at once: banned industry, no script, too few, unknown region',
      mobile,
      {
        industry: 'real-estate',
        scenario: 'both',
        callScript: undefined,
        regions: [
          { region: '广东', quantity: 10 },
          { region: '西藏', quantity: 3 },
          { region: 'Atlantis', quantity: 10 },
        ],
      },
      [
        ['industry', 'industry-banned'],
        ['callScript', 'script-required'],
        ['regions.1.quantity', 'quantity-below-minimum'],
        ['regions.2.region', 'region-unknown'],
      ],
    ],
    [
      'reports every broken rule of one request at once: banned industry, each banned phrase, blind region',
      invitation,
      {
        industry: 'games',
        scenario: 'both',
        callScript: '加微信领取抖音培训课程',
        regions: [{ region: '乌鲁木齐', quantity: 1 }],
      },
      [
        ['industry', 'industry-banned'],
        ['callScript', 'script-phrase-banned'],
        ['callScript', 'script-phrase-banned'],
        ['regions.0.region', 'region-blind'],
      ],
    ],
  ])('%s', (_title, product, overrides, failing) => {
    expect(failingRules(product, overrides)).toEqual(failing);
  });

  it('reports every broken rule of one request at once: both directions and no script on an inbound-only 400 line', () => {
    expect(codes(checkEligibility(a400, request({ industry: 'games', scenario: 'both', callScript: '' })))).toEqual([
      'scenario-unsupported',
      'script-required',
    ]);
  });
});

describe('opened numbers', () => {
  it.each([
    ['a-aftersales-fixed', '020-66240001', true],
    ['a-aftersales-fixed', '13800138000', false],
    ['c-fixed', '0991 1234567', true],
    ['a-400', '400-820-0001', true],
    ['a-400', '02066240001', false],
    ['c-95', '9501234567', true],
    ['c-95', '95012345678', true],
    ['c-95', '4008200001', false],
    ['c-95', '02066240001', false],
    ['a-mobile', '13800138000', true],
    ['a-mobile', '+86 138 0013 8000', true],
    ['a-marketing-mobile', '17012345678', true],
    ['b-sip-marketing', '020-66240001', false],
    ['b-virtual', '17012345678', true],
    ['b-virtual', '12345', false],
  ] as const)('%s accepts %s: %s', (id, number, ok) => {
    expect(validOpenedNumber(productById(id), number)).toBe(ok);
  });

  it('does not take five-digit 95 short codes (not in the metadata)', () => {
    expect(is95Number('95555')).toBe(false);
    expect(validOpenedNumber(c95, '95555')).toBe(false);
  });

  it('the numbers-opened payload takes real mainland numbers of any supplier kind, 1..1000', () => {
    const payload = thirdPartyLinePayloads['numbers-opened'];
    expect(payload.safeParse({ numbers: ['020-66240001', '13800138000', '4008200001', '9501234567'] }).success).toBe(
      true,
    );
    expect(payload.safeParse({ numbers: [] }).success).toBe(false);
    expect(payload.safeParse({ numbers: ['12345'] }).success).toBe(false);
    expect(payload.safeParse({ numbers: Array.from({ length: 1001 }, () => '13800138000') }).success).toBe(false);
  });
});

describe('application schema and actions', () => {
  const valid = {
    kind: 'third-party-line',
    enterpriseId: 'acme-logistics',
    productId: 'a-aftersales-fixed',
    industry: 'logistics',
    scenario: 'both',
    callScript: SCRIPT,
    regions: [{ region: '广州', quantity: 2 }],
    binding: { instanceId: 'cc-acme' },
  };

  it('accepts a well-formed application', () => {
    expect(thirdPartyLineStartSchema.safeParse(valid).success).toBe(true);
    const { callScript: _omit, ...inbound } = { ...valid, scenario: 'inbound' };
    expect(thirdPartyLineStartSchema.safeParse(inbound).success).toBe(true);
  });

  it.each([
    ['unknown product', { productId: 'a-international' }],
    ['unknown industry', { industry: 'crypto' }],
    ['no regions', { regions: [] }],
    ['too many regions', { regions: Array.from({ length: 51 }, () => ({ region: '广州', quantity: 1 })) }],
    ['zero quantity', { regions: [{ region: '广州', quantity: 0 }] }],
    ['fractional quantity', { regions: [{ region: '广州', quantity: 1.5 }] }],
    ['over 1000', { regions: [{ region: '广州', quantity: 1001 }] }],
    ['extra field', { extra: true }],
    ['wrong kind', { kind: 'number-purchase' }],
  ])('rejects %s', (_label, change) => {
    expect(thirdPartyLineStartSchema.safeParse({ ...valid, ...change }).success).toBe(false);
  });

  it('declares the support steps and stages', () => {
    expect(Object.keys(thirdPartyLinePayloads)).toEqual(Object.keys(ACTIONS['third-party-line']));
    for (const spec of Object.values(ACTIONS['third-party-line'])) expect(spec.roles).toEqual(['support']);
    expect(thirdPartyLinePayloads.reject.safeParse({}).success).toBe(false);
    expect(thirdPartyLinePayloads['supplier-rejected'].safeParse({ note: 'no stock' }).success).toBe(true);
    expect(thirdPartyLinePayloads['supplier-rejected'].safeParse({}).success).toBe(false);
    expect(thirdPartyLinePayloads['supplier-approved'].safeParse({}).success).toBe(true);
    expect(STAGES['third-party-line']).toEqual([
      'awaiting-review',
      'awaiting-supplier',
      'awaiting-numbers',
      'importing',
      'binding',
    ]);
  });
});

describe('callingRules', () => {
  it('carries the stated rules', () => {
    expect(callingRules(invitation)).toEqual({
      callingHours: [{ from: '08:00', to: '22:00' }],
      perCalleeDailyLimit: 5,
      perCalleeCountedOn: 'rung-or-answered',
      noCallingPastComplainants: true,
      noBlindCalling: true,
      blindRegions: ['新疆', '西藏'],
    });
    expect(callingRules(cFixed)).toEqual({
      callingHours: [
        { from: '08:00', to: '20:00' },
        { from: '09:00', to: '20:00' },
      ],
      perCalleeDailyLimit: { min: 1, max: 5 },
    });
    expect(callingRules(marketing)).toMatchObject({
      perCalleeDailyLimit: 1,
      perCalleeCountedOn: 'answered',
      blindRegions: ['北京', '新疆', '西藏'],
    });
    expect(callingRules(a400)).toEqual({});
  });

  it('hands out copies, not the catalogue itself', () => {
    const rules = callingRules(invitation);
    (rules.blindRegions as string[]).push('北京');
    expect(invitation.blindRegions).toEqual(['新疆', '西藏']);
  });
});
