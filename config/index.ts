/**
 * Configuration, parsed once from the environment by one zod schema.
 *
 * Every process (API, worker, sandboxes, the dev supervisor) calls `loadConfig()` and reads the
 * part it needs. Defaults are the development profile's (`npm start`); production sets what it
 * must (a tokens file at least) and refuses to start otherwise.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { carrierListSchema, type Carrier } from '../domain/carriers';

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
const hostPortPattern = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** A comma-separated list of `host:port`. */
const hostPortList = z.string().transform((v, ctx) => {
  const items = v
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const bad = items.filter((p) => !hostPortPattern.test(p) || Number(hostPortPattern.exec(p)![2]) > 65_535);
  if (bad.length) ctx.addIssue({ code: 'custom', message: `not host:port: ${bad.join(', ')}` });
  return items;
});

/** A comma-separated list of IP addresses. */
const ipList = z.string().transform((v, ctx) => {
  const items = v
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const bad = items.filter((p) => isIP(p) === 0);
  if (bad.length) ctx.addIssue({ code: 'custom', message: `not IP addresses: ${bad.join(', ')}` });
  return items;
});

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

/** Registration realms are `<instanceId>.<SIP domain>`. */
export const DEFAULT_SIP_DOMAIN = 'tccc.qcloud.com';

const envSchema = z.object({
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

  BILLING_URL: z.url().default('http://localhost:4010'),
  BILLING_HOST: z.string().default('127.0.0.1'),
  BILLING_PORT: port.default(4010),
  BILLING_API_KEY: z.string().default('sandbox-billing-key'),
  BILLING_DATA_FILE: z.string().optional(),
  BILLING_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  BILLING_FAILURE_RATE: rate.default(0),
  BILLING_TIMEOUT_RATE: rate.default(0),
  BILLING_WEBHOOK_URL: z.url().optional(),
  BILLING_WEBHOOK_SECRET: z.string().min(16).default('sandbox-webhook-secret-change-me'),
  BILLING_WEBHOOK_DROP_RATE: rate.default(0),
  BILLING_WEBHOOK_DUPLICATE_RATE: rate.default(0),
  BILLING_INVOICE_DELAY_MS: z.coerce.number().int().min(0).default(5_000),

  CONTACT_CENTER_URL: z.url().default('http://localhost:4020'),
  CONTACT_CENTER_HOST: z.string().default('127.0.0.1'),
  CONTACT_CENTER_PORT: port.default(4020),
  CONTACT_CENTER_API_KEY: z.string().default('sandbox-contact-center-key'),
  CONTACT_CENTER_DATA_FILE: z.string().optional(),
  CONTACT_CENTER_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  CONTACT_CENTER_FAILURE_RATE: rate.default(0),
  CONTACT_CENTER_TIMEOUT_RATE: rate.default(0),
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
  SUBSCRIPTION_REMINDERS: z
    .string()
    .default('7d,1d')
    .transform((v, ctx) => {
      const parts = v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      const bad = parts.filter((p) => !/^\d+(ms|s|m|h|d)?$/.test(p));
      if (bad.length) ctx.addIssue({ code: 'custom', message: `not durations: ${bad.join(', ')}` });
      return bad.length ? [] : parts.map(parseDuration).sort((a, b) => b - a);
    }),
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
  THIRD_PARTY_HOLIDAYS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const days = v
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean);
      const bad = days.filter((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d));
      if (bad.length) ctx.addIssue({ code: 'custom', message: `not dates: ${bad.join(', ')}` });
      return days;
    }),
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

