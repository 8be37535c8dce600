import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_TOKENS, readTokensFile, sha256Hex, TokenRegistry } from '../../api/auth';
import { sessionCookie } from '../../api/console';
import { ConfigError, databasePasswordProblem, loadConfig } from '../../config';
import { describeTemporalConnection, temporalConnectionOptions } from '../../config/temporal-connection';

/** A production environment with nothing left at its development default. */
const GOOD: Record<string, string> = {
  APP_PROFILE: 'production',
  API_TOKENS_FILE: '/run/config/tokens.json',
  PAYLOAD_KEYS_FILE: '/run/secrets/payload-keys',
  API_PUBLIC_URL: 'https://onboarding.cc-provider.net',
  BILLING_API_KEY: 'bk_9d1f0c6e2a7b4e83b5c1',
  BILLING_WEBHOOK_SECRET: 'wh_3b8e5a0f7c2d9e14a6b2',
  CONTACT_CENTER_API_KEY: 'cc_0e4b7d2a9f1c5e8b3a6d',
  SBC_DATABASE_URL: 'postgres://kamailio:Qx7%40v9LmP2rT@sbc-db:5432/sbc',
  SIP_GATEWAY_MODE: 'kamailio',
  SIP_PROVIDER_INBOUND: 'sip.cc-provider.net:5080',
  SIP_PROVIDER_INBOUND_IPS: '198.51.100.10:5080',
  SIP_PROVIDER_OUTBOUND: '198.51.100.10:5080',
  SIP_REGISTRAR: 'sip.cc-provider.net:5080',
};

function issuesOf(env: Record<string, string>): { path: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}

