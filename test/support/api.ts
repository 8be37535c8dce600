/**
 * A case through the HTTP API, as the integration tests drive it: start one, act on it, wait for
 * a stage or an email. Bound to a harness that a file's `beforeAll` starts, so it is read when a
 * test runs.
 */
import type { Response } from 'supertest';
import { expect } from 'vitest';
import type { OnboardingResource } from '../../domain/onboarding';
import type { TestInstance } from './fixtures';
import { bearer, caseWhen, eventually, type ReceivedEmail, type Stack } from './stack';

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
  /** A cancel whose answer the test judges itself. */
  attemptCancel(id: string, token: string, body?: object): Promise<Response>;
  /** Waits until the case stands at `stage`. */
  stageWhen(id: string, stage: string, timeoutMs?: number): Promise<OnboardingResource>;
  /** Waits for the case's first email of `event` (10 s unless told). */
  mailWhen(id: string, event: string, timeoutMs?: number): Promise<ReceivedEmail>;
  /** Waits until the case has sent at least `count` emails of `event`; answers them all. */
  mailsWhen(id: string, event: string, count: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
  /**
   * A file's start bodies of `kind` for the first enterprise: its `defaults` (read when a test
   * runs, after `beforeAll`), then each test's overrides.
   */
  bodyOf(
    kind: string,
    defaults: () => Record<string, unknown>,
  ): (overrides?: Record<string, unknown>) => Record<string, unknown>;
}

/** A binding to the instance's default IVR flow and skill group. */
export function bindingOf(instance: Pick<TestInstance, 'instanceId' | 'defaults'>) {
  return {
    instanceId: instance.instanceId,
    ivrFlowId: instance.defaults.ivrFlowId,
    skillGroupId: instance.defaults.skillGroupId,
  };
}

/** An answer refused with `status` and exactly these errors in order, each matched on the fields given. */
export function expectErrors(
  res: { status: number; body: { errors?: unknown } },
  status: number,
  errors: readonly object[],
): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.errors).toEqual(errors.map((e) => expect.objectContaining(e)));
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
  const attemptCancel: CaseApi['attemptCancel'] = async (id, token, body = {}) =>
    harness()
      .api.post(`/v1/onboardings/${id}/cancel`)
      .set(...bearer(token))
      .send(body);
  const mailsWhen: CaseApi['mailsWhen'] = (id, event, count, timeoutMs = 10_000) =>
    eventually(
      () => {
        const found = harness()
          .mail.forCase(id)
          .filter((m) => m.event === event);
        return found.length >= count ? found : undefined;
      },
      timeoutMs,
      `${count} ${event} email(s) of ${id}`,
    );
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
      const res = await attemptCancel(id, token, body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return caseWhen(harness(), id, (c) => c.status === 'cancelled', 'cancelled');
    },
    attemptCancel,
    stageWhen: (id, stage, timeoutMs) => caseWhen(harness(), id, (c) => c.stage === stage, stage, timeoutMs),
    mailWhen: async (id, event, timeoutMs) => (await mailsWhen(id, event, 1, timeoutMs))[0]!,
    mailsWhen,
    bodyOf: (kind, defaults) => (overrides) => ({
      kind,
      enterpriseId: harness().enterprises.a,
      ...defaults(),
      ...overrides,
    }),
  };
}
