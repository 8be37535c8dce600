/**
 * SIP trunk and SIP registration onboarding: what a customer gateway must be, which numbers it
 * may bring, and the human steps of each process. Pure.
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { contactSchema, enterpriseIdSchema, phoneSchema, type RuleFailure } from './common';
import { bindingSchema, is400Number, isFixedLine, isMobile, OWN_MOBILE_REFUSAL, toE164 } from './numbers';

/** An own line valid by `valid`; an own mobile number is refused in the seed's plain words. */
function ownLineSchema(valid: (n: string) => boolean, message: string) {
  return z
    .string()
    .trim()
    .superRefine((n, ctx) => {
      if (!valid(n)) ctx.addIssue({ code: 'custom', message: isMobile(n) ? OWN_MOBILE_REFUSAL : message });
    });
}

const fixedLineSchema = ownLineSchema(isFixedLine, 'not a mainland fixed-line number (e.g. 020-66240001)');

/** A trunk also carries the enterprise's own 400 numbers (whether it owns them is checked by `trunk400Failures`). */
const trunkNumberSchema = ownLineSchema(
  (n) => isFixedLine(n) || is400Number(n),
  'not a mainland fixed-line number (e.g. 020-66240001) or a 400 number (e.g. 4008001234)',
);

/** Numbers, each valid by `valid`, none listed twice (compared in E.164). */
function numbersSchema(one: z.ZodType<string>, valid: (n: string) => boolean) {
  return z
    .array(one)
    .min(1)
    .max(200)
    .superRefine((numbers, ctx) => {
      const seen = new Map<string, number>();
      numbers.forEach((n, i) => {
        if (!valid(n)) return;
        const e164 = toE164(n);
        if (seen.has(e164))
          ctx.addIssue({ code: 'custom', path: [i], message: `the same number as numbers.${seen.get(e164)}` });
        else seen.set(e164, i);
      });
    });
}

/** Fixed lines, each valid, none listed twice (compared in E.164). */
export const lineNumbersSchema = numbersSchema(fixedLineSchema, isFixedLine);

export const instanceIdSchema = bindingSchema.shape.instanceId;

export const sipTrunkStartSchema = z.strictObject({
  kind: z.literal('sip-trunk'),
  enterpriseId: enterpriseIdSchema,
  instanceId: instanceIdSchema,
  gateway: z.strictObject({
    ip: z
      .string()
      .trim()
      .refine((v) => ipaddr.isValid(v), { message: 'not an IP address' }),
    port: z.number().int().min(1).max(65_535).default(5060),
    transport: z.enum(['udp', 'tcp']).default('udp'),
  }),
  numbers: numbersSchema(trunkNumberSchema, (n) => isFixedLine(n) || is400Number(n)).describe(
    'fixed lines, and 400 numbers the enterprise owns (with owns400Numbers)',
  ),
  owns400Numbers: z
    .boolean()
    .default(false)
    .describe('the enterprise owns the 400 numbers it lists and brings them in over this trunk'),
  carrierSupportsSipTrunk: z
    .boolean()
    .default(true)
    .describe(
      "whether the numbers' carrier supports SIP trunking; when not, the case first waits for a gateway of the enterprise's own that does (confirm-gateway-ready)",
    ),
  callerIdPrefix: z
    .string()
    .regex(/^\d{1,8}$/, 'digits only, up to 8')
    .optional(),
  boundAppId: z.string().trim().min(1).max(64),
  contact: contactSchema,
  testCallee: phoneSchema.describe('a number the outbound test call may ring'),
});
export type SipTrunkStart = z.infer<typeof sipTrunkStartSchema>;

