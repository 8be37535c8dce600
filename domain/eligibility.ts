/**
 * Whether an application for a supplier product may go ahead: industry, call script, regions,
 * quantities and call directions against the product's restrictions (seed 004). Every broken rule
 * is reported at once, so the applicant fixes everything in one round. Also the application's
 * schema, the human steps of the process, and the calling rules its numbers carry. Pure.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import { industryLabel, industrySchema, productIdSchema, type IndustryCode, type Product } from './catalog';
import { enterpriseIdSchema, type RuleFailure } from './common';
import { bindingSchema, is400Number, isFixedLine, SCENARIOS, type Scenario } from './numbers';

// ---------------------------------------------------------------------------------------------
// Regions

export type RegionKind = 'municipality' | 'province' | 'autonomous-region' | 'city';

export interface Region {
  /** Short name as the seed writes it: 新疆, 广州. */
  name: string;
  fullName: string;
  en: string;
  kind: RegionKind;
  /** The provincial-level region it lies in (itself for provinces and municipalities). */
  province: string;
  aliases?: readonly string[];
}

/** Where a provincial-level name is the short name and a suffix: 北京 -> 北京市, 河北 -> 河北省. */
const suffixed = (
  kind: 'municipality' | 'province',
  suffix: string,
  rows: readonly [name: string, en: string][],
): Region[] => rows.map(([name, en]) => ({ name, fullName: `${name}${suffix}`, en, kind, province: name }));

const MUNICIPALITIES: readonly [name: string, en: string][] = [
  ['北京', 'Beijing'],
  ['天津', 'Tianjin'],
  ['上海', 'Shanghai'],
  ['重庆', 'Chongqing'],
];

const PROVINCES: readonly [name: string, en: string][] = [
  ['河北', 'Hebei'],
  ['山西', 'Shanxi'],
  ['辽宁', 'Liaoning'],
  ['吉林', 'Jilin'],
  ['黑龙江', 'Heilongjiang'],
  ['江苏', 'Jiangsu'],
  ['浙江', 'Zhejiang'],
  ['安徽', 'Anhui'],
  ['福建', 'Fujian'],
  ['江西', 'Jiangxi'],
  ['山东', 'Shandong'],
  ['河南', 'Henan'],
  ['湖北', 'Hubei'],
  ['湖南', 'Hunan'],
  ['广东', 'Guangdong'],
  ['海南', 'Hainan'],
  ['四川', 'Sichuan'],
  ['贵州', 'Guizhou'],
  ['云南', 'Yunnan'],
  ['陕西', 'Shaanxi'],
  ['甘肃', 'Gansu'],
  ['青海', 'Qinghai'],
];

/** Their full names name the people: 广西壮族自治区. */
const AUTONOMOUS_REGIONS: readonly [name: string, fullName: string, en: string, aliases?: string[]][] = [
  ['内蒙古', '内蒙古自治区', 'Inner Mongolia', ['Nei Mongol']],
  ['广西', '广西壮族自治区', 'Guangxi'],
  ['西藏', '西藏自治区', 'Tibet', ['Xizang']],
  ['宁夏', '宁夏回族自治区', 'Ningxia'],
  ['新疆', '新疆维吾尔自治区', 'Xinjiang'],
];

const CITIES: readonly [name: string, en: string, province: string][] = [
  ['无锡', 'Wuxi', '江苏'],
  ['南京', 'Nanjing', '江苏'],
  ['南通', 'Nantong', '江苏'],
  ['连云港', 'Lianyungang', '江苏'],
  ['佛山', 'Foshan', '广东'],
  ['惠州', 'Huizhou', '广东'],
  ['广州', 'Guangzhou', '广东'],
  ['深圳', 'Shenzhen', '广东'],
  ['宁波', 'Ningbo', '浙江'],
  ['金华', 'Jinhua', '浙江'],
  ['济南', 'Jinan', '山东'],
  ['青岛', 'Qingdao', '山东'],
  ['太原', 'Taiyuan', '山西'],
  ['呼和浩特', 'Hohhot', '内蒙古'],
  ['哈尔滨', 'Harbin', '黑龙江'],
  ['福州', 'Fuzhou', '福建'],
  ['南昌', 'Nanchang', '江西'],
  ['合肥', 'Hefei', '安徽'],
  ['乌鲁木齐', 'Urumqi', '新疆'],
  ['拉萨', 'Lhasa', '西藏'],
];

