import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDuration } from '../../config';
import { PRODUCTION_WITHOUT_TOKENS } from './environments';

describe('configuration', () => {
  it('runs on embedded defaults in development', () => {
    const c = loadConfig({});
    expect(c.profile).toBe('development');
    expect(c.api.port).toBe(3000);
    expect(c.temporal.address).toBe('localhost:7233');
    expect(c.temporal.uiUrl).toBe('http://localhost:8233');
    expect(c.email.smtp.port).toBe(1025);
    expect(c.billing.url).toBe('http://localhost:4010');
    expect(c.contactCenter).toMatchObject({
      url: 'http://localhost:4020',
      port: 4020,
      consoleUrl: 'http://localhost:4020/console',
      failureRate: 0,
    });
    expect(c.contactCenter.dataFile).toBe(path.join(c.dataDir, 'contact-center.json'));
    expect(c.timings.verification.resubmissionWindowMs).toBe(14 * 86_400_000);
  });

  it('reads durations that wait on people from the environment', () => {
    const c = loadConfig({ VERIFICATION_REVIEW_SLA: '2s', VERIFICATION_RESUBMISSION_WINDOW: '3d' });
    expect(c.timings.verification).toEqual({ reviewSlaMs: 2_000, resubmissionWindowMs: 3 * 86_400_000 });
    expect(parseDuration('1500')).toBe(1500);
    expect(() => parseDuration('soon')).toThrow(RangeError);
  });

  it('lists every bad variable at once', () => {
    try {
      loadConfig({ API_PORT: '70000', BILLING_FAILURE_RATE: '2', VERIFICATION_REVIEW_SLA: 'tomorrow' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.path).sort()).toEqual([
        'API_PORT',
        'BILLING_FAILURE_RATE',
        'VERIFICATION_REVIEW_SLA',
      ]);
    }
  });

  it("sizes the worker's sticky cache from the environment, a whole number of at least one", () => {
    expect(loadConfig({}).temporal.maxCachedWorkflows).toBe(1000);
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '250' }).temporal.maxCachedWorkflows).toBe(250);
    for (const bad of ['0', '2.5', 'many'])
      expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: bad }), bad).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
  });

  it('refuses to run production without a tokens file', () => {
    const production = PRODUCTION_WITHOUT_TOKENS;
    expect(() => loadConfig(production)).toThrow(/API_TOKENS_FILE/);
    expect(loadConfig({ ...production, API_TOKENS_FILE: '/etc/tokens.json' }).api.tokensFile).toBe('/etc/tokens.json');
  });
});