export interface Config {
  profile: Env['APP_PROFILE'];
  dataDir: string;
  logLevel: Env['LOG_LEVEL'];
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    uiUrl: string;
    uiPort: number;
    cli?: string;
    dbFile: string;
    /** The worker's sticky cache: workflows kept in memory between tasks. */
    maxCachedWorkflows: number;
    /** Absent: plaintext. Files are read when connecting (config/temporal-connection.ts). */
    tls?: { caFile?: string; certFile?: string; keyFile?: string; serverName?: string };
    apiKey?: string;
  };
  api: {
    host: string;
    port: number;
    publicUrl: string;
    bodyLimit: string;
    tokensFile?: string;
  };
  /** Temporal payload encryption: the keys themselves, or the file they are read from at start. */
  payloadEncryption: { keys?: PayloadKey[]; keysFile?: string; generateIfMissing: boolean };
  documents: { dir: string; maxBytes: number };
  /** Absent: documents and the email ledger are files under `dataDir`. */
  database?: { url: string };
  /** The API's metrics listener (host, port), the worker's, and the support-queue count's reuse. */
  metrics: { host: string; port: number; workerAddress?: string; casesCacheMs: number };
  email: {
    smtp: { host: string; port: number; secure: boolean; user?: string; password?: string };
    webPort: number;
    from: string;
    supportAddress: string;
    ledgerFile: string;
  };
  billing: {
    url: string;
    host: string;
    port: number;
    apiKey: string;
    dataFile: string;
    latencyMs: number;
    failureRate: number;
    timeoutRate: number;
    webhookUrl: string;
    webhookSecret: string;
    /** Sandbox only: share of events never sent, share sent twice. */
    webhookDropRate: number;
    webhookDuplicateRate: number;
    /** Sandbox only: how long an invoice takes to be issued. */
    invoiceDelayMs: number;
  };
  contactCenter: {
    url: string;
    host: string;
    port: number;
    apiKey: string;
    /** Sandbox only: its data file and fault switches. */
    dataFile: string;
    latencyMs: number;
    failureRate: number;
    timeoutRate: number;
    /** The sign-in address emailed to an instance's administrator. */
    consoleUrl: string;
  };
  timings: {
    verification: { reviewSlaMs: number; resubmissionWindowMs: number };
    journey: { stallAfterMs: number; remindEveryMs: number; reportsPerRun: number };
    usage: UsageTimings;
    purchase: PurchaseTimings;
    subscription: SubscriptionTimings;
    landing: LandingTimings;
    thirdParty: ThirdPartyTimings;
    sip: SipTimings;
  };
  /** Where each supplier receives applications, by supplier letter. */
  supplierEmails: Record<string, string>;
  webhooks: {
    enabled: boolean;
    /** The embedded store's directory (without `DATABASE_URL`). */
    dir: string;
    /** http receivers accepted (every profile but production). */
    allowHttp: boolean;
    allowPrivateUrls: boolean;
    /** Delivery retries: exponential from `retryInitialMs`, capped, until `giveUpAfterMs`. */
    retryInitialMs: number;
    retryMaxIntervalMs: number;
    giveUpAfterMs: number;
  };
  sipGateway: {
    mode: Env['SIP_GATEWAY_MODE'];
    recordFile: string;
    manualFile: string;
    /** Realms are `<instanceId>.<sipDomain>`. */
    sipDomain: string;
    /** Where registration-mode gateways register (host:port). */
    registrar: string;
    /** Signalling addresses customers send calls to and allowlist (host:port). */
    provider: { inbound: string; inboundIps: string[]; outbound: string[] };
    sbc: SbcConfig;
    /** Admit gateways at private and loopback addresses (labs, tests). */
    allowPrivateGateways: boolean;
    /** The local address SIP probes and test calls leave from. */
    probeAddress: string;
    optionsTimeoutMs: number;
  };
}

export interface SbcConfig {
  /** The platform's own listener on the SBC (TCP): calls out are taken only there. */
  platformListener: { host: string; port: number };
  keepAliveSeconds: number;
  carriers: Carrier[];
  /** The public-network simulator behind a carrier interconnect (development). */
  pstnSimulator: { host: string; port: number };
  /** The contact-center sandbox's SIP side, where the SBC sends calls in (development). */
  contactCenterSip: { host: string; port: number };
  databaseUrl: string;
  rpcUrl: string;
  sipHost: string;
  sipPort: number;
  rpcHost: string;
  rpcPort: number;
  platformUri?: string;
  platformAddresses: string[];
  timeZone: string;
  /** One of an SBC pair: its DMQ listener and the other SBC's listeners. */
  pair?: {
    dmq: { host: string; port: number };
    peer: { host: string; sipPort: number; platformPort: number; dmqPort: number };
  };
}