describe('production refuses default secrets', () => {
  it('starts on a configuration with its own secrets', () => {
    const config = loadConfig(GOOD);
    expect(config.profile).toBe('production');
    expect(config.sipGateway.mode).toBe('kamailio');
    expect(loadConfig({ ...GOOD, SIP_GATEWAY_MODE: 'manual' }).sipGateway.mode).toBe('manual');
  });

  it('refuses loopback and private webhook receivers, and takes https receivers only', () => {
    expect(issuesOf({ ...GOOD, WEBHOOK_ALLOW_PRIVATE_URLS: 'true' })).toEqual([
      expect.objectContaining({ path: 'WEBHOOK_ALLOW_PRIVATE_URLS' }),
    ]);
    const config = loadConfig(GOOD);
    expect(config.webhooks).toMatchObject({ allowHttp: false, allowPrivateUrls: false });
    expect(loadConfig({ APP_PROFILE: 'development' }).webhooks.allowHttp).toBe(true);
  });

  it('names every default it finds, in one error, without quoting a value', () => {
    const issues = issuesOf({
      APP_PROFILE: 'production',
      BILLING_WEBHOOK_SECRET: 'sandbox-webhook-secret-change-me',
      BILLING_API_KEY: 'sandbox-billing-key',
      CONTACT_CENTER_API_KEY: 'sandbox-contact-center-key',
      SBC_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/onboarding_sbc',
      DATABASE_URL: 'postgresql://temporal:temporal@postgresql:5432/temporal',
    });
    expect(issues.map((i) => i.path).sort()).toEqual(
      [
        'API_PUBLIC_URL',
        'API_TOKENS_FILE',
        'BILLING_API_KEY',
        'BILLING_WEBHOOK_SECRET',
        'CONTACT_CENTER_API_KEY',
        'DATABASE_URL',
        'SBC_DATABASE_URL',
        'SIP_GATEWAY_MODE',
      ].sort(),
    );
    const text = JSON.stringify(issues);
    for (const secret of [
      'sandbox-webhook-secret-change-me',
      'sandbox-billing-key',
      'sandbox-contact-center-key',
      'temporal:temporal',
    ])
      expect(text).not.toContain(secret);
  });

  it('counts an unset secret as the default it would fall back to', () => {
    const { BILLING_API_KEY: _key, BILLING_WEBHOOK_SECRET: _secret, CONTACT_CENTER_API_KEY: _cc, ...rest } = GOOD;
    expect(
      issuesOf(rest)
        .map((i) => i.path)
        .sort(),
    ).toEqual(['BILLING_API_KEY', 'BILLING_WEBHOOK_SECRET', 'CONTACT_CENTER_API_KEY']);
  });

  it.each([
    ['BILLING_WEBHOOK_SECRET', 'sandbox-webhook-secret-change-me'],
    ['BILLING_WEBHOOK_SECRET', 'please-change-me-before-going-live'],
    ['BILLING_API_KEY', 'sandbox-billing-key'],
    ['BILLING_API_KEY', 'CHANGEME'],
    ['CONTACT_CENTER_API_KEY', 'sandbox-contact-center-key'],
    ['SBC_DATABASE_URL', 'postgres://kamailio@sbc-db:5432/sbc'],
    ['SBC_DATABASE_URL', 'postgres://kamailio:kamailiorw@sbc-db:5432/sbc'],
    ['SBC_DATABASE_URL', 'postgres://postgres:postgres@sbc-db/sbc'],
    ['SBC_DATABASE_URL', 'postgres://sbc:password@sbc-db/sbc'],
    ['DATABASE_URL', 'postgres://temporal:temporal@postgresql:5432/temporal'],
    ['DATABASE_URL', 'postgres://app@db/app'],
  ])('refuses %s=%s', (name, value) => {
    expect(issuesOf({ ...GOOD, [name]: value }).map((i) => i.path)).toEqual([name]);
  });

  it('reads the password where libpq would, and names what is wrong with it', () => {
    expect(databasePasswordProblem('postgres://u:S3cure-9f2c@db/x')).toBeUndefined();
    expect(databasePasswordProblem('postgres://u@db/x?password=S3cure-9f2c')).toBeUndefined();
    expect(databasePasswordProblem('postgres://u@db/x')).toBe('no password in the URL');
    expect(databasePasswordProblem('postgres://u@db/x?password=temporal')).toMatch(/well-known/);
    expect(databasePasswordProblem('postgres://u:Change%2DMe@db/x')).toMatch(/well-known/);
  });

  it("refuses the SBC's default database URL where the kamailio gateway would use it", () => {
    const { SBC_DATABASE_URL: _url, ...unset } = GOOD;
    expect(issuesOf(unset)).toEqual([{ path: 'SBC_DATABASE_URL', message: 'no password in the URL' }]);
    // A manual SBC has no database here.
    expect(issuesOf({ ...unset, SIP_GATEWAY_MODE: 'manual' })).toEqual([]);
  });

  it("does not publish the seed's addresses (000: sip.pstn.avc.qcloud.com:5089, 139.199.4.25:5089, ...) for its own SBC: kamailio mode names its own", () => {
    const { SIP_PROVIDER_INBOUND: _i, SIP_REGISTRAR: _r, ...unset } = GOOD;
    expect(issuesOf(unset).map((i) => i.path)).toEqual(['SIP_PROVIDER_INBOUND', 'SIP_REGISTRAR']);
    const config = loadConfig(GOOD);
    expect(config.sipGateway.provider).toEqual({
      inbound: 'sip.cc-provider.net:5080',
      inboundIps: ['198.51.100.10:5080'],
      outbound: ['198.51.100.10:5080'],
    });
    // An SBC run by hand (manual) may be the seed's provider itself: its published addresses stay the default.
    expect(loadConfig({ ...unset, SIP_GATEWAY_MODE: 'manual' }).sipGateway.provider.inbound).toBe(
      'sip.pstn.avc.qcloud.com:5089',
    );
  });

  it('takes only kamailio or manual as the SIP gateway mode, set explicitly', () => {
    const { SIP_GATEWAY_MODE: _mode, ...unset } = GOOD;
    expect(issuesOf(unset)).toEqual([
      { path: 'SIP_GATEWAY_MODE', message: expect.stringMatching(/kamailio or manual/) },
    ]);
    expect(issuesOf({ ...GOOD, SIP_GATEWAY_MODE: 'recording' })).toEqual([
      { path: 'SIP_GATEWAY_MODE', message: expect.stringMatching(/test double/) },
    ]);
    // Development keeps its defaults.
    expect(loadConfig({}).sipGateway.mode).toBe('recording');
    expect(loadConfig({ BILLING_API_KEY: 'sandbox-billing-key' }).billing.apiKey).toBe('sandbox-billing-key');
  });
});

