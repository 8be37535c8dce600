/**
 * Reads answer from what the Temporal server holds: with every worker stopped, a case, the list
 * and the enterprise's journey answer at once with the last state (the case's memo, encrypted in
 * history like every payload); a worker started again resumes the cases.
 */
import { describe, expect, it } from 'vitest';
import { CASE_VIEW_MEMO } from '../../contract/case';
import { ENCRYPTED_ENCODING } from '../../config/payload-encryption';
import type { JourneyView } from '../../domain/journey';
import type { OnboardingResource } from '../../domain/onboarding';
import { legalRepApplication } from '../support/fixtures';
import { exportHistory, recordHistory } from '../support/histories';
import { bearer, caseWhen, eventually, useHarness } from '../support/harness';

const h = useHarness();

/** The three reads, each timed: the case, the enterprise's list, its journey. */
async function reads(caseId: string) {
  const timed = async (path: string) => {
    const t0 = Date.now();
    const res = await h.api.get(path).set(...bearer(h.tokens.support));
    return { status: res.status, body: res.body as unknown, ms: Date.now() - t0 };
  };
  const [one, list, journey] = await Promise.all([
    timed(`/v1/onboardings/${caseId}`),
    timed(`/v1/onboardings?enterpriseId=${h.enterprises.a}&limit=10`),
    timed(`/v1/enterprises/${h.enterprises.a}/journey`),
  ]);
  return { one, list, journey };
}

describe('reads with every worker stopped', () => {
  it('answers the case, the list and the journey with the last state, and resumes with a worker again', async () => {
    const { kind: _k, enterpriseId: _e, ...application } = await legalRepApplication(h, h.enterprises.a, h.tokens.entA);
    const started = await h.api
      .post('/v1/onboardings')
      .set(...bearer(h.tokens.entA))
      .send({
        kind: 'enterprise-onboarding',
        enterpriseId: h.enterprises.a,
        verification: application,
        instance: {
          centerName: '广州客服中心',
          admin: { name: '王五', email: `admin@${h.enterprises.a}.example.cn` },
          agreementAccepted: true,
        },
      });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const journeyId = `journey-${h.enterprises.a}`;
    const verificationId = `verification-${h.enterprises.a}`;
    await caseWhen(h, verificationId, (c) => c.awaiting.some((a) => a.action === 'approve'), 'the review awaited');
    // Visibility (the list) catches up with both cases, and the journey with the review awaited.
    const before = await eventually(async () => {
      const r = await reads(verificationId);
      const items = (r.list.body as { items: { id: string; stage: string }[] }).items;
      const journey = r.journey.body as JourneyView;
      return items.some((i) => i.id === verificationId && i.stage === 'awaiting-review') &&
        items.some((i) => i.id === journeyId) &&
        journey.next?.some((n) => n.caseId === verificationId && n.action === 'approve')
        ? r
        : undefined;
    }, 30_000);
    const verification = before.one.body as OnboardingResource;
    expect(verification.steps.map((s) => s.name)).toEqual(['pre-check round 1']);

    await h.stopWorker();
    const stopped = await reads(verificationId);
    for (const read of ['one', 'list', 'journey'] as const) {
      expect(stopped[read].status, read).toBe(200);
      expect(stopped[read].body, read).toEqual(before[read].body);
      // No query waiting for a worker that is not there (the API gives up on one after 5 s).
      expect(stopped[read].ms, read).toBeLessThan(4_000);
    }

    // A worker again: the action is taken and the cases move on.
    await h.startWorker();
    const approved = await h.api
      .post(`/v1/onboardings/${verificationId}/actions/approve`)
      .set(...bearer(h.tokens.support))
      .send({ note: '材料齐全' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const done = await caseWhen(h, verificationId, (c) => c.status === 'completed', 'verification approved', 60_000);
    expect(done.steps.map((s) => s.name)).toEqual(['pre-check round 1', 'approve', 'billing customer ready']);
    await eventually(async () => {
      const r = await h.api.get(`/v1/enterprises/${h.enterprises.a}/journey`).set(...bearer(h.tokens.entA));
      return r.status === 200 && (r.body as JourneyView).stage !== 'verifying';
    }, 60_000);

    // The memo is a payload like any other: the server holds it encrypted.
    const stored = JSON.parse(await exportHistory(h.client, verificationId, 'stored')) as {
      events: { workflowPropertiesModifiedEventAttributes?: { upsertedMemo?: { fields?: Record<string, any> } } }[];
    };
    const memos = stored.events.flatMap((e) => {
      const field = e.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields?.[CASE_VIEW_MEMO];
      return field ? [field] : [];
    });
    expect(memos.length).toBeGreaterThan(0);
    for (const m of memos)
      expect(Buffer.from(m.metadata.encoding as string, 'base64').toString()).toBe(ENCRYPTED_ENCODING);

    await recordHistory(h.client, verificationId, 'enterprise-verification-state-in-memo-approved');
    await h.api
      .post(`/v1/onboardings/${journeyId}/cancel`)
      .set(...bearer(h.tokens.support))
      .send({ reason: 'test over' });
  });

  it('answers a start at once with the state the case opens in, shown again by the next read', async () => {
    const body = await legalRepApplication(h, h.enterprises.b, h.tokens.entB);
    await h.stopWorker();
    const t0 = Date.now();
    const started = await h.api
      .post('/v1/onboardings')
      .set(...bearer(h.tokens.entB))
      .send(body);
    const ms = Date.now() - t0;
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(ms).toBeLessThan(4_000);
    const opened = started.body as OnboardingResource;
    expect(opened).toMatchObject({ kind: 'enterprise-verification', status: 'running', stage: 'awaiting-review' });

    await h.startWorker();
    const read = await caseWhen(h, opened.id, (c) => c.steps.length > 0, 'the first workflow task');
    // The same answer but for the instants, which are the worker's in the read.
    const timeless = (c: OnboardingResource) => ({
      ...c,
      createdAt: undefined,
      awaiting: c.awaiting.map(({ since: _s, dueAt, ...a }) => ({ ...a, due: dueAt !== undefined })),
      steps: c.steps.map(({ at: _a, ...step }) => step),
    });
    expect(timeless(opened)).toEqual(timeless(read));
    const span = (c: OnboardingResource) => Date.parse(c.awaiting[0]!.dueAt!) - Date.parse(c.awaiting[0]!.since);
    expect(span(opened)).toBe(span(read));
  });
});