export interface PurchaseTimings {
  scriptReviewSlaMs: number;
  scriptResubmissionWindowMs: number;
  paymentWindowMs: number;
  paymentPollMs: number;
  routingSlaMs: number;
  reservationTtlMs: number;
}

export interface SipTimings {
  reviewSlaMs: number;
  whitelistReminderMs: number;
  whitelistDeadlineMs: number;
  connectivityWindowMs: number;
  connectivityRetryDeadlineMs: number;
  inboundTestWindowMs: number;
  registrationReminderMs: number;
  registrationDeadlineMs: number;
}

export interface ThirdPartyTimings {
  reviewSlaMs: number;
  /** One calendar day, for turning working-day lead times into waiting time. */
  dayMs: number;
  escalationEveryMs: number;
  holidays: string[];
}

export interface LandingTimings {
  /** How often to ask billing for the invoice in case its webhook was lost. */
  invoicePollMs: number;
  invoiceWindowMs: number;
  /** Reminders to the enterprise while the 400 operator re-points the number. */
  reminderIntervalMs: number;
  landingDeadlineMs: number;
  testCallWindowMs: number;
}

export interface SubscriptionTimings {
  /** One month of rent. */
  periodMs: number;
  /** Reminders before expiry when not renewing automatically, longest first. */
  remindersBeforeMs: number[];
  graceMs: number;
}

export interface UsageTimings {
  /** After a month ends (China time), how long its call records are given to arrive before billing. */
  graceMs: number;
}

