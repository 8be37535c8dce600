/**
 * Configuration, parsed once from the environment by one zod schema.
 *
 * Every process (API, worker, sandboxes, the dev supervisor) calls `loadConfig()` and reads the
 * part it needs. Defaults are the development profile's (`npm start`); production sets what it
 * must (a tokens file at least) and refuses to start otherwise.
 */
import path from 'node:path';
import { carrierListSchema, type Carrier } from '../domain/carriers';
import { envSchema, hostPortPattern, PROVIDER_SIGNALLING, type Env } from './env';
import { productionIssues, temporalTlsIssues, type ProductProcess } from './production';
import type { Config, HttpService, SbcConfig } from './types';

export * from './env';
export * from './types';
export { databasePasswordProblem, PROCESS_SECRETS, WELL_KNOWN_PASSWORDS, type ProductProcess } from './production';

export class ConfigError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`invalid configuration:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

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
  const config: Config = {
    profile: e.APP_PROFILE,
    dataDir,
    logLevel: e.LOG_LEVEL,
    temporal: temporalSection(e, dataDir),
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
    billing: billingSection(e, dataDir, apiPublicUrl),
    contactCenter: contactCenterSection(e, dataDir),
    timings: timingsSection(e),
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
    sipGateway: sipGatewaySection(e, dataDir),
  };
  const issues = temporalTlsIssues(e);
  if (config.profile === 'production') issues.push(...productionIssues(e, cleaned, options.process));
  if (issues.length) throw new ConfigError(issues);
  return config;
}

function temporalSection(e: Env, dataDir: string): Config['temporal'] {
  return {
    address: e.TEMPORAL_ADDRESS,
    namespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    uiUrl: e.TEMPORAL_UI_URL.replace(/\/$/, ''),
    uiPort: e.TEMPORAL_UI_PORT,
    cli: e.TEMPORAL_CLI,
    maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    dbFile: path.join(dataDir, 'temporal.db'),
    ...temporalTls(e),
  };
}

/** The fields every service called over HTTP has, read from its `<PREFIX>_*` variables. */
function httpService(e: Env, prefix: 'BILLING' | 'CONTACT_CENTER', dataDir: string, dataFile: string): HttpService {
  return {
    url: e[`${prefix}_URL`].replace(/\/$/, ''),
    host: e[`${prefix}_HOST`],
    port: e[`${prefix}_PORT`],
    apiKey: e[`${prefix}_API_KEY`],
    dataFile: e[`${prefix}_DATA_FILE`] ?? path.join(dataDir, dataFile),
    latencyMs: e[`${prefix}_LATENCY_MS`],
    failureRate: e[`${prefix}_FAILURE_RATE`],
    timeoutRate: e[`${prefix}_TIMEOUT_RATE`],
  };
}

function billingSection(e: Env, dataDir: string, apiPublicUrl: string): Config['billing'] {
  return {
    ...httpService(e, 'BILLING', dataDir, 'billing.json'),
    webhookUrl: e.BILLING_WEBHOOK_URL ?? `${apiPublicUrl.replace(/\/$/, '')}/v1/webhooks/billing`,
    webhookSecret: e.BILLING_WEBHOOK_SECRET,
    webhookDropRate: e.BILLING_WEBHOOK_DROP_RATE,
    webhookDuplicateRate: e.BILLING_WEBHOOK_DUPLICATE_RATE,
    invoiceDelayMs: e.BILLING_INVOICE_DELAY_MS,
  };
}

function contactCenterSection(e: Env, dataDir: string): Config['contactCenter'] {
  return {
    ...httpService(e, 'CONTACT_CENTER', dataDir, 'contact-center.json'),
    consoleUrl: e.CONTACT_CENTER_CONSOLE_URL ?? `${e.CONTACT_CENTER_URL.replace(/\/$/, '')}/console`,
  };
}

function timingsSection(e: Env): Config['timings'] {
  return {
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
  };
}

function sipGatewaySection(e: Env, dataDir: string): Config['sipGateway'] {
  const development = e.APP_PROFILE === 'development';
  const localSbc = `${e.SBC_SIP_HOST}:${e.SBC_SIP_PORT}`;
  // An SBC pair publishes both addresses: customers send to either and allowlist both.
  const localSbcs = [localSbc, ...(e.SBC_PEER ? [e.SBC_PEER] : [])];
  return {
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
  };
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
