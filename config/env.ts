/** The environment the configuration is parsed from: one zod schema, with the value types it shares. */
import { isIP } from 'node:net';
import { z } from 'zod';

/** A duration such as `30s`, `15m`, `4h`, `2d` or a bare number of milliseconds. */
export const durationSchema = z
  .string()
  .trim()
  .regex(/^\d+(ms|s|m|h|d)?$/, 'a duration such as 500ms, 30s, 15m, 4h or 2d')
  .transform((value) => parseDuration(value));

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseDuration(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) throw new RangeError(`not a duration: ${value}`);
  const unit = (match[2] ?? 'ms') as keyof typeof UNIT_MS;
  return Number(match[1]) * UNIT_MS[unit];
}

const port = z.coerce.number().int().min(1).max(65_535);
const rate = z.coerce.number().min(0).max(1);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** `host:port` (a name or an IP; IPv6 in brackets). */
export const hostPortPattern = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** A comma-separated list whose items must each pass `valid`; the error names the ones that fail. */
function commaList(what: string, valid: (item: string) => boolean) {
  return z.string().transform((v, ctx) => {
    const items = v
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const bad = items.filter((p) => !valid(p));
    if (bad.length) ctx.addIssue({ code: 'custom', message: `not ${what}: ${bad.join(', ')}` });
    return bad.length ? [] : items;
  });
}

/** A comma-separated list of `host:port`. */
/** A comma-separated setting with its default, each item checked by `valid`. */
const commaSetting = (fallback: string, what: string, valid: (item: string) => boolean) =>
  z.string().default(fallback).pipe(commaList(what, valid));

const hostPortList = commaList(
  'host:port',
  (p) => hostPortPattern.test(p) && Number(hostPortPattern.exec(p)![2]) <= 65_535,
);

/** A comma-separated list of IP addresses. */
const ipList = commaList('IP addresses', (p) => isIP(p) !== 0);

export interface PayloadKey {
  id: string;
  /** 32 bytes (AES-256). */
  key: Buffer;
}

/**
 * Payload encryption keys: `id=base64key` pairs, comma- or newline-separated; the first encrypts,
 * all decrypt (config/payload-encryption.ts). The same text in PAYLOAD_KEYS or PAYLOAD_KEYS_FILE.
 */
export const payloadKeyListSchema = z.string().transform((v, ctx): PayloadKey[] => {
  const items = v
    .split(/[,\n]/)
    .map((p) => p.trim())
    .filter(Boolean);
  const keys: PayloadKey[] = [];
  for (const [i, item] of items.entries()) {
    const eq = item.indexOf('=');
    const id = eq > 0 ? item.slice(0, eq) : '';
    // Never quote the item: it holds the key.
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) {
      ctx.addIssue({ code: 'custom', message: `key ${i + 1}: not id=base64key (an id of letters, digits, . _ -)` });
      continue;
    }
    const key = Buffer.from(item.slice(eq + 1), 'base64');
    if (key.length !== 32) ctx.addIssue({ code: 'custom', message: `key "${id}": not 32 bytes of base64` });
    else if (keys.some((k) => k.id === id)) ctx.addIssue({ code: 'custom', message: `key "${id}": listed twice` });
    else keys.push({ id, key });
  }
  if (items.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one key' });
  return keys;
});

/** The provider's published signalling addresses (what customers allowlist and send to). */
export const PROVIDER_SIGNALLING = {
  inbound: 'sip.pstn.avc.qcloud.com:5089',
  inboundIps: ['139.199.233.98:5089', '114.221.144.81:5089'],
  outbound: [
    '139.199.4.25:5089',
    '203.195.240.224:5089',
    '129.211.167.158:5089',
    '129.211.167.34:5089',
    '129.211.166.16:5089',
    '129.204.27.73:5089',
  ],
  registrar: 'sip.tccc.qcloud.com:35090',
} as const;

/**
 * The variables of a service called over HTTP, each under the service's prefix (`BILLING_URL`, ...):
 * where it is, where its sandbox listens, its key and the sandbox's data file and faults.
 */