export class ConfigError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`invalid configuration:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The product's processes, and the secrets each one uses: production checks a process's own (a
 * billing sandbox is not refused for lacking the contact center's key), and a deployment gives
 * each container only its own (docker-compose.yml; test/unit/deploy-config.test.ts holds them to it).
 */
export const PROCESS_SECRETS = {
  api: [
    'API_TOKENS_FILE',
    'PAYLOAD_KEYS_FILE',
    'DATABASE_URL',
    'SBC_DATABASE_URL',
    'BILLING_API_KEY',
    'BILLING_WEBHOOK_SECRET',
    'CONTACT_CENTER_API_KEY',
    'TEMPORAL_API_KEY',
    'TEMPORAL_TLS_KEY',
  ],
  worker: [
    'PAYLOAD_KEYS_FILE',
    'DATABASE_URL',
    'SBC_DATABASE_URL',
    'BILLING_API_KEY',
    'CONTACT_CENTER_API_KEY',
    'SMTP_PASSWORD',
    'TEMPORAL_API_KEY',
    'TEMPORAL_TLS_KEY',
  ],
  billing: ['BILLING_API_KEY', 'BILLING_WEBHOOK_SECRET'],
  'contact-center': ['CONTACT_CENTER_API_KEY'],
  sbc: ['SBC_DATABASE_URL'],
} as const;
export type ProductProcess = keyof typeof PROCESS_SECRETS;

export interface LoadConfigOptions {
  /** The process loading it: production checks that process's secrets only. Default: every check. */
  process?: ProductProcess;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Config {
  // Empty strings mean "unset", as shells and compose files often pass them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const apiPublicUrl = e.API_PUBLIC_URL ?? `http://localhost:${e.API_PORT}`;
  const development = e.APP_PROFILE === 'development';
  const localSbc = `${e.SBC_SIP_HOST}:${e.SBC_SIP_PORT}`;
  // An SBC pair publishes both addresses: customers send to either and allowlist both.
  const localSbcs = [localSbc, ...(e.SBC_PEER ? [e.SBC_PEER] : [])];
  const config: Config = {
    profile: e.APP_PROFILE,
    dataDir,
    logLevel: e.LOG_LEVEL,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiUrl: e.TEMPORAL_UI_URL.replace(/\/$/, ''),
      uiPort: e.TEMPORAL_UI_PORT,
      cli: e.TEMPORAL_CLI,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      dbFile: path.join(dataDir, 'temporal.db'),
      ...temporalTls(e),
    },
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      publicUrl: apiPublicUrl.replace(/\/$/, ''),
      bodyLimit: e.API_BODY_LIMIT,
      tokensFile: e.API_TOKENS_FILE,
    },
    payloadEncryption: payloadEncryption(e, dataDir),
    documents: { dir: e.DOCUMENTS_DIR ?? path.join(dataDir, 'documents'), maxBytes: e.DOCUMENT_MAX_BYTES },
    ...(e.DATABASE_URL ? { database: { url: e.DATABASE_URL } } : {}),
    metrics: {
      host: e.METRICS_HOST,
      port: e.METRICS_PORT ?? e.API_PORT + 6464,
      workerAddress: e.WORKER_METRICS_ADDRESS,
      casesCacheMs: e.METRICS_CASES_CACHE,
    },
    email: {
      smtp: {
        host: e.SMTP_HOST,
        port: e.SMTP_PORT,
        secure: e.SMTP_SECURE,
        user: e.SMTP_USER,
        password: e.SMTP_PASSWORD,
      },
      webPort: e.MAIL_WEB_PORT,
      from: e.MAIL_FROM,
      supportAddress: e.SUPPORT_EMAIL,
      ledgerFile: e.EMAIL_LEDGER_FILE ?? path.join(dataDir, 'email-ledger.jsonl'),
    },
    billing: {
      url: e.BILLING_URL.replace(/\/$/, ''),
      host: e.BILLING_HOST,
      port: e.BILLING_PORT,
      apiKey: e.BILLING_API_KEY,
      dataFile: e.BILLING_DATA_FILE ?? path.join(dataDir, 'billing.json'),
      latencyMs: e.BILLING_LATENCY_MS,
      failureRate: e.BILLING_FAILURE_RATE,
      timeoutRate: e.BILLING_TIMEOUT_RATE,
      webhookUrl: e.BILLING_WEBHOOK_URL ?? `${apiPublicUrl.replace(/\/$/, '')}/v1/webhooks/billing`,
      webhookSecret: e.BILLING_WEBHOOK_SECRET,
      webhookDropRate: e.BILLING_WEBHOOK_DROP_RATE,
      webhookDuplicateRate: e.BILLING_WEBHOOK_DUPLICATE_RATE,
      invoiceDelayMs: e.BILLING_INVOICE_DELAY_MS,
    },
    contactCenter: {
      url: e.CONTACT_CENTER_URL.replace(/\/$/, ''),
      host: e.CONTACT_CENTER_HOST,
      port: e.CONTACT_CENTER_PORT,
      apiKey: e.CONTACT_CENTER_API_KEY,
      dataFile: e.CONTACT_CENTER_DATA_FILE ?? path.join(dataDir, 'contact-center.json'),
      latencyMs: e.CONTACT_CENTER_LATENCY_MS,
      failureRate: e.CONTACT_CENTER_FAILURE_RATE,
      timeoutRate: e.CONTACT_CENTER_TIMEOUT_RATE,
      consoleUrl: e.CONTACT_CENTER_CONSOLE_URL ?? `${e.CONTACT_CENTER_URL.replace(/\/$/, '')}/console`,
    },
    timings: {
      verification: {
        reviewSlaMs: e.VERIFICATION_REVIEW_SLA,
        resubmissionWindowMs: e.VERIFICATION_RESUBMISSION_WINDOW,
      },
      usage: { graceMs: e.USAGE_BILLING_GRACE },
      journey: {
        stallAfterMs: e.JOURNEY_STALL_AFTER,
        remindEveryMs: e.JOURNEY_REMIND_EVERY,
        reportsPerRun: e.JOURNEY_REPORTS_PER_RUN,
      },
      purchase: {
        scriptReviewSlaMs: e.PURCHASE_SCRIPT_REVIEW_SLA,
        scriptResubmissionWindowMs: e.PURCHASE_SCRIPT_RESUBMISSION_WINDOW,
        paymentWindowMs: e.PURCHASE_PAYMENT_WINDOW,
        paymentPollMs: e.PURCHASE_PAYMENT_POLL,
        routingSlaMs: e.PURCHASE_ROUTING_SLA,
        reservationTtlMs: e.PURCHASE_RESERVATION_TTL,
      },
      sip: {
        reviewSlaMs: e.SIP_REVIEW_SLA,
        whitelistReminderMs: e.SIP_WHITELIST_REMINDER,
        whitelistDeadlineMs: e.SIP_WHITELIST_DEADLINE,
        connectivityWindowMs: e.SIP_CONNECTIVITY_WINDOW,
        connectivityRetryDeadlineMs: e.SIP_CONNECTIVITY_RETRY_DEADLINE,
        inboundTestWindowMs: e.SIP_INBOUND_TEST_WINDOW,
        registrationReminderMs: e.SIP_REGISTRATION_REMINDER,
        registrationDeadlineMs: e.SIP_REGISTRATION_DEADLINE,
      },
      thirdParty: {
        reviewSlaMs: e.THIRD_PARTY_REVIEW_SLA,
        dayMs: e.THIRD_PARTY_DAY,
        escalationEveryMs: e.THIRD_PARTY_ESCALATION_INTERVAL,
        holidays: e.THIRD_PARTY_HOLIDAYS,
      },
      landing: {
        invoicePollMs: e.LANDING_INVOICE_POLL,
        invoiceWindowMs: e.LANDING_INVOICE_WINDOW,
        reminderIntervalMs: e.LANDING_REMINDER_INTERVAL,
        landingDeadlineMs: e.LANDING_DEADLINE,
        testCallWindowMs: e.LANDING_TEST_CALL_WINDOW,
      },
      subscription: {
        periodMs: e.SUBSCRIPTION_PERIOD,
        remindersBeforeMs: e.SUBSCRIPTION_REMINDERS,
        graceMs: e.SUBSCRIPTION_GRACE,
      },
    },
    supplierEmails: e.SUPPLIER_EMAILS,
    webhooks: {
      enabled: e.WEBHOOKS_ENABLED,
      dir: path.join(dataDir, 'webhooks'),
      allowHttp: e.APP_PROFILE !== 'production',
      allowPrivateUrls: e.WEBHOOK_ALLOW_PRIVATE_URLS,
      retryInitialMs: e.WEBHOOK_RETRY_INITIAL,
      retryMaxIntervalMs: e.WEBHOOK_RETRY_MAX_INTERVAL,
      giveUpAfterMs: e.WEBHOOK_GIVE_UP_AFTER,
    },
    sipGateway: {
      mode: e.SIP_GATEWAY_MODE,
      recordFile: e.SIP_GATEWAY_RECORD_FILE ?? path.join(dataDir, 'sip-gateway.json'),
      manualFile: e.SIP_GATEWAY_MANUAL_FILE ?? path.join(dataDir, 'sip-gateway-manual.json'),
      sipDomain: e.SIP_DOMAIN.toLowerCase(),
      allowPrivateGateways: e.SIP_ALLOW_PRIVATE_GATEWAYS,
      probeAddress: e.SIP_PROBE_ADDRESS,
      optionsTimeoutMs: e.SIP_OPTIONS_TIMEOUT,
      registrar: e.SIP_REGISTRAR ?? (development ? localSbc : PROVIDER_SIGNALLING.registrar),
      provider: {
        inbound: e.SIP_PROVIDER_INBOUND ?? (development ? localSbc : PROVIDER_SIGNALLING.inbound),
        inboundIps: e.SIP_PROVIDER_INBOUND_IPS ?? (development ? localSbcs : [...PROVIDER_SIGNALLING.inboundIps]),
        outbound: e.SIP_PROVIDER_OUTBOUND ?? (development ? localSbcs : [...PROVIDER_SIGNALLING.outbound]),
      },
      sbc: {
        ...callRouting(e, development),
        databaseUrl: e.SBC_DATABASE_URL,
        rpcUrl: e.SBC_RPC_URL ?? `http://${e.SBC_RPC_HOST}:${e.SBC_RPC_PORT}/RPC`,
        sipHost: e.SBC_SIP_HOST,
        sipPort: e.SBC_SIP_PORT,
        rpcHost: e.SBC_RPC_HOST,
        rpcPort: e.SBC_RPC_PORT,
        // In development the contact-center sandbox's SIP side answers calls in.
        platformUri:
          e.SBC_PLATFORM_URI ??
          (development
            ? `sip:${e.CONTACT_CENTER_SIP_HOST ?? e.CONTACT_CENTER_HOST}:${e.CONTACT_CENTER_SIP_PORT};transport=tcp`
            : undefined),
        // In development the platform's processes (probes, test calls) run on this machine.
        platformAddresses: e.SBC_PLATFORM_ADDRESSES ?? (development ? ['127.0.0.1'] : []),
        timeZone: e.SBC_TIME_ZONE,
      },
    },
  };
  const issues = temporalTlsIssues(e);
  if (config.profile === 'production') issues.push(...productionIssues(e, cleaned, options.process));
  if (issues.length) throw new ConfigError(issues);
  return config;
}