export const sipRegistrationStartSchema = z.strictObject({
  kind: z.literal('sip-registration'),
  enterpriseId: enterpriseIdSchema,
  instanceId: instanceIdSchema,
  numbers: lineNumbersSchema,
  // TCP is recommended: large UDP packets are dropped on the public internet.
  transport: z.enum(['tcp', 'udp']).default('tcp'),
  gatewayVendor: z.enum(['freeswitch', 'generic']).default('generic'),
  contact: contactSchema,
  testCallee: phoneSchema
    .optional()
    .describe('a number the outbound test call may ring through the registered gateway'),
});
export type SipRegistrationStart = z.infer<typeof sipRegistrationStartSchema>;

/**
 * A trunk brings 400 numbers only when the enterprise says it owns them: one failure per 400
 * number listed without `owns400Numbers`.
 */
export function trunk400Failures(body: Pick<SipTrunkStart, 'numbers' | 'owns400Numbers'>): RuleFailure[] {
  if (body.owns400Numbers) return [];
  return body.numbers.flatMap((n, i) =>
    is400Number(n)
      ? [
          {
            path: `numbers.${i}`,
            code: 'own-400-not-declared',
            message: `${n} is a 400 number: a trunk brings one only when the enterprise owns it (owns400Numbers: true)`,
          },
        ]
      : [],
  );
}

/** An IP in one canonical form (IPv4-mapped IPv6 as IPv4), or undefined for anything else. */
export function canonicalIp(value: string): string | undefined {
  const bare = value.trim().replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(bare)) return undefined;
  let addr = ipaddr.parse(bare);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress())
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  return addr.toNormalizedString();
}

/** The IP of `ip`, `ip:port` or `[v6]:port`; undefined for host names. */
export function ipOfHostPort(value: string): string | undefined {
  const v = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracketed) return canonicalIp(bracketed[1]!);
  const v4 = /^([0-9.]+)(?::\d+)?$/.exec(v);
  if (v4) return canonicalIp(v4[1]!);
  return canonicalIp(v);
}

/**
 * The provider's own addresses, which no customer gateway may claim: the SBC's SIP host, the
 * platform's addresses (allowlist group 2), the probe address, and the published inbound and
 * outbound signalling addresses. Host names are left out (they are not compared).
 */
export function providerAddresses(sip: {
  provider: { inbound: string; inboundIps: string[]; outbound: string[] };
  sbc: { sipHost: string; platformAddresses: string[] };
  probeAddress: string;
}): string[] {
  const all = [
    sip.sbc.sipHost,
    ...sip.sbc.platformAddresses,
    sip.probeAddress,
    sip.provider.inbound,
    ...sip.provider.inboundIps,
    ...sip.provider.outbound,
  ];
  return [
    ...new Set(
      all
        .map(ipOfHostPort)
        .filter((ip): ip is string => ip !== undefined && ip !== '0.0.0.0' && ip !== '0:0:0:0:0:0:0:0'),
    ),
  ];
}

export interface GatewayAddressOptions {
  /** Admit private and loopback ranges (labs, tests). */
  allowPrivate: boolean;
  /** The provider's own addresses (`providerAddresses`): refused whatever the range. */
  forbidden?: string[];
}

/**
 * A gateway must sit at a public unicast address, unless configuration admits private and
 * loopback ranges (labs, tests), and never at one of the provider's own addresses. The refusal
 * names the range the address fell in, or says it is the provider's.
 */
export function checkGatewayAddress(ip: string, options: GatewayAddressOptions): RuleFailure | null {
  const canonical = canonicalIp(ip);
  if (!canonical) return { path: 'gateway.ip', code: 'gateway-ip-invalid', message: `${ip} is not an IP address` };
  if ((options.forbidden ?? []).some((f) => ipOfHostPort(f) === canonical)) {
    return {
      path: 'gateway.ip',
      code: 'gateway-ip-provider',
      message: `${ip} is one of the provider's own addresses (SBC, platform or signalling); a gateway must be the customer's`,
    };
  }
  const range = ipaddr.parse(canonical).range();
  if (range === 'unicast') return null;
  if (options.allowPrivate && ['private', 'loopback', 'uniqueLocal'].includes(range)) return null;
  return {
    path: 'gateway.ip',
    code: 'gateway-ip-range',
    // Seed 001: a gateway without a public IP registers instead (SIP registration mode).
    message: `${ip} is in the ${range} range; a SIP trunk gateway needs a public unicast address. A gateway without a public IP connects in registration mode instead: start a sip-registration (设备无公网 IP，可按 SIP 账号注册模式接入)`,
  };
}