describe('production refuses demo tokens in the tokens file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tokens-'));
  const write = (name: string, entries: object[]) => {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify(entries));
    return file;
  };
  const real = { name: 'support desk', role: 'support', tokenSha256: sha256Hex('9f86d081884c7d659a2feaa0c55ad015') };

  it('names each entry that holds a demo token hash', () => {
    const file = write('demo.json', [
      real,
      { name: 'copied admin', role: 'admin', tokenSha256: sha256Hex('demo-admin') },
      { name: 'copied portal', role: 'enterprise', enterpriseId: 'ent-demo-1', tokenSha256: sha256Hex('demo-ent-1') },
    ]);
    try {
      readTokensFile(file, { production: true });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues).toEqual([
        { path: 'API_TOKENS_FILE.1', message: expect.stringContaining('"copied admin"') },
        { path: 'API_TOKENS_FILE.2', message: expect.stringContaining('"copied portal"') },
      ]);
    }
    // Outside production the same file is accepted (local trials with the walkthrough's tokens).
    expect(readTokensFile(file)).toHaveLength(3);
  });

  it('accepts a file of real hashes and checks every demo token', () => {
    const registry = TokenRegistry.fromFile(write('real.json', [real]), { production: true });
    expect(registry.resolve('9f86d081884c7d659a2feaa0c55ad015')?.name).toBe('support desk');
    for (const demo of DEMO_TOKENS) {
      const file = write(`${demo.token}.json`, [real, { ...demo.principal, tokenSha256: sha256Hex(demo.token) }]);
      expect(() => readTokensFile(file, { production: true }), demo.token).toThrow(ConfigError);
    }
  });
});