/** The SBC's platform listener, keep-alives, carriers, and the development stand-ins beside it. */
function callRouting(
  e: Env,
  development: boolean,
): Pick<
  SbcConfig,
  'platformListener' | 'keepAliveSeconds' | 'carriers' | 'pstnSimulator' | 'contactCenterSip' | 'pair'
> {
  const pstnSimulator = { host: e.PSTN_SIM_HOST, port: e.PSTN_SIM_PORT };
  let carriers: Carrier[];
  if (e.SBC_CARRIERS !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(e.SBC_CARRIERS);
    } catch {
      throw new ConfigError([{ path: 'SBC_CARRIERS', message: 'not JSON' }]);
    }
    const parsed = carrierListSchema.safeParse(raw);
    if (!parsed.success)
      throw new ConfigError(
        parsed.error.issues.map((i) => ({ path: ['SBC_CARRIERS', ...i.path].join('.'), message: i.message })),
      );
    carriers = parsed.data;
  } else {
    // The simulator stands in for every carrier and supplier trunk in development.
    carriers = development
      ? [
          {
            name: 'public-network',
            ip: pstnSimulator.host,
            port: pstnSimulator.port,
            transport: 'udp',
            origins: ['purchased', 'own-400', 'supplier:A', 'supplier:B', 'supplier:C'],
            prefixes: ['+86'],
          },
        ]
      : [];
  }
  if ((e.SBC_DMQ_PORT === undefined) !== (e.SBC_PEER === undefined))
    throw new ConfigError([
      { path: e.SBC_PEER ? 'SBC_DMQ_PORT' : 'SBC_PEER', message: 'an SBC of a pair needs SBC_DMQ_PORT and SBC_PEER' },
    ]);
  let pair: SbcConfig['pair'];
  if (e.SBC_DMQ_PORT !== undefined && e.SBC_PEER !== undefined) {
    const [, rawHost, rawPort] = hostPortPattern.exec(e.SBC_PEER)!;
    const host = rawHost!.replace(/^\[(.*)\]$/, '$1');
    const sipPort = Number(rawPort);
    pair = {
      dmq: { host: e.SBC_SIP_HOST, port: e.SBC_DMQ_PORT },
      peer: {
        host,
        sipPort,
        platformPort: e.SBC_PEER_PLATFORM_PORT ?? sipPort + 2,
        dmqPort: e.SBC_PEER_DMQ_PORT ?? sipPort + 3,
      },
    };
  }
  return {
    pair,
    platformListener: { host: e.SBC_PLATFORM_HOST ?? e.SBC_SIP_HOST, port: e.SBC_PLATFORM_PORT ?? e.SBC_SIP_PORT + 2 },
    keepAliveSeconds: e.SBC_KEEPALIVE_INTERVAL,
    carriers,
    pstnSimulator,
    contactCenterSip: { host: e.CONTACT_CENTER_SIP_HOST ?? e.CONTACT_CENTER_HOST, port: e.CONTACT_CENTER_SIP_PORT },
  };
}