function httpServiceEnv<P extends string>(prefix: P, sandboxPort: number, sandboxKey: string) {
  const fields = {
    URL: z.url().default(`http://localhost:${sandboxPort}`),
    HOST: z.string().default('127.0.0.1'),
    PORT: port.default(sandboxPort),
    API_KEY: z.string().default(sandboxKey),
    DATA_FILE: z.string().optional(),
    LATENCY_MS: z.coerce.number().int().min(0).default(0),
    FAILURE_RATE: rate.default(0),
    TIMEOUT_RATE: rate.default(0),
  };
  type Fields = typeof fields;
  return Object.fromEntries(Object.entries(fields).map(([name, schema]) => [`${prefix}_${name}`, schema])) as {
    [K in keyof Fields as `${P}_${K}`]: Fields[K];
  };
}

/** Registration realms are `<instanceId>.<SIP domain>`. */
export const DEFAULT_SIP_DOMAIN = 'tccc.qcloud.com';

export const envSchema = z.object({
  APP_PROFILE: z.enum(['development', 'production', 'test']).default('development'),
  DATA_DIR: z.string().default('.data'),
  /** Payload encryption keys (see payloadKeyListSchema); else read from PAYLOAD_KEYS_FILE. */
  PAYLOAD_KEYS: payloadKeyListSchema.optional(),
  /** A file of payload keys; default outside production: `<DATA_DIR>/payload-keys`, made at first start. */
  PAYLOAD_KEYS_FILE: z.string().optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),

  TEMPORAL_ADDRESS: z.string().default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('onboarding'),
  TEMPORAL_UI_URL: z.url().default('http://localhost:8233'),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI: z.string().optional(),
  // TLS to the Temporal frontend (mTLS with a client pair; Temporal Cloud with an API key).
  TEMPORAL_TLS: bool.optional(),
  TEMPORAL_TLS_CA: z.string().optional(),
  TEMPORAL_TLS_CERT: z.string().optional(),
  TEMPORAL_TLS_KEY: z.string().optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  TEMPORAL_API_KEY: z.string().optional(),
  // Each cached workflow holds about 0.4 MiB of worker memory (BENCHMARKS.md, scale).
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(1).default(1000),

  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: port.default(3000),
  API_PUBLIC_URL: z.url().optional(),
  API_BODY_LIMIT: z.string().default('100kb'),
  API_TOKENS_FILE: z.string().optional(),

  /** The product's own PostgreSQL database: documents and the email ledger shared by every process. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
    .optional(),
  /** The worker's Prometheus endpoint (the SDK's runtime metrics), `host:port`; unset: none. */
  WORKER_METRICS_ADDRESS: z.string().regex(hostPortPattern, 'host:port').optional(),
  /** The API's Prometheus endpoint: its own listener, never the API's port. Default port: API_PORT + 6464 (3000: 9464). */
  METRICS_HOST: z.string().default('127.0.0.1'),
  METRICS_PORT: port.optional(),
  /** How long the API's count of cases waiting on support is reused between scrapes. */
  METRICS_CASES_CACHE: durationSchema.default(15_000),

  DOCUMENTS_DIR: z.string().optional(),
  DOCUMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),

  SMTP_HOST: z.string().default('localhost'),
  SMTP_PORT: port.default(1025),
  SMTP_SECURE: bool.default(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  MAIL_WEB_PORT: port.default(1080),
  MAIL_FROM: z.string().default('Onboarding <onboarding@cc-provider.example>'),
  SUPPORT_EMAIL: z.email().default('support@cc-provider.example'),
  EMAIL_LEDGER_FILE: z.string().optional(),

  ...httpServiceEnv('BILLING', 4010, 'sandbox-billing-key'),
  BILLING_WEBHOOK_URL: z.url().optional(),
  BILLING_WEBHOOK_SECRET: z.string().min(16).default('sandbox-webhook-secret-change-me'),
  BILLING_WEBHOOK_DROP_RATE: rate.default(0),
  BILLING_WEBHOOK_DUPLICATE_RATE: rate.default(0),
  BILLING_INVOICE_DELAY_MS: z.coerce.number().int().min(0).default(5_000),

  ...httpServiceEnv('CONTACT_CENTER', 4020, 'sandbox-contact-center-key'),
  // Where administrators sign in; the default is the sandbox's own sign-in page.
  CONTACT_CENTER_CONSOLE_URL: z.url().optional(),

  // Durations that wait on people: days in production, seconds in tests.
  VERIFICATION_REVIEW_SLA: durationSchema.default(parseDuration('1d')),
  JOURNEY_STALL_AFTER: durationSchema.default(parseDuration('3d')),
  JOURNEY_REMIND_EVERY: durationSchema.default(parseDuration('3d')),
  JOURNEY_REPORTS_PER_RUN: z.coerce.number().int().min(10).max(10_000).default(500),
  // A month's calls are billed this long after it ends (China time), so late records make it.
  USAGE_BILLING_GRACE: durationSchema.default(parseDuration('3d')),
  VERIFICATION_RESUBMISSION_WINDOW: durationSchema.default(parseDuration('14d')),
  PURCHASE_SCRIPT_REVIEW_SLA: durationSchema.default(parseDuration('1d')),
  PURCHASE_SCRIPT_RESUBMISSION_WINDOW: durationSchema.default(parseDuration('14d')),
  PURCHASE_PAYMENT_WINDOW: durationSchema.default(parseDuration('3d')),
  PURCHASE_PAYMENT_POLL: durationSchema.default(parseDuration('10m')),
  PURCHASE_ROUTING_SLA: durationSchema.default(parseDuration('1d')),
  PURCHASE_RESERVATION_TTL: durationSchema.default(parseDuration('15m')),
  SUBSCRIPTION_PERIOD: durationSchema.default(parseDuration('30d')),
  SUBSCRIPTION_REMINDERS: commaSetting('7d,1d', 'durations', (p) => /^\d+(ms|s|m|h|d)?$/.test(p)).transform((parts) =>
    parts.map(parseDuration).sort((a, b) => b - a),
  ),
  SUBSCRIPTION_GRACE: durationSchema.default(parseDuration('7d')),

  LANDING_INVOICE_POLL: durationSchema.default(parseDuration('1h')),
  LANDING_INVOICE_WINDOW: durationSchema.default(parseDuration('7d')),
  LANDING_REMINDER_INTERVAL: durationSchema.default(parseDuration('2d')),
  LANDING_DEADLINE: durationSchema.default(parseDuration('30d')),
  LANDING_TEST_CALL_WINDOW: durationSchema.default(parseDuration('3d')),

  THIRD_PARTY_REVIEW_SLA: durationSchema.default(parseDuration('1d')),
  /** Length of one calendar day when counting suppliers' lead times (1d; tests shrink it). */
  THIRD_PARTY_DAY: durationSchema.default(parseDuration('1d')),
  THIRD_PARTY_ESCALATION_INTERVAL: durationSchema.default(parseDuration('1d')),
  /** Public holidays excluded from working days, as YYYY-MM-DD, comma-separated (set each year's). */
  THIRD_PARTY_HOLIDAYS: commaSetting('', 'dates', (d) => /^\d{4}-\d{2}-\d{2}$/.test(d)),
  SUPPLIER_EMAILS: z
    .string()
    .default('A=onboarding@supplier-a.example,B=onboarding@supplier-b.example,C=onboarding@supplier-c.example')
    .transform((v) =>
      Object.fromEntries(v.split(',').map((pair) => pair.split('=').map((p) => p.trim()) as [string, string])),
    ),

  // recording: a JSON file, no SBC (tests). kamailio: the product's SBC (sbc/). manual: an SBC
  // without an API; writes become change requests for a person.
  SIP_ALLOW_PRIVATE_GATEWAYS: bool.default(false),
  // Webhooks: receivers on loopback and private addresses for local testing (refused in production).
  WEBHOOK_ALLOW_PRIVATE_URLS: bool.default(false),
  // Off: cases still emit, but no event is stored or delivered (to measure what events cost).
  WEBHOOKS_ENABLED: bool.default(true),
  WEBHOOK_RETRY_INITIAL: durationSchema.default(parseDuration('5s')),
  WEBHOOK_RETRY_MAX_INTERVAL: durationSchema.default(parseDuration('6h')),
  WEBHOOK_GIVE_UP_AFTER: durationSchema.default(parseDuration('3d')),
  SIP_REVIEW_SLA: durationSchema.default(parseDuration('1d')),
  SIP_WHITELIST_REMINDER: durationSchema.default(parseDuration('1d')),
  SIP_WHITELIST_DEADLINE: durationSchema.default(parseDuration('14d')),
  /** How long OPTIONS keeps being retried (with backoff) before the check is called failed. */
  SIP_CONNECTIVITY_WINDOW: durationSchema.default(parseDuration('2m')),
  SIP_CONNECTIVITY_RETRY_DEADLINE: durationSchema.default(parseDuration('14d')),
  SIP_INBOUND_TEST_WINDOW: durationSchema.default(parseDuration('1h')),
  SIP_REGISTRATION_REMINDER: durationSchema.default(parseDuration('1d')),
  SIP_REGISTRATION_DEADLINE: durationSchema.default(parseDuration('14d')),
  /** The local address SIP probes are sent from (the platform's signalling address). */
  SIP_PROBE_ADDRESS: z.string().default('127.0.0.1'),
  /** One OPTIONS attempt, retransmissions included, before it counts as unanswered. */
  SIP_OPTIONS_TIMEOUT: durationSchema.default(parseDuration('8s')),

  SIP_GATEWAY_MODE: z.enum(['recording', 'kamailio', 'manual']).default('recording'),
  SIP_GATEWAY_RECORD_FILE: z.string().optional(),
  SIP_GATEWAY_MANUAL_FILE: z.string().optional(),
  SIP_DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'a domain name')
    .default(DEFAULT_SIP_DOMAIN),
  // What customers are told: where to register, where to send calls, what to allowlist. Default:
  // the published addresses; in development, the local SBC.
  SIP_REGISTRAR: z.string().regex(hostPortPattern, 'host:port').optional(),
  SIP_PROVIDER_INBOUND: z.string().regex(hostPortPattern, 'host:port').optional(),
  SIP_PROVIDER_INBOUND_IPS: hostPortList.optional(),
  SIP_PROVIDER_OUTBOUND: hostPortList.optional(),

  // The SBC (kamailio mode, and the one `npm start` runs).
  SBC_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
    .default('postgres://postgres@127.0.0.1:5432/onboarding_sbc'),
  SBC_RPC_URL: z.url().optional(),
  SBC_SIP_HOST: z.string().default('127.0.0.1'),
  SBC_SIP_PORT: port.default(5080),
  SBC_RPC_HOST: z.string().default('127.0.0.1'),
  SBC_RPC_PORT: port.default(5071),
  /** Where admitted inbound calls go (the contact center's SIP address); unset: the SBC answers 480. */
  SBC_PLATFORM_URI: z
    .string()
    .regex(/^sips?:/, 'a sip: URI')
    .optional(),
  /** The platform's signalling IPs (allowlist group 2): calls from them may reach customers. */
  SBC_PLATFORM_ADDRESSES: ipList.optional(),
  /** The zone of the SBC's local-time columns. */
  SBC_TIME_ZONE: z.string().default('UTC'),

  // Calls by the owner and origin of their numbers: the platform's own listener on the SBC,
  // dialog keep-alives, carrier interconnects, and the public-network simulator of `npm start`.
  /** The SBC's listener for the platform (TCP, never published); default: the SIP host, port + 2. */
  SBC_PLATFORM_HOST: z.string().optional(),
  SBC_PLATFORM_PORT: port.optional(),
  /**
   * One of an SBC pair (both set, or neither): this SBC's DMQ listener port (TCP on the SIP host,
   * reachable by the other SBC only) and the other SBC's SIP address (an IP and port); its platform
   * and DMQ ports default to its SIP port + 2 and + 3.
   */
  SBC_DMQ_PORT: port.optional(),
  SBC_PEER: z.string().regex(hostPortPattern, 'host:port').optional(),
  SBC_PEER_PLATFORM_PORT: port.optional(),
  SBC_PEER_DMQ_PORT: port.optional(),
  /** Seconds between in-dialog keep-alives: a call whose parties are gone ends within about this. */
  SBC_KEEPALIVE_INTERVAL: z.coerce.number().int().min(30).max(3_600).default(60),
  /** Carrier interconnects (JSON array of {name, ip, port, transport, origins, prefixes}); default in development: the simulator. */
  SBC_CARRIERS: z.string().optional(),
  /** The public-network simulator (`npm start`): a carrier's address, where outside callers call from and callees answer. */
  PSTN_SIM_HOST: z.string().default('127.0.0.2'),
  PSTN_SIM_PORT: port.default(5092),
  /** The contact-center sandbox's SIP side (behind the SBC, TCP); default: the sandbox's host, port 5094. */
  CONTACT_CENTER_SIP_HOST: z.string().optional(),
  CONTACT_CENTER_SIP_PORT: port.default(5094),
});

export type Env = z.infer<typeof envSchema>;