/**
 * The 31 provincial-level regions of the mainland, the cities of the seed's stock list, and the
 * capitals of the seed's blind areas (so 乌鲁木齐 is caught by 新疆). Municipalities are both.
 */
export const REGIONS: readonly Region[] = [
  ...suffixed('municipality', '市', MUNICIPALITIES),
  ...suffixed('province', '省', PROVINCES),
  ...AUTONOMOUS_REGIONS.map(([name, fullName, en, aliases]): Region => ({
    name,
    fullName,
    en,
    kind: 'autonomous-region',
    province: name,
    ...(aliases ? { aliases } : {}),
  })),
  ...CITIES.map(([name, en, province]): Region => ({ name, fullName: `${name}市`, en, kind: 'city', province })),
];

const squeeze = (s: string): string => s.replace(/\s+/g, '').toLowerCase();

const REGION_INDEX = new Map<string, Region>(
  REGIONS.flatMap((r) => [r.name, r.fullName, r.en, ...(r.aliases ?? [])].map((key) => [squeeze(key), r] as const)),
);

/** A region by its short or full Chinese name or its English name, ignoring case and spaces. */
export function resolveRegion(name: string): Region | undefined {
  return REGION_INDEX.get(squeeze(name));
}

// ---------------------------------------------------------------------------------------------
// Eligibility

export interface EligibilityRequest {
  industry: IndustryCode;
  scenario: Scenario;
  callScript?: string;
  regions: readonly { region: string; quantity: number }[];
}

/** The product's banned phrases found in a script, matched ignoring case and whitespace. */
export function bannedPhrasesIn(product: Product, script: string): string[] {
  const text = squeeze(script);
  const found = new Map<string, string>();
  for (const phrase of product.bannedScriptPhrases ?? []) {
    const key = squeeze(phrase);
    if (text.includes(key) && !found.has(key)) found.set(key, phrase);
  }
  return [...found.values()];
}

function directions(scenario: Scenario): ('inbound' | 'outbound')[] {
  return scenario === 'both' ? ['inbound', 'outbound'] : [scenario];
}

/**
 * Every rule of `product` the request breaks (empty when eligible). Codes: industry-banned,
 * scenario-unsupported, script-required, script-phrase-banned (one per phrase), region-unknown,
 * region-duplicate, region-blind, region-out-of-stock, quantity-below-minimum.
 */