function payloadEncryption(e: Env, dataDir: string): Config['payloadEncryption'] {
  if (e.PAYLOAD_KEYS) return { keys: e.PAYLOAD_KEYS, generateIfMissing: false };
  if (e.PAYLOAD_KEYS_FILE) return { keysFile: path.resolve(e.PAYLOAD_KEYS_FILE), generateIfMissing: false };
  // Production names its keys; elsewhere a development key is made in the data directory.
  return e.APP_PROFILE === 'production'
    ? { generateIfMissing: false }
    : { keysFile: path.join(dataDir, 'payload-keys'), generateIfMissing: true };
}

function temporalTls(e: Env): Pick<Config['temporal'], 'tls' | 'apiKey'> {
  const files = {
    caFile: e.TEMPORAL_TLS_CA,
    certFile: e.TEMPORAL_TLS_CERT,
    keyFile: e.TEMPORAL_TLS_KEY,
    serverName: e.TEMPORAL_TLS_SERVER_NAME,
  };
  const anySetting = Object.values(files).some((v) => v !== undefined);
  // An API key travels only over TLS unless TLS is switched off explicitly (refused in production).
  const enabled = e.TEMPORAL_TLS ?? (anySetting || e.TEMPORAL_API_KEY !== undefined);
  const tls = enabled ? Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined)) : undefined;
  return { ...(tls ? { tls } : {}), ...(e.TEMPORAL_API_KEY !== undefined ? { apiKey: e.TEMPORAL_API_KEY } : {}) };
}