describe('Temporal connection options', () => {
  const files: Record<string, string> = {
    '/tls/ca.pem': 'CA PEM',
    '/tls/client.pem': 'CERT PEM',
    '/tls/client.key': 'KEY PEM',
  };
  const readFile = (file: string) => {
    if (!(file in files)) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
    return Buffer.from(files[file]!);
  };
  const optionsFor = (env: Record<string, string>) => temporalConnectionOptions(loadConfig(env).temporal, readFile);
  /** The CA and the client pair, named as the files above. */
  const MTLS = {
    TEMPORAL_TLS_CA: '/tls/ca.pem',
    TEMPORAL_TLS_CERT: '/tls/client.pem',
    TEMPORAL_TLS_KEY: '/tls/client.key',
  };

  it('is plaintext with no key by default (the local dev server)', () => {
    const options = optionsFor({});
    expect(options).toEqual({ address: 'localhost:7233', tls: false });
    expect(describeTemporalConnection(options)).toBe('localhost:7233 (plaintext)');
  });

  it('builds mTLS from the CA, client pair and server name', () => {
    const options = optionsFor({
      ...MTLS,
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal.internal',
    });
    expect(options).toEqual({
      address: 'temporal.internal:7233',
      tls: {
        serverNameOverride: 'frontend.temporal.internal',
        serverRootCACertificate: Buffer.from('CA PEM'),
        clientCertPair: { crt: Buffer.from('CERT PEM'), key: Buffer.from('KEY PEM') },
      },
    });
    expect(describeTemporalConnection(options)).toBe('temporal.internal:7233 (mTLS)');
  });

  it('sends an API key over TLS with the system roots (Temporal Cloud), in production too', () => {
    const cloud = {
      TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233',
      TEMPORAL_NAMESPACE: 'onboarding.a1b2c',
      TEMPORAL_API_KEY: 'tcld-key-123',
    };
    const options = optionsFor(cloud);
    expect(options).toEqual({ address: 'eu-west-1.aws.api.temporal.io:7233', tls: {}, apiKey: 'tcld-key-123' });
    expect(describeTemporalConnection(options)).toBe('eu-west-1.aws.api.temporal.io:7233 (TLS, API key)');
    expect(describeTemporalConnection(options)).not.toContain('tcld-key-123');
    expect(optionsFor({ ...GOOD, ...cloud }).tls).toEqual({});
    expect(loadConfig({ ...GOOD, ...cloud }).temporal.namespace).toBe('onboarding.a1b2c');
  });

  it('takes a CA alone (server TLS, no client certificate)', () => {
    expect(optionsFor({ TEMPORAL_TLS_CA: '/tls/ca.pem' }).tls).toEqual({
      serverRootCACertificate: Buffer.from('CA PEM'),
    });
    expect(optionsFor({ TEMPORAL_TLS: 'true' }).tls).toEqual({});
  });

  it('refuses a key sent in clear in production, half a client pair, and files that cannot be read', () => {
    expect(issuesOf({ ...GOOD, TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' })).toEqual([
      { path: 'TEMPORAL_TLS', message: expect.stringMatching(/in clear/) },
    ]);
    // Development may talk to a local proxy in plaintext.
    expect(optionsFor({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' })).toEqual({
      address: 'localhost:7233',
      tls: false,
      apiKey: 'k',
    });
    expect(issuesOf({ TEMPORAL_TLS_CERT: '/tls/client.pem' })).toEqual([
      { path: 'TEMPORAL_TLS_KEY', message: expect.any(String) },
    ]);
    expect(issuesOf({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: '/tls/ca.pem' }).map((i) => i.path)).toEqual([
      'TEMPORAL_TLS_CA',
    ]);
    try {
      optionsFor({ ...MTLS, TEMPORAL_TLS_CA: '/tls/missing.pem', TEMPORAL_TLS_KEY: '/tls/gone.key' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues).toEqual([
        { path: 'TEMPORAL_TLS_CA', message: 'cannot read /tls/missing.pem: ENOENT' },
        { path: 'TEMPORAL_TLS_KEY', message: 'cannot read /tls/gone.key: ENOENT' },
      ]);
    }
  });
});

describe('nothing internal on a public port', () => {
  it('refuses a production API_PUBLIC_URL that is not https, or none', () => {
    expect(issuesOf(GOOD)).toEqual([]);
    for (const url of ['http://onboarding.cc-provider.net', 'http://localhost:3000'])
      expect(issuesOf({ ...GOOD, API_PUBLIC_URL: url })).toEqual([
        { path: 'API_PUBLIC_URL', message: 'not https: production serves the API over TLS only' },
      ]);
    const { API_PUBLIC_URL: _, ...unset } = GOOD;
    expect(issuesOf(unset)).toEqual([expect.objectContaining({ path: 'API_PUBLIC_URL' })]);
    // Development keeps its plain-http default.
    expect(loadConfig({}).api.publicUrl).toBe('http://localhost:3000');
  });

  it('serves metrics on their own port, loopback by default', () => {
    expect(loadConfig(GOOD).metrics).toMatchObject({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ ...GOOD, API_PORT: '3001' }).metrics.port).toBe(9465);
    expect(loadConfig({ ...GOOD, METRICS_HOST: '0.0.0.0', METRICS_PORT: '9100' }).metrics).toMatchObject({
      host: '0.0.0.0',
      port: 9100,
    });
  });

  it('names the session cookie __Host- and makes it Secure, but for plain-http localhost outside production', () => {
    const secure = { name: '__Host-console_session', secure: true };
    expect(sessionCookie(loadConfig(GOOD))).toEqual(secure);
    expect(sessionCookie(loadConfig({ API_PUBLIC_URL: 'https://console.cc-provider.net' }))).toEqual(secure);
    // A development machine reached by its LAN address over http is no exception.
    expect(sessionCookie(loadConfig({ API_PUBLIC_URL: 'http://192.0.2.7:3000' }))).toEqual(secure);
    for (const url of ['http://localhost:3000', 'http://127.0.0.1:41234', 'http://[::1]:3000'])
      expect(sessionCookie(loadConfig({ APP_PROFILE: 'test', API_PUBLIC_URL: url })), url).toEqual({
        name: 'console_session',
        secure: false,
      });
  });
});

describe('least secrets: each process is checked for the secrets it uses', () => {
  const base = { APP_PROFILE: 'production', API_PUBLIC_URL: 'https://onboarding.cc-provider.net' };

  it('starts the billing sandbox on billing secrets alone, and the SBC on its database alone', () => {
    const billing = {
      ...base,
      BILLING_API_KEY: GOOD.BILLING_API_KEY!,
      BILLING_WEBHOOK_SECRET: GOOD.BILLING_WEBHOOK_SECRET!,
    };
    expect(loadConfig(billing, { process: 'billing' }).profile).toBe('production');
    expect(loadConfig({ ...base, SBC_DATABASE_URL: GOOD.SBC_DATABASE_URL! }, { process: 'sbc' }).profile).toBe(
      'production',
    );
    // Without a process named, every check applies (as before).
    expect(() => loadConfig(billing)).toThrow(/CONTACT_CENTER_API_KEY/);
  });

  it("still refuses a process's own missing or default secrets", () => {
    const { CONTACT_CENTER_API_KEY: _, ...noContactCenter } = GOOD;
    for (const process of ['api', 'worker'] as const)
      expect(() => loadConfig(noContactCenter, { process }), process).toThrow(/CONTACT_CENTER_API_KEY: not set/);
    expect(() => loadConfig({ ...base, BILLING_API_KEY: 'sandbox-billing-key' }, { process: 'billing' })).toThrow(
      /BILLING_API_KEY: a default or placeholder secret/,
    );
    // The SBC's default database URL (no password) is refused for the SBC itself.
    expect(() => loadConfig(base, { process: 'sbc' })).toThrow(/SBC_DATABASE_URL: no password/);
    const { API_TOKENS_FILE: __, ...noTokens } = GOOD;
    expect(() => loadConfig(noTokens, { process: 'api' })).toThrow(/API_TOKENS_FILE/);
    expect(loadConfig(noTokens, { process: 'worker' }).profile).toBe('production');
  });
});
