/**
 * The search attributes are listed in three places that cannot import each other: the domain
 * module, the dev supervisor's start-dev flags (generated from it) and docker-compose.yml's
 * registration step. These keep them in step.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, PROCESS_SECRETS, type ProductProcess } from '../../config';
import { developmentServices } from '../../dev/start';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes';

const ROOT = path.resolve(__dirname, '..', '..');

describe('search attributes in deployment files', () => {
  it('docker-compose.yml registers exactly the product attributes, as Keyword', () => {
    const compose = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    const loop = /for name in ([\w ]+); do/.exec(compose);
    expect(loop, 'the registration loop in temporal-search-attributes').not.toBeNull();
    expect(loop![1]!.trim().split(/\s+/).sort()).toEqual(Object.keys(SEARCH_ATTRIBUTES).sort());
    expect(new Set(Object.values(SEARCH_ATTRIBUTES))).toEqual(new Set(['Keyword']));
  });

  it('the dev server is started with every attribute', () => {
    const config = loadConfig({});
    const temporal = developmentServices(config, '/usr/bin/temporal').find((s) => s.name === 'temporal')!;
    const flags = temporal.args.filter((_, i) => temporal.args[i - 1] === '--search-attribute');
    expect(flags.sort()).toEqual(
      Object.entries(SEARCH_ATTRIBUTES)
        .map(([n, t]) => `${n}=${t}`)
        .sort(),
    );
    expect(temporal.args).toEqual(
      expect.arrayContaining(['--db-filename', config.temporal.dbFile, '--namespace', 'default']),
    );
  });

  it('services start in order and the API is probed on /healthz', () => {
    const services = developmentServices(loadConfig({}), '/usr/bin/temporal');
    expect(services.map((s) => s.name)).toEqual(['temporal', 'mail', 'billing', 'contact-center', 'worker', 'api']);
    expect(services.at(-1)!.ready).toEqual({ kind: 'http', url: 'http://127.0.0.1:3000/healthz' });
  });
});

// js-yaml (eslint's own YAML reader) resolves the compose file's anchors and merge keys.
const yaml = createRequire(__filename)('js-yaml') as { load(text: string): unknown };

interface ComposeService {
  image?: string;
  deploy?: { replicas?: number };
  healthcheck?: { test: string[] };
  build?: string | { context: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
  network_mode?: string;
  profiles?: string[];
  secrets?: string[];
  volumes?: unknown[];
  networks?: string[] | Record<string, { ipv4_address: string }>;
  depends_on?: Record<string, { condition: string }>;
}

const composeText = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
const compose = yaml.load(composeText) as { services: Record<string, ComposeService> };
const services = compose.services;
const SECRET_NAME = /SECRET|PASSWORD|PWD|API_KEY|TOKEN/;

/** The environment a service gets, with `${X:?…}` filled by a test value and `${X:-d}` by d. */
function resolvedEnv(name: string, values: Record<string, string> = {}): Record<string, string> {
  const env = services[name]?.environment ?? {};
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [
      key,
      String(value).replace(
        /\$\{(\w+)(?::([?-])([^}]*))?\}/g,
        (_, variable: string, kind?: string, fallback?: string) =>
          values[variable] ?? (kind === '-' ? (fallback ?? '') : `test-${variable.toLowerCase()}-7f3a9c0e1b2d`),
      ),
    ]),
  );
}

// The SBC's public addresses and the public URL are the operator's to give (deploy/production.env).
const ADDRESSES = {
  API_PUBLIC_URL: 'https://onboarding.example.net',
  SIP_PROVIDER_INBOUND: 'sip.onboarding.example.net:5080',
  SIP_PROVIDER_INBOUND_IPS: '203.0.113.10:5080',
  SIP_PROVIDER_OUTBOUND: '203.0.113.10:5080',
  SIP_REGISTRAR: 'sip.onboarding.example.net:5080',
};