function temporalTlsIssues(e: Env): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if ((e.TEMPORAL_TLS_CERT === undefined) !== (e.TEMPORAL_TLS_KEY === undefined)) {
    issues.push({
      path: e.TEMPORAL_TLS_CERT === undefined ? 'TEMPORAL_TLS_CERT' : 'TEMPORAL_TLS_KEY',
      message: 'the client certificate and key are set together',
    });
  }
  if (e.TEMPORAL_TLS === false) {
    for (const name of [
      'TEMPORAL_TLS_CA',
      'TEMPORAL_TLS_CERT',
      'TEMPORAL_TLS_KEY',
      'TEMPORAL_TLS_SERVER_NAME',
    ] as const) {
      if (e[name] !== undefined) issues.push({ path: name, message: 'set while TEMPORAL_TLS is false' });
    }
  }
  return issues;
}

/** Development defaults that must never reach production. */
const DEFAULT_SECRETS = {
  BILLING_WEBHOOK_SECRET: 'sandbox-webhook-secret-change-me',
  BILLING_API_KEY: 'sandbox-billing-key',
  CONTACT_CENTER_API_KEY: 'sandbox-contact-center-key',
} as const;

/** Passwords of the stock images and packages (PostgreSQL, Temporal, Kamailio) and the usual guesses. */
export const WELL_KNOWN_PASSWORDS = new Set([
  'postgres',
  'postgresql',
  'password',
  'passw0rd',
  'temporal',
  'kamailio',
  'kamailiorw',
  'kamailioro',
  'openserrw',
  'openserro',
  'sbc',
  'admin',
  'root',
  'secret',
  'changeme',
  'change-me',
  'default',
  'test',
  'example',
  '123456',
  '12345678',
  'qwerty',
]);

const looksLikePlaceholder = (value: string) => /change-?me|replace-?me|example|sandbox/i.test(value);

/**
 * Production refuses to start on any development default: every one found is named, with the
 * variable that carries it, never its value.
 */
