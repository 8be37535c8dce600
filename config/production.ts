/**
 * Production's checks: what each process may be given, and the development defaults, stock
 * passwords and placeholders production refuses to start on.
 */
import type { Env } from './env';

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

export function temporalTlsIssues(e: Env): { path: string; message: string }[] {
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
export function productionIssues(
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