export function checkEligibility(product: Product, request: EligibilityRequest): RuleFailure[] {
  const failures: RuleFailure[] = [];
  const fail = (path: string, code: string, message: string) => failures.push({ path, code, message });
  const productName = `${product.name.zh} (${product.id})`;

  if (product.bannedIndustries?.includes(request.industry)) {
    const label = industryLabel(request.industry);
    fail('industry', 'industry-banned', `${productName} does not accept ${label.zh} / ${label.en}`);
  }

  const missing = directions(request.scenario).filter((d) => !product.scenarios.includes(d));
  if (missing.length > 0) {
    fail(
      'scenario',
      'scenario-unsupported',
      `${productName} supports ${product.scenarios.join(' and ')} calls only, not ${missing.join(' and ')}`,
    );
  }

  const script = request.callScript?.trim() ?? '';
  if (request.scenario !== 'inbound' && script === '') {
    fail('callScript', 'script-required', 'outbound calling needs the call script for review');
  }
  for (const phrase of bannedPhrasesIn(product, script)) {
    fail('callScript', 'script-phrase-banned', `the call script contains "${phrase}", which ${productName} forbids`);
  }

  const seen = new Set<string>();
  request.regions.forEach(({ region, quantity }, i) => {
    const at = `regions.${i}`;
    const found = resolveRegion(region);
    if (!found) {
      fail(
        `${at}.region`,
        'region-unknown',
        `"${region}" is not a mainland province, region, municipality or listed city`,
      );
    } else {
      if (seen.has(found.name))
        fail(
          `${at}.region`,
          'region-duplicate',
          `${found.name} is listed more than once; give one quantity per region`,
        );
      seen.add(found.name);
      const blind = product.blindRegions?.find((b) => b === found.name || b === found.province);
      if (blind) fail(`${at}.region`, 'region-blind', `${found.name} is in ${blind}, a blind area of ${productName}`);
      if (product.stockCities && !product.stockCities.includes(found.name)) {
        const nearby = product.stockCities.filter(
          (c) => resolveRegion(c)?.province === found.province && c !== found.name,
        );
        const hint =
          nearby.length > 0
            ? `in ${found.province}: ${nearby.join(', ')}`
            : `cities in stock: ${product.stockCities.join(', ')}`;
        fail(
          `${at}.region`,
          'region-out-of-stock',
          `${productName} has no numbers in stock in ${found.name} (${hint})`,
        );
      }
    }
    if (product.minQuantityPerRegion !== undefined && quantity < product.minQuantityPerRegion) {
      fail(
        `${at}.quantity`,
        'quantity-below-minimum',
        `${productName} opens at least ${product.minQuantityPerRegion} numbers per region, not ${quantity}`,
      );
    }
  });

  return failures;
}

// ---------------------------------------------------------------------------------------------
// Numbers the supplier opens

type PhoneType = ReturnType<NonNullable<ReturnType<typeof parsePhoneNumberFromString>>['getType']>;

function phoneType(value: string): { type: PhoneType; national: string } | undefined {
  const n = parsePhoneNumberFromString(value.replace(/[\s-]/g, ''), 'CN');
  return n && n.isValid() ? { type: n.getType(), national: n.nationalNumber } : undefined;
}

function isMobile(value: string): boolean {
  return phoneType(value)?.type === 'MOBILE';
}

/**
 * A nationwide 95 number as libphonenumber's metadata knows it (950 + 7-8 digits, shared cost).
 * Five- and six-digit 95xxx short codes are not in that metadata, so they are not accepted.
 */
export function is95Number(value: string): boolean {
  const t = phoneType(value);
  return !!t && t.national.startsWith('95') && (t.type === 'SHARED_COST' || t.type === 'UAN');
}

/** Whether `number` is a real mainland number of the kind `product` opens. */
export function validOpenedNumber(product: Pick<Product, 'numberKind'>, number: string): boolean {
  switch (product.numberKind) {
    case 'fixed-line':
      return isFixedLine(number);
    case '400':
      return is400Number(number);
    case '95':
      return is95Number(number);
    case 'mobile':
    case 'virtual-mobile':
      return isMobile(number);
  }
}

/** Any kind a supplier may open; the product's own kind is checked with validOpenedNumber. */
function isOpenableNumber(value: string): boolean {
  return isFixedLine(value) || is400Number(value) || is95Number(value) || isMobile(value);
}

// ---------------------------------------------------------------------------------------------
// The application and its steps

export const thirdPartyLineStartSchema = z.strictObject({
  kind: z.literal('third-party-line'),
  enterpriseId: enterpriseIdSchema,
  productId: productIdSchema,
  industry: industrySchema,
  scenario: z.enum(SCENARIOS),
  callScript: z.string().trim().max(5000).optional(),
  regions: z
    .array(z.strictObject({ region: z.string().trim().min(1).max(50), quantity: z.number().int().min(1).max(1000) }))
    .min(1)
    .max(50),
  binding: bindingSchema,
});
export type ThirdPartyLineStart = z.infer<typeof thirdPartyLineStartSchema>;

const note = z.string().max(1000);