/** The product's containers and the process each runs. */
const ROLES: [string, ProductProcess][] = [
  ['api', 'api'],
  ['api-2', 'api'],
  ['worker', 'worker'],
  ['billing', 'billing'],
  ['sbc', 'sbc'],
  ['sbc-2', 'sbc'],
];

describe('production compose file', () => {
  it("publishes only the load balancer's ports (and the SBC's SIP); the APIs listen on the load balancer's network", () => {
    // Services of the development profile (Mailpit) do not run in production.
    const published = Object.entries(services)
      .filter(([, s]) => !s.profiles?.length)
      .flatMap(([name, s]) => (s.ports ?? []).map((port) => ({ name, port: String(port) })));
    expect(services.mailpit!.profiles).toEqual(['development']);
    // HTTP only through the load balancer (TLS); SIP is the SBC's own public face.
    expect(published).toEqual([
      { name: 'lb', port: '443:443' },
      { name: 'lb', port: '80:80' },
      { name: 'sbc', port: '5080:5080/udp' },
      { name: 'sbc', port: '5080:5080/tcp' },
      { name: 'sbc-2', port: '${SBC_2_PUBLISH:-5081}:5080/udp' },
      { name: 'sbc-2', port: '${SBC_2_PUBLISH:-5081}:5080/tcp' },
    ]);
    // The APIs share the SBC's namespace (its RPC is loopback-only) and bind its edge address only;
    // their metrics bind its internal address, on ports of their own.
    const apiHost = /^service:(.+)$/.exec(services.api!.network_mode ?? '')?.[1];
    expect(apiHost).toBe('sbc');
    const sbcNetworks = services.sbc!.networks as Record<string, { ipv4_address: string }>;
    expect(sbcNetworks.edge!.ipv4_address).toBe('172.31.0.10');
    expect(sbcNetworks.default!.ipv4_address).toBe('172.30.0.10');
    for (const name of ['api', 'api-2']) {
      const env = resolvedEnv(name);
      expect(env.API_HOST, name).toBe('172.31.0.10');
      expect(env.METRICS_HOST, name).toBe('172.30.0.10');
      expect(env.METRICS_PORT, name).not.toBe(env.API_PORT);
    }
    expect([resolvedEnv('api').METRICS_PORT, resolvedEnv('api-2').METRICS_PORT]).toEqual(['9464', '9465']);
    // The load balancer is on the edge network only, and proxies to exactly those two listeners.
    expect(services.lb!.networks).toEqual(['edge']);
    const nginx = fs.readFileSync(path.join(ROOT, 'deploy/nginx.conf'), 'utf8');
    expect([...nginx.matchAll(/^\s*server (\S+) /gm)].map((m) => m[1])).toEqual([
      '172.31.0.10:3000',
      '172.31.0.10:3001',
    ]);
    expect(nginx).toMatch(/location = \/metrics \{\s*return 404;/);
    expect(nginx).toMatch(/listen 443 ssl;/);
    // Neither the Temporal frontend, the UI, SMTP nor a database is on the edge network.
    const edge = Object.entries(services)
      .filter(([, s]) => (Array.isArray(s.networks) ? s.networks.includes('edge') : s.networks && 'edge' in s.networks))
      .map(([name]) => name)
      .sort();
    expect(edge).toEqual(['billing', 'lb', 'sbc', 'temporal-ui']);
  });

  it('production refuses a plain-http public URL, and compose has no default for it', () => {
    expect(composeText).toMatch(/API_PUBLIC_URL: \$\{API_PUBLIC_URL:\?[^}]*\}/);
    expect(() =>
      loadConfig(resolvedEnv('api', { ...ADDRESSES, API_PUBLIC_URL: 'http://onboarding.example.net' })),
    ).toThrow(/API_PUBLIC_URL: not https/);
  });

  it('runs the billing sandbox with the production profile (no /_sandbox routes)', () => {
    expect(services.billing!.command).toEqual(['node', 'dist/sandboxes/billing/main.js']);
    expect(resolvedEnv('billing').APP_PROFILE).toBe('production');
  });

  it('puts the workers and the APIs on the SBC, in kamailio mode, with its database', () => {
    for (const name of ['worker', 'api', 'api-2']) {
      const env = resolvedEnv(name);
      expect(env.SIP_GATEWAY_MODE, name).toBe('kamailio');
      expect(env.SBC_RPC_HOST, name).toBe('127.0.0.1');
      expect(services[name]!.network_mode, name).toBe('service:sbc');
      expect(services[name]!.depends_on?.sbc?.condition, name).toBe('service_healthy');
    }
    const sbc = services.sbc!;
    expect(sbc.build).toEqual({ context: '.', dockerfile: 'deploy/sbc.Dockerfile' });
    expect(sbc.command).toEqual(['npx', 'tsx', 'sbc/start.ts']);
    expect(sbc.depends_on?.['sbc-db']?.condition).toBe('service_healthy');
    expect(resolvedEnv('sbc').SBC_DATABASE_URL).toMatch(/^postgres:\/\/sbc:[^@]+@sbc-db:5432\/sbc$/);
    // The second SBC of the pair: the same image and database, each naming the other over DMQ.
    const sbc2 = services['sbc-2']!;
    expect(sbc2.command).toEqual(sbc.command);
    expect(sbc2.build).toEqual(sbc.build);
    expect(resolvedEnv('sbc-2').SBC_DATABASE_URL).toBe(resolvedEnv('sbc').SBC_DATABASE_URL);
    const pairAddresses = {
      ...ADDRESSES,
      SIP_PROVIDER_INBOUND_IPS: '203.0.113.10:5080,203.0.113.10:5081',
      SIP_PROVIDER_OUTBOUND: '203.0.113.10:5080,203.0.113.10:5081',
    };
    const [one, two] = ['sbc', 'sbc-2'].map(
      (name) => loadConfig(resolvedEnv(name, pairAddresses), { process: 'sbc' }).sipGateway.sbc,
    );
    expect(one!.sipHost).toBe('172.30.0.10');
    expect(two!.sipHost).toBe('172.30.0.11');
    expect(one!.pair).toEqual({
      dmq: { host: '172.30.0.10', port: 5083 },
      peer: { host: '172.30.0.11', sipPort: 5080, platformPort: 5082, dmqPort: 5083 },
    });
    expect(two!.pair).toEqual({
      dmq: { host: '172.30.0.11', port: 5083 },
      peer: { host: '172.30.0.10', sipPort: 5080, platformPort: 5082, dmqPort: 5083 },
    });
    // The workers and APIs are no SBC of the pair themselves.
    expect(resolvedEnv('worker').SBC_PEER).toBeUndefined();
    const dockerfile = fs.readFileSync(path.join(ROOT, 'deploy/sbc.Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/apt-get install[^\n]*\bkamailio kamailio-postgres-modules\b/);
    expect(dockerfile).toMatch(/^FROM node:20-bookworm/m);
  });

  it('holds no secret: each comes from the env file, required, with no default', () => {
    for (const known of [
      'sandbox-billing-key',
      'sandbox-webhook-secret-change-me',
      'sandbox-contact-center-key',
      ':-temporal}',
      'demo-',
    ]) {
      expect(composeText, known).not.toContain(known);
    }
    // `${X:-default}` with a non-empty default is refused for anything secret-like.
    const defaults = [...composeText.matchAll(/\$\{(\w+):-([^}]*)\}/g)].filter(
      ([, name, value]) => SECRET_NAME.test(name!) && value !== '',
    );
    expect(defaults.map(([whole]) => whole)).toEqual([]);
    for (const [service, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        const text = String(value);
        if (SECRET_NAME.test(key) && !key.endsWith('_FILE')) {
          expect(text, `${service}.${key}`).toMatch(/^\$\{\w+:[?-][^}]*\}$/);
        }
        // A database URL takes its password from a required variable.
        if (/^postgres(ql)?:\/\//.test(text))
          expect(text, `${service}.${key}`).toMatch(/^postgres(ql)?:\/\/\w+:\$\{\w+:\?[^}]*\}@/);
      }
    }
    const example = fs.readFileSync(path.join(ROOT, 'deploy/production.env.example'), 'utf8');
    for (const [, name] of composeText.matchAll(/\$\{(\w+):\?[^}]*\}/g))
      expect(example, name).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it('gives every application process a configuration the production check accepts', () => {
    const addresses = ADDRESSES;
    for (const [name, role] of ROLES) {
      const config = loadConfig(resolvedEnv(name, addresses), { process: role });
      expect(config.profile, name).toBe('production');
      expect(config.sipGateway.sbc.rpcUrl, name).toBe('http://127.0.0.1:5071/RPC');
      expect(config.temporal.tls, name).toBeUndefined();
      if (role === 'api' || role === 'worker') expect(config.sipGateway.mode, name).toBe('kamailio');
    }
    // With the env file's defaults left as they are, a default secret is refused, not used.
    expect(() =>
      loadConfig(resolvedEnv('api', { ...addresses, BILLING_WEBHOOK_SECRET: 'sandbox-webhook-secret-change-me' }), {
        process: 'api',
      }),
    ).toThrow(/BILLING_WEBHOOK_SECRET/);
  });

  it('gives each container only the secrets its process uses', () => {
    const secretLike = (key: string, value: string) =>
      SECRET_NAME.test(key) || /_FILE$/.test(key) || /\$\{\w*(PASSWORD|SECRET|KEY)\w*/.test(value);
    for (const [name, role] of ROLES) {
      const env = services[name]!.environment ?? {};
      const secrets = Object.entries(env)
        .filter(([key, value]) => secretLike(key, String(value)))
        .map(([key]) => key);
      const allowed: readonly string[] = PROCESS_SECRETS[role];
      expect(
        secrets.filter((key) => !allowed.includes(key)),
        name,
      ).toEqual([]);
      // And every secret the process's production check needs is there (else it would not start).
      expect(() => loadConfig(resolvedEnv(name, ADDRESSES), { process: role }), name).not.toThrow();
    }
    // The payload keys go to the API and the worker only; the tokens file to the API only.
    const withSecrets = Object.entries(services)
      .filter(([, s]) => (s.secrets ?? []).includes('payload-keys'))
      .map(([name]) => name)
      .sort();
    expect(withSecrets).toEqual(['api', 'api-2', 'worker']);
    const withTokens = Object.entries(services)
      .filter(([, s]) => JSON.stringify(s.volumes ?? []).includes('tokens.json'))
      .map(([name]) => name)
      .sort();
    expect(withTokens).toEqual(['api', 'api-2']);
    // The billing sandbox holds billing's secrets and nothing of the contact center's, the SBC's or the mail relay's.
    expect(Object.keys(resolvedEnv('billing'))).not.toEqual(expect.arrayContaining(['CONTACT_CENTER_API_KEY']));
    for (const key of [
      'CONTACT_CENTER_API_KEY',
      'DATABASE_URL',
      'SBC_DATABASE_URL',
      'SMTP_PASSWORD',
      'PAYLOAD_KEYS_FILE',
    ])
      expect(Object.keys(resolvedEnv('billing')), key).not.toContain(key);
    for (const key of [
      'BILLING_API_KEY',
      'CONTACT_CENTER_API_KEY',
      'DATABASE_URL',
      'SMTP_PASSWORD',
      'PAYLOAD_KEYS_FILE',
    ])
      expect(Object.keys(resolvedEnv('sbc')), key).not.toContain(key);
    // Only the worker sends email.
    for (const [name] of ROLES)
      if (name !== 'worker') expect(Object.keys(resolvedEnv(name)), name).not.toContain('SMTP_HOST');
  });

  it('sends production mail through a configured relay; Mailpit is a development profile only', () => {
    expect(services.mailpit!.profiles).toEqual(['development']);
    expect(composeText).toMatch(/SMTP_HOST: \$\{SMTP_HOST:\?[^}]*\}/);
    expect(resolvedEnv('worker', { SMTP_HOST: 'smtp.relay.example' }).SMTP_HOST).toBe('smtp.relay.example');
    // No service of the production profile waits on Mailpit or names it.
    for (const [name, s] of Object.entries(services)) {
      if (s.profiles?.length) continue;
      expect(Object.keys(s.depends_on ?? {}), name).not.toContain('mailpit');
      expect(JSON.stringify(s.environment ?? {}), name).not.toContain('mailpit');
    }
  });

  it('serves the Temporal UI only through the load balancer, behind the console sign-in, decoding through /codec', () => {
    expect(services['temporal-ui']!.ports ?? []).toEqual([]);
    const ui = resolvedEnv('temporal-ui', { API_PUBLIC_URL: 'https://onboarding.example.net' });
    expect(ui.TEMPORAL_UI_PUBLIC_PATH).toBe('/temporal');
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe('https://onboarding.example.net/codec');
    expect(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS).toBe('true');
    const nginx = fs.readFileSync(path.join(ROOT, 'deploy/nginx.conf'), 'utf8');
    const location = /location \/temporal\/ \{([^}]*)\}/.exec(nginx)?.[1] ?? '';
    expect(location).toContain('auth_request /_auth/staff;');
    expect(location).toContain('proxy_pass http://temporal-ui:8080;');
    expect(nginx).toMatch(
      /location = \/_auth\/staff \{[^}]*internal;[^}]*proxy_pass http:\/\/api\/console\/api\/session\/staff;/,
    );
  });

  it('runs the cluster topology: Temporal on PostgreSQL with SQL visibility, its UI, two workers, two APIs', () => {
    const temporal = services.temporal!;
    expect(temporal.image).toMatch(/^temporalio\/(auto-setup|server):1\.29\.1$/);
    const env = resolvedEnv('temporal');
    expect(env.DB).toBe('postgres12');
    expect(env.POSTGRES_SEEDS).toBe('postgresql');
    expect(env.VISIBILITY_DBNAME).toBe('temporal_visibility');
    expect(env.ENABLE_ES ?? 'false').toBe('false');
    expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
    expect(resolvedEnv('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(services.worker!.deploy?.replicas).toBe(2);
    // Two API processes, each probed on its own port, otherwise the same service.
    const [api, api2] = [services.api!, services['api-2']!];
    expect(api2.command).toEqual(api.command);
    expect(api2.network_mode).toBe(api.network_mode);
    expect(api2.depends_on).toEqual(api.depends_on);
    expect(api.healthcheck?.test.join(' ')).toContain('172.31.0.10:3000/healthz');
    expect(api2.healthcheck?.test.join(' ')).toContain('172.31.0.10:3001/healthz');
    const { API_PORT: p1, METRICS_PORT: _m1, ...rest1 } = resolvedEnv('api');
    const { API_PORT: p2, METRICS_PORT: _m2, ...rest2 } = resolvedEnv('api-2');
    expect([p1, p2]).toEqual(['3000', '3001']);
    expect(rest2).toEqual(rest1);
    // Several processes share documents and the email ledger through the product's database.
    for (const name of ['worker', 'api', 'api-2']) {
      expect(resolvedEnv(name).DATABASE_URL, name).toMatch(/^postgres:\/\/onboarding:[^@]+@app-db:5432\/onboarding$/);
      expect(services[name]!.depends_on?.['app-db']?.condition, name).toBe('service_healthy');
    }
  });
});