/** Ranges no gateway can be at, whatever configuration allows (169.254.169.254 is link-local). */
const NEVER_GATEWAY_RANGES = ['unspecified', 'broadcast', 'multicast', 'linkLocal'];

/**
 * The rule the activities that write the allowlist apply again: never a provider address, and
 * never a range no gateway can be at. The public-only rule stays with the API, where
 * configuration says whether labs (private, loopback, documentation ranges) are allowed.
 */
export function checkAllowlistAddress(ip: string, forbidden: string[]): RuleFailure | null {
  const failure = checkGatewayAddress(ip, { allowPrivate: true, forbidden });
  if (failure?.code !== 'gateway-ip-range') return failure;
  const range = ipaddr.parse(canonicalIp(ip)!).range();
  return NEVER_GATEWAY_RANGES.includes(range) ? failure : null;
}

const note = z.strictObject({ note: z.string().max(1000).optional() });
const reason = z.strictObject({ reason: z.string().trim().min(1).max(1000) });

/** Where the SBC has no API, support makes each change by hand and confirms it. */
const confirmSbcChange = z.strictObject({ change: z.string().min(1).max(100), note: z.string().max(1000).optional() });

export const sipTrunkPayloads = {
  approve: note,
  reject: reason,
  'confirm-gateway-ready': note,
  'confirm-whitelist': note,
  'retry-connectivity': note,
  'confirm-inbound-test': note,
  'confirm-sbc-change': confirmSbcChange,
};

export const sipRegistrationPayloads = {
  approve: note,
  reject: reason,
  'rotate-credentials': note,
  'confirm-registration': note,
  'confirm-inbound-test': note,
  'confirm-sbc-change': confirmSbcChange,
};

/** One line of a SIP case's pass/fail report. */
export const checkSchema = z.object({
  name: z.string(),
  passed: z.boolean(),
  detail: z.string(),
  at: z.string(),
  code: z.number().optional(),
  rttMs: z.number().optional(),
});
export type Check = z.infer<typeof checkSchema>;

/** The report a SIP case that failed shows. */
export const sipReportSchema = z.object({
  passed: z.boolean(),
  checks: z.array(checkSchema),
  reason: z.string().optional(),
});
export type SipReport = z.infer<typeof sipReportSchema>;

/** What a trunk that passed records. */
export const sipTrunkPassedSchema = z.object({
  passed: z.literal(true),
  gateway: z.string(),
  numbers: z.array(z.string()),
  instanceId: z.string(),
  checks: z.array(checkSchema),
});
export type SipTrunkResult = z.infer<typeof sipTrunkPassedSchema>;

/** A SIP trunk case's `result`: the trunk that passed, or the report of one that failed. */
export const sipTrunkResultSchema = z.union([sipTrunkPassedSchema, sipReportSchema]);

/** The registration as it stands: the account once issued, the report once the gateway passed. */
export const sipRegistrationViewSchema = z.object({
  account: z.object({ username: z.string(), realm: z.string() }),
  registrar: z.string(),
  transport: z.string(),
  passed: z.boolean().optional(),
  checks: z.array(checkSchema).optional(),
  numbers: z.array(z.string()).optional(),
  rotations: z.number().optional(),
});
export type SipRegistrationView = z.infer<typeof sipRegistrationViewSchema>;

/** A SIP registration case's `result`: the registration as it stands, or the report of one that failed. */
export const sipRegistrationResultSchema = z.union([sipRegistrationViewSchema, sipReportSchema]);
