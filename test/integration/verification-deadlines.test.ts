import { describe, expect, it } from 'vitest';
import { verificationId } from '../../domain/ids';
import { legalRepApplication } from '../support/fixtures';
import { recordHistory } from '../support/histories';
import { crashMidActivity, expectCompletedOnRetry, workerInItsOwnProcess } from '../support/worker-crash';
import { bearer, caseApi, caseWhen, sandboxRequests, useHarness } from '../support/harness';

// Durations that are days in production are seconds here.
const h = useHarness({ VERIFICATION_REVIEW_SLA: '2s', VERIFICATION_RESUBMISSION_WINDOW: '3s' });

const { start, act, attempt, cancel, attemptCancel, stageWhen, mailWhen, mailsWhen } = caseApi(() => h);

describe('verification deadlines, cancellation and worker crashes', () => {
  it('reminds support past the review SLA, repeatedly, then fails the case when no resubmission comes in time', async () => {
    const id = verificationId(h.enterprises.a);
    const body = await legalRepApplication(h, h.enterprises.a, h.tokens.entA);
    await start(body);

    const reminders = await mailsWhen(id, 'verification-review-reminder', 2, 20_000);
    expect(reminders.every((m) => m.to === h.config.email.supportAddress)).toBe(true);
    expect(new Set(reminders.map((m) => m.messageId)).size).toBe(reminders.length);

    await act(id, 'reject', h.tokens.support, {
      reasons: [{ field: 'company.name', code: 'information-mismatch', message: '公司名称与营业执照不一致' }],
    });

    const failed = await caseWhen(h, id, (c) => c.status === 'failed', 'failed after the window', 20_000);
    expect(failed.error).toMatchObject({ type: 'ResubmissionWindowExpired' });
    await recordHistory(h.client, id, 'enterprise-verification-resubmission-expired');
    expect(failed.awaiting).toEqual([]);
    const expired = await mailWhen(id, 'verification-expired');
    expect(expired.to).toBe(body.contact.email);

    // The window is over: a late resubmission is refused, and the enterprise may start afresh.
    const late = await attempt(id, 'resubmit', h.tokens.entA, { contact: body.contact });
    expect(late.status).toBe(409);
    const failedList = await h.api
      .get('/v1/onboardings')
      .query({ status: 'failed' })
      .set(...bearer(h.tokens.entA));
    expect(failedList.body.items.map((i: { id: string }) => i.id)).toContain(id);
  });

  it('is cancelled by the enterprise, telling it so, and refuses actions afterwards', async () => {
    const body = await legalRepApplication(h, h.enterprises.b, h.tokens.entB);
    const id = await start(body, h.tokens.entB);
    await stageWhen(id, 'awaiting-review');

    expect((await attemptCancel(id, h.tokens.entA)).status).toBe(404);
    const state = await cancel(id, h.tokens.entB, { reason: '改用其他服务商' });
    expect(state.steps.find((s) => s.name === 'cancel requested')).toMatchObject({
      detail: '改用其他服务商',
      by: 'enterprise:enterprise B',
    });
    expect((await mailWhen(id, 'case-cancelled')).text).toContain('改用其他服务商');
    expect((await attemptCancel(id, h.tokens.entB)).status).toBe(409);
  });

  it('finishes a case whose worker was killed with SIGKILL mid-activity, with no duplicate email or billing write', async () => {
    // The case runs on a worker in another process; the billing call is slowed so the kill lands mid-activity.
    const worker = await workerInItsOwnProcess(h);
    const enterpriseId = `${h.enterprises.a}-k`;
    const tokenless = await legalRepApplication(h, h.enterprises.a, h.tokens.entA);
    const body = { ...tokenless, enterpriseId, documents: [] as typeof tokenless.documents };
    // Support files it on the enterprise's behalf with documents uploaded for that enterprise.
    for (const d of tokenless.documents) {
      const res = await h.api
        .post('/v1/documents')
        .set(...bearer(h.tokens.support))
        .field('kind', d.kind)
        .field('enterpriseId', enterpriseId)
        .attach('file', Buffer.from('%PDF-1.7\n'), 'x.pdf');
      body.documents.push({ kind: d.kind, documentId: res.body.documentId });
    }
    const id = await start(body, h.tokens.support);
    await stageWhen(id, 'awaiting-review');
    await mailWhen(id, 'verification-submitted');

    h.billing.setFaults({ latencyMs: 1_500 });
    const approved = await act(id, 'approve', h.tokens.support);
    expect(approved.stage).toBe('approving');
    // The kill lands while the worker holds the billing write (held 1.5 s by the sandbox).
    await crashMidActivity(h, worker, id, 'ensureBillingCustomer');
    // The lost activity attempt is retried after its start-to-close timeout.
    const done = await caseWhen(h, id, (c) => c.status === 'completed', 'completed after the crash', 90_000);
    expect(done.result).toMatchObject({ decision: 'approved', enterpriseId });

    const events = h.mail
      .forCase(id)
      .map((m) => m.event)
      .sort();
    expect(events).toEqual(['verification-approved', 'verification-submitted']);
    const customers = await sandboxRequests(h, { path: '/v1/customers', method: 'POST' });
    const writes = customers.filter((r) => r.idempotencyKey?.includes(id));
    // However many attempts reached billing, only one performed the write.
    expect(writes.filter((w) => !w.replayed && w.status !== null && w.status < 300)).toHaveLength(1);
    await expectCompletedOnRetry(h, id, 'ensureBillingCustomer');
  }, 150_000);
});
