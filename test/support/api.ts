/**
 * A case through the HTTP API, as the integration tests drive it: start one, act on it, wait for
 * a stage. Bound to a harness that a file's `beforeAll` starts, so it is read when a test runs.
 */
import type { Response } from 'supertest';
import { expect } from 'vitest';
import type { OnboardingResource } from '../../domain/onboarding';
import { bearer, caseWhen, type Stack } from './stack';

export interface CaseApi {
  /** Starts a case as `token` (the first enterprise's by default); the API answers 202 with its id. */
  start(body: object, token?: string): Promise<string>;
  /** A start whose answer the test judges itself (a refusal, say). */
  attemptStart(body: object, token?: string): Promise<Response>;
  /** An action as `token`; the API answers 200 with the case. */
  act(id: string, action: string, token: string, payload?: object): Promise<OnboardingResource>;
  /** An action whose answer the test judges itself. */
  attempt(id: string, action: string, token: string, payload?: object): Promise<Response>;
  /** Cancels the case as `token` (the API answers 200) and waits until it ends cancelled. */
  cancel(id: string, token: string, body?: object): Promise<OnboardingResource>;
  /** Waits until the case stands at `stage`. */
  stageWhen(id: string, stage: string, timeoutMs?: number): Promise<OnboardingResource>;
}

export function caseApi(harness: () => Stack): CaseApi {
  const attemptStart: CaseApi['attemptStart'] = async (body, token) => {
    const h = harness();
    return h.api
      .post('/v1/onboardings')
      .set(...bearer(token ?? h.tokens.entA))
      .send(body);
  };
  const attempt: CaseApi['attempt'] = async (id, action, token, payload = {}) =>
    harness()
      .api.post(`/v1/onboardings/${id}/actions/${action}`)
      .set(...bearer(token))
      .send(payload);
  return {
    async start(body, token) {
      const res = await attemptStart(body, token);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      return res.body.id as string;
    },
    attemptStart,
    async act(id, action, token, payload = {}) {
      const res = await attempt(id, action, token, payload);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as OnboardingResource;
    },
    attempt,
    async cancel(id, token, body = {}) {
      const res = await harness()
        .api.post(`/v1/onboardings/${id}/cancel`)
        .set(...bearer(token))
        .send(body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return caseWhen(harness(), id, (c) => c.status === 'cancelled', 'cancelled');
    },
    stageWhen: (id, stage, timeoutMs) => caseWhen(harness(), id, (c) => c.stage === stage, stage, timeoutMs),
  };
}