export const thirdPartyLinePayloads = {
  approve: z.strictObject({ note: note.optional() }),
  reject: z.strictObject({ reason: z.string().trim().min(1).max(1000) }),
  'supplier-approved': z.strictObject({ note: note.optional() }),
  'supplier-rejected': z.strictObject({ note: z.string().trim().min(1).max(1000) }),
  'numbers-opened': z.strictObject({
    numbers: z
      .array(
        z.string().trim().refine(isOpenableNumber, { message: 'not a mainland fixed-line, mobile, 400 or 95 number' }),
      )
      .min(1)
      .max(1000),
  }),
};

// ---------------------------------------------------------------------------------------------
// Calling rules

const timeWindowSchema = z.object({ from: z.string(), to: z.string() }).describe('China Standard Time, `HH:MM`');

export const callingRulesSchema = z.object({
  maxConcurrentCalls: z
    .number()
    .optional()
    .describe("concurrent outbound calls per number, where the product caps it below the SBC's default"),
  callingHours: z.array(timeWindowSchema).readonly().optional(),
  perCalleeDailyLimit: z.union([z.number(), z.object({ min: z.number(), max: z.number() })]).optional(),
  perCalleeCountedOn: z.enum(['rung-or-answered', 'answered']).optional(),
  noCallingPastComplainants: z.boolean().optional(),
  noBlindCalling: z.boolean().optional(),
  blindRegions: z.array(z.string()).readonly().optional(),
});
export type CallingRules = z.infer<typeof callingRulesSchema>;

/** What the product's numbers must obey when calling out; only the rules the seed states. */
export function callingRules(product: Product): CallingRules {
  const rules: CallingRules = {};
  const cap = product.concurrency?.maxConcurrentCallsPerNumber;
  if (cap !== undefined) rules.maxConcurrentCalls = cap;
  if (product.callingHours) rules.callingHours = product.callingHours.map((w) => ({ ...w }));
  if (product.perCalleeDailyLimit !== undefined) {
    const limit = product.perCalleeDailyLimit;
    rules.perCalleeDailyLimit = typeof limit === 'number' ? limit : { ...limit };
  }
  if (product.perCalleeCountedOn) rules.perCalleeCountedOn = product.perCalleeCountedOn;
  if (product.noCallingPastComplainants !== undefined)
    rules.noCallingPastComplainants = product.noCallingPastComplainants;
  if (product.noBlindCalling !== undefined) rules.noBlindCalling = product.noBlindCalling;
  if (product.blindRegions) rules.blindRegions = [...product.blindRegions];
  return rules;
}

/** The calling rules in words, for the enterprise's email. */
export function describeCallingRules(r: CallingRules): string {
  const parts: string[] = [];
  if (r.maxConcurrentCalls !== undefined) parts.push(`at most ${r.maxConcurrentCalls} call(s) at once per number`);
  if (r.callingHours?.length) parts.push(`hours ${r.callingHours.map((w) => `${w.from}-${w.to}`).join(' or ')}`);
  if (r.perCalleeDailyLimit !== undefined)
    parts.push(
      `at most ${typeof r.perCalleeDailyLimit === 'number' ? r.perCalleeDailyLimit : JSON.stringify(r.perCalleeDailyLimit)} calls per callee per day`,
    );
  if (r.noBlindCalling) parts.push('no blind calling');
  if (r.blindRegions?.length) parts.push(`no service in ${r.blindRegions.join(', ')}`);
  return parts.join('; ') || 'none stated';
}

/** What bound supplier lines record. */
export const thirdPartyLineResultSchema = z.object({
  productId: z.string(),
  supplier: z.string(),
  numbers: z.array(z.string()),
  instanceId: z.string(),
  callingRules: callingRulesSchema,
  supplierDue: z.object({ start: z.string(), workingDays: z.number(), dueDate: z.string() }),
});
export type ThirdPartyLineResult = z.infer<typeof thirdPartyLineResultSchema>;