function productionIssues(
  e: Env,
  raw: Record<string, string | undefined>,
  role?: ProductProcess,
): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const uses = (name: string) => !role || (PROCESS_SECRETS[role] as readonly string[]).includes(name);
  // What customers are told and where calls go: the API and the worker's.
  const tellsCustomers = !role || role === 'api' || role === 'worker';
  if (uses('API_TOKENS_FILE') && !e.API_TOKENS_FILE)
    issues.push({ path: 'API_TOKENS_FILE', message: 'required in production (a JSON file of token hashes)' });
  // The session cookie is Secure and the console's links are followed by people: https only.
  if (raw.API_PUBLIC_URL === undefined)
    issues.push({ path: 'API_PUBLIC_URL', message: 'required in production (the https address people reach)' });
  else if (!raw.API_PUBLIC_URL.startsWith('https://'))
    issues.push({ path: 'API_PUBLIC_URL', message: 'not https: production serves the API over TLS only' });
  for (const [name, fallback] of Object.entries(DEFAULT_SECRETS) as [keyof typeof DEFAULT_SECRETS, string][]) {
    if (!uses(name)) continue;
    const value = e[name];
    if (raw[name] === undefined) issues.push({ path: name, message: 'not set: the development default would be used' });
    else if (value === fallback || looksLikePlaceholder(value))
      issues.push({ path: name, message: 'a default or placeholder secret' });
  }
  // The SBC's default URL counts where it would be used (the kamailio gateway writes its tables).
  const sbcUrlUsed =
    uses('SBC_DATABASE_URL') &&
    (role === 'sbc' || raw.SBC_DATABASE_URL !== undefined || e.SIP_GATEWAY_MODE === 'kamailio');
  for (const [name, url] of [
    ['SBC_DATABASE_URL', sbcUrlUsed ? e.SBC_DATABASE_URL : undefined],
    ['DATABASE_URL', raw.DATABASE_URL],
  ] as const) {
    if (url === undefined) continue;
    const problem = databasePasswordProblem(url);
    if (problem) issues.push({ path: name, message: problem });
  }
  if (!tellsCustomers) {
    // The sandboxes and the SBC tell customers nothing and take no calls' routing from here.
  } else if (raw.SIP_GATEWAY_MODE === undefined) {
    issues.push({ path: 'SIP_GATEWAY_MODE', message: 'required in production: kamailio or manual' });
  } else if (e.SIP_GATEWAY_MODE === 'recording') {
    issues.push({
      path: 'SIP_GATEWAY_MODE',
      message: 'recording is a test double; production takes kamailio or manual',
    });
  }
  // Unset, customers would be told the seed's published addresses: another provider's SBC, not this one.
  if (tellsCustomers && e.SIP_GATEWAY_MODE === 'kamailio')
    for (const name of ['SIP_PROVIDER_INBOUND', 'SIP_PROVIDER_INBOUND_IPS', 'SIP_PROVIDER_OUTBOUND', 'SIP_REGISTRAR'])
      if (raw[name] === undefined)
        issues.push({
          path: name,
          message: "not set: customers would be told the seed's published addresses, not this SBC's",
        });
  if (e.WEBHOOK_ALLOW_PRIVATE_URLS)
    issues.push({
      path: 'WEBHOOK_ALLOW_PRIVATE_URLS',
      message: 'true in production: webhook endpoints could reach the internal network',
    });
  if (e.TEMPORAL_API_KEY !== undefined && e.TEMPORAL_TLS === false) {
    issues.push({ path: 'TEMPORAL_TLS', message: 'false with TEMPORAL_API_KEY: the key would travel in clear' });
  }
  return issues;
}

/** Why a postgres:// URL's password is unfit for production, or undefined when it is fit. */
export function databasePasswordProblem(url: string): string | undefined {
  let password: string;
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return 'not a URL';
  }
  // libpq also takes the password as a query parameter.
  password ||= new URL(url).searchParams.get('password') ?? '';
  if (!password) return 'no password in the URL';
  if (WELL_KNOWN_PASSWORDS.has(password.toLowerCase()) || looksLikePlaceholder(password))
    return 'a well-known or placeholder password';
  return undefined;
}
