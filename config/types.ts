/** The parsed configuration each process reads its part of. */
import type { Carrier } from '../domain/carriers';
import type { Env, PayloadKey } from './env';

/** A service the activities call over HTTP, and the switches of its sandbox. */
export interface HttpService {
  url: string;
  host: string;
  port: number;
  apiKey: string;
  /** Sandbox only: its data file and fault switches. */
  dataFile: string;
  latencyMs: number;
  failureRate: number;
  timeoutRate: number;
}

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
  billing: HttpService & {
    webhookUrl: string;
    webhookSecret: string;
    /** Sandbox only: share of events never sent, share sent twice. */
    webhookDropRate: number;
    webhookDuplicateRate: number;
    /** Sandbox only: how long an invoice takes to be issued. */
    invoiceDelayMs: number;
  };
  contactCenter: HttpService & {
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
