/** The API's Prometheus metrics: labels are route templates, and the support queue is counted sparingly. */
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApiMetrics } from '../../api/metrics';
import { HttpProblem, problemHandler } from '../../api/problem';
import { STAGES } from '../../contract/stages';

const PAIRS = Object.values(STAGES).flat().length;

function appWith(countWorkflows: (query: string) => Promise<number>, clock = { now: 0 }) {
  const metrics = createApiMetrics({ countWorkflows, cacheMs: 15_000, taskQueue: 'onboarding', now: () => clock.now });
  const app = express();
  app.use(metrics.middleware);
  app.get('/metrics', metrics.handler);
  const v1 = express.Router();
  v1.get('/onboardings/:id', (req, res) => {
    if (req.params.id === 'missing') throw new HttpProblem(404, 'Not found', 'no such case');
    res.json({ id: req.params.id });
  });
  app.use('/v1', v1);
  app.use((_req, _res, next) => next(new HttpProblem(404, 'Not found', 'no such route')));
  app.use(problemHandler);
  return app;
}

const sample = (text: string, name: string, labels: string) =>
  text.split('\n').find((line) => line.startsWith(`${name}{${labels}}`));

describe('API metrics', () => {
  it('counts requests per route template, errors included, never per raw URL', async () => {
    const app = appWith(async () => 0);
    await request(app).get('/v1/onboardings/verification-ent-secret-1').expect(200);
    await request(app).get('/v1/onboardings/verification-ent-secret-2').expect(200);
    await request(app).get('/v1/onboardings/missing').expect(404);
    await request(app).get('/v1/../../etc/passwd-probe').expect(404);
    await request(app).get('/wp-admin/setup.php').expect(404);
    const text = (await request(app).get('/metrics').expect(200)).text;
    expect(sample(text, 'http_requests_total', 'method="GET",route="/v1/onboardings/:id",status="200"')).toMatch(/ 2$/);
    expect(sample(text, 'http_requests_total', 'method="GET",route="/v1/onboardings/:id",status="404"')).toMatch(/ 1$/);
    expect(sample(text, 'http_requests_total', 'method="GET",route="unmatched",status="404"')).toMatch(/ 2$/);
    expect(
      sample(text, 'http_request_duration_seconds_count', 'method="GET",route="/v1/onboardings/:id",status="200"'),
    ).toMatch(/ 2$/);
    for (const raw of ['ent-secret', 'passwd', 'wp-admin', 'missing']) expect(text).not.toContain(raw);
  });

  it("counts the cases waiting on support per kind and stage on this deployment's task queue", async () => {
    const queries: string[] = [];
    const app = appWith(async (query) => {
      queries.push(query);
      return query.includes("OnboardingKind = 'sip-trunk' AND OnboardingStage = 'awaiting-review'") ? 3 : 0;
    });
    const text = (await request(app).get('/metrics').expect(200)).text;
    expect(sample(text, 'onboarding_cases_awaiting_support', 'kind="sip-trunk",stage="awaiting-review"')).toMatch(
      / 3$/,
    );
    expect(
      sample(text, 'onboarding_cases_awaiting_support', 'kind="enterprise-verification",stage="awaiting-review"'),
    ).toMatch(/ 0$/);
    expect(queries).toHaveLength(PAIRS);
    for (const q of queries)
      expect(q).toMatch(/^TaskQueue = 'onboarding' AND ExecutionStatus = 'Running' AND AwaitingRole = 'support'/);
  });

  it('a scrape flood costs one count per cache period; a failed count gives no sample and counts the error', async () => {
    const clock = { now: 0 };
    let calls = 0;
    let failing = false;
    const app = appWith(async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      if (failing) throw new Error('visibility unavailable');
      return 1;
    }, clock);
    await Promise.all(Array.from({ length: 20 }, () => request(app).get('/metrics').expect(200)));
    expect(calls).toBe(PAIRS);
    clock.now = 14_999;
    await request(app).get('/metrics').expect(200);
    expect(calls).toBe(PAIRS);
    clock.now = 15_000;
    failing = true;
    const text = (await request(app).get('/metrics').expect(200)).text;
    expect(calls).toBeGreaterThan(PAIRS);
    expect(text).not.toMatch(/^onboarding_cases_awaiting_support\{/m);
    expect(text).toMatch(/^onboarding_support_queue_count_errors_total 1$/m);
    // A failed count is not retried at every scrape either.
    const failedCalls = calls;
    clock.now = 20_000;
    await request(app).get('/metrics').expect(200);
    expect(calls).toBe(failedCalls);
  });
});
