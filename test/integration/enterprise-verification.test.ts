import { describe, expect, it } from 'vitest';
import { recordHistory } from '../support/histories';
import { expectErrors } from '../support/api';
import { bearer, caseApi, caseWhen, eventually, useHarness } from '../support/harness';
import { legalRepApplication, upload, uploadAll, AGENT_ID, PDF, USCC } from '../support/fixtures';
import { verificationId } from '../../domain/ids';

const h = useHarness();

const asSupport = () => bearer(h.tokens.support);
const asA = () => bearer(h.tokens.entA);
const asB = () => bearer(h.tokens.entB);
const { start, attemptStart, act, attempt, stageWhen, mailWhen } = caseApi(() => h);
/** A start as enterprise A under the idempotency key of case `id`. */
const keyedStart = (id: string, body: object) =>
  h.api
    .post('/v1/onboardings')
    .set(...asA())
    .set('Idempotency-Key', `start-${id}`)
    .send(body);

describe('enterprise verification through the API', () => {
  it('goes through reject, resubmit and approve in one case, with one email per event', async () => {
    const id = verificationId(h.enterprises.a);
    const body = await legalRepApplication(h, h.enterprises.a, h.tokens.entA);

    const started = await keyedStart(id, body);
    expect(started.status).toBe(202);
    expect(started.headers.location).toBe(`/v1/onboardings/${id}`);
    expect(started.body.links.temporalUi).toContain(`/namespaces/default/workflows/${id}`);

    // The same key and body answer with the same case; the same key with another body is refused.
    const again = await keyedStart(id, body);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const otherBody = { ...body, contact: { ...body.contact, name: '王五' } };
    const reused = await keyedStart(id, otherBody);
    expect(reused.status).toBe(409);
    // The key names one request of the enterprise whatever its kind: a body of another kind is
    // another body, refused before anything else is checked, and starts no second case.
    const otherKind = await keyedStart(id, {
      kind: 'contact-center-instance',
      enterpriseId: h.enterprises.a,
      centerName: '广州客服中心',
      admin: { name: '王五', email: 'admin@example.cn' },
      agreementAccepted: true,
    });
    expect(otherKind.status, JSON.stringify(otherKind.body)).toBe(409);
    expect(otherKind.body.title).toBe('Idempotency key reused');
    const listedKinds = await h.api.get('/v1/onboardings').set(...asA());
    expect(listedKinds.body.items.map((c: { kind: string }) => c.kind)).not.toContain('contact-center-instance');
    // One active verification per enterprise.
    const second = await attemptStart(body);
    expect(second.status).toBe(409);
    expect(second.body.existingId).toBe(id);

    await stageWhen(id, 'awaiting-review');

    // Wrong role, wrong tenant, wrong stage.
    expect((await attempt(id, 'approve', h.tokens.entA)).status).toBe(403);
    const otherTenant = await h.api.get(`/v1/onboardings/${id}`).set(...asB());
    expect(otherTenant.status).toBe(404);
    expect((await attempt(id, 'resubmit', h.tokens.entB, { documents: [] })).status).toBe(404);
    const early = await attempt(id, 'resubmit', h.tokens.entA, { contact: body.contact });
    expect(early.status).toBe(409);
    expect(early.body.awaiting.map((a: { action: string }) => a.action).sort()).toEqual(['approve', 'reject']);
    const badReject = await attempt(id, 'reject', h.tokens.support, { reasons: [{ code: 'nope' }] });
    expect(badReject.status).toBe(400);
    expect(badReject.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['payload.reasons.0.code', 'payload.reasons.0.message']),
    );

    const rejected = await act(id, 'reject', h.tokens.support, {
      reasons: [{ documentKind: 'business-licence', code: 'seal-missing', message: '营业执照扫描件未加盖公章' }],
    });
    expect(rejected.stage).toBe('awaiting-resubmission');
    expect(rejected.awaiting).toEqual([expect.objectContaining({ action: 'resubmit', role: 'enterprise' })]);

    const rejectionMail = await mailWhen(id, 'verification-rejected', 15_000);
    expect(rejectionMail.to).toBe(body.contact.email);
    expect(rejectionMail.text).toContain('营业执照扫描件未加盖公章');
    expect(rejectionMail.text).toContain('seal-missing');

    // A resubmission must pass the same pre-check: an ID with a wrong check digit is refused at once.
    const badResubmit = await attempt(id, 'resubmit', h.tokens.entA, {
      legalRepresentative: { name: '张三', idNumber: '110105194912310021' },
    });
    expectErrors(badResubmit, 422, [{ path: 'legalRepresentative.idNumber', code: 'id-check-digit' }]);

    const newLicence = await upload(h, h.tokens.entA, 'business-licence');
    await act(id, 'resubmit', h.tokens.entA, { documents: [newLicence] });
    await stageWhen(id, 'awaiting-review');

    const waiting = await h.api
      .get('/v1/onboardings')
      .query({ awaiting: 'support', kind: 'enterprise-verification', enterpriseId: h.enterprises.a })
      .set(...asSupport());
    expect(waiting.status).toBe(200);
    expect(waiting.body.items.map((i: { id: string }) => i.id)).toEqual([id]);

    await act(id, 'approve', h.tokens.support, { note: '材料齐全' });
    const done = await caseWhen(h, id, (c) => c.status === 'completed', 'completed');
    expect(done.result).toMatchObject({
      decision: 'approved',
      enterpriseId: h.enterprises.a,
      company: { name: body.company.name, unifiedSocialCreditCode: USCC, entityType: 'company' },
      mayHoldFixedLines: true,
      licence: { validFrom: '2021-06-01', validTo: null, longTerm: true, effectiveEnd: '2031-06-01' },
      rounds: 2,
      approvedBy: 'support:test support',
    });
    const stepNames = done.steps.map((s) => s.name);
    expect(stepNames).toEqual([
      'pre-check round 1',
      'reject',
      'resubmit',
      'pre-check round 2',
      'approve',
      'billing customer ready',
    ]);

    const customer = await fetch(`${h.config.billing.url}/v1/customers?enterpriseId=${h.enterprises.a}`, {
      headers: { authorization: `Bearer ${h.config.billing.apiKey}` },
    }).then((r) => r.json());
    expect(customer).toMatchObject({ enterpriseId: h.enterprises.a, name: body.company.name });

    const events = await eventually(
      () => {
        const e = h.mail.forCase(id).map((m) => `${m.event}->${m.to}`);
        return e.length >= 4 ? e : undefined;
      },
      15_000,
      'four emails',
    );
    expect(events.sort()).toEqual(
      [
        `verification-submitted->${h.config.email.supportAddress}`,
        `verification-rejected->${body.contact.email}`,
        `verification-submitted->${h.config.email.supportAddress}`,
        `verification-approved->${body.contact.email}`,
      ].sort(),
    );
    await recordHistory(h.client, id, 'enterprise-verification-reject-resubmit-approve');

    // Closed case: actions are no longer awaited.
    expect((await attempt(id, 'approve', h.tokens.support)).status).toBe(409);
  });

  it('refuses a submission that breaks pre-check rules, listing every one, and starts nothing', async () => {
    const enterpriseId = h.enterprises.b;
    const own = await uploadAll(h, h.tokens.entB, ['business-licence', 'legal-rep-id', 'agent-id']);
    const foreign = await upload(h, h.tokens.entA, 'acceptance-form');
    const res = await attemptStart(
      {
        kind: 'enterprise-verification',
        enterpriseId,
        applicantType: 'agent',
        company: {
          name: '深圳示例有限公司',
          unifiedSocialCreditCode: `${USCC.slice(0, 17)}${USCC.endsWith('0') ? '1' : '0'}`,
          entityType: 'company',
          licenceValidFrom: '2010-01-01',
          licenceValidTo: '2020-01-01',
        },
        legalRepresentative: { name: '赵六', idNumber: '11010519491231002X' },
        agent: { name: '钱七', idNumber: `${AGENT_ID.slice(0, 17)}${AGENT_ID.endsWith('1') ? '2' : '1'}` },
        contact: { name: '钱七', phone: '13800138000', email: 'agent@example.cn' },
        documents: [...own, foreign, { kind: 'power-of-attorney', documentId: own[0]!.documentId }],
      },
      h.tokens.entB,
    );
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const codes = (res.body.errors as { path: string; code: string }[]).map((e) => `${e.path}:${e.code}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'documents:document-missing',
        'company.unifiedSocialCreditCode:uscc-check-character',
        'agent.idNumber:id-check-digit',
        'company.licenceValidTo:licence-expired',
        'documents.3.documentId:document-not-found',
        'documents.4.documentId:document-kind-mismatch',
      ]),
    );
    // agent-holding-id and network-access-commitment; the others are cited (one mis-kinded, one foreign).
    expect(codes.filter((c) => c === 'documents:document-missing')).toHaveLength(2);

    const schema = await attemptStart(
      { kind: 'enterprise-verification', enterpriseId, applicantType: 'boss', company: {}, surprise: 1 },
      h.tokens.entB,
    );
    expect(schema.status).toBe(400);
    const paths = (schema.body.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'applicantType',
        'company.name',
        'company.unifiedSocialCreditCode',
        'legalRepresentative',
        'contact',
        'documents',
      ]),
    );
    expect(schema.body.errors.some((e: { message: string }) => /surprise/.test(e.message))).toBe(true);

    const listed = await h.api.get('/v1/onboardings').set(...asB());
    expect(listed.body.items).toEqual([]);
    const described = await h.api.get(`/v1/onboardings/${verificationId(enterpriseId)}`).set(...asB());
    expect(described.status).toBe(404);
  });

  it('accepts documents by content only, and knows nothing of unknown tokens', async () => {
    const text = await h.api
      .post('/v1/documents')
      .set(...asA())
      .field('kind', 'business-licence')
      .attach('file', Buffer.from('just text'), 'licence.pdf');
    expect(text.status).toBe(415);
    const png = await h.api
      .post('/v1/documents')
      .set(...asA())
      .field('kind', 'agent-id')
      .attach('file', PDF, 'scan.png');
    expect(png.body.contentType).toBe('application/pdf');
    const anonymous = await h.api.get('/v1/onboardings');
    expect(anonymous.status).toBe(401);
    const badToken = await h.api.get('/v1/onboardings').set(...bearer('not-a-token'));
    expect(badToken.status).toBe(401);
    const enterpriseForOther = await attemptStart({
      ...(await legalRepApplication(h, h.enterprises.a, h.tokens.entA)),
      enterpriseId: h.enterprises.b,
    });
    expect(enterpriseForOther.status).toBe(403);
  });

  it('records a refused signal in steps and follows a valid one', async () => {
    const enterpriseId = `${h.enterprises.b}-sig`;
    const body = await legalRepApplication(h, h.enterprises.b, h.tokens.entB);
    // Support starts on behalf of an enterprise; documents must then belong to it.
    expect((await attemptStart({ ...body, enterpriseId }, h.tokens.support)).status).toBe(422);
    const id = await start(body, h.tokens.support);
    await stageWhen(id, 'awaiting-review');

    const handle = h.client.workflow.getHandle(id);
    await handle.signal('approve', {
      actor: { role: 'enterprise', name: 'self-approver', enterpriseId: h.enterprises.b },
      payload: {},
    });
    const refused = await caseWhen(
      h,
      id,
      (c) => c.steps.some((s) => s.name === 'signal approve refused'),
      'refusal step',
    );
    expect(refused.stage).toBe('awaiting-review');
    expect(refused.steps.find((s) => s.name === 'signal approve refused')?.detail).toContain('support');

    await handle.signal('approve', {
      actor: { role: 'support', name: 'ops on the CLI' },
      payload: { note: 'via signal' },
    });
    const done = await caseWhen(h, id, (c) => c.status === 'completed', 'completed by signal');
    expect(done.steps.find((s) => s.name === 'approve')).toMatchObject({
      by: 'support:ops on the CLI',
      detail: 'via signal',
    });
  });

  it('takes an action once under its Idempotency-Key: sent again it answers as the first time', async () => {
    const id = verificationId(h.enterprises.b);
    await start(await legalRepApplication(h, h.enterprises.b, h.tokens.entB), h.tokens.entB);
    await stageWhen(id, 'awaiting-review');
    const keyed = (action: string, payload: object, token = h.tokens.support, key = `approve-${id}`) =>
      h.api
        .post(`/v1/onboardings/${id}/actions/${action}`)
        .set(...bearer(token))
        .set('Idempotency-Key', key)
        .send(payload);

    const first = await keyed('approve', { note: '材料齐全' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    await caseWhen(h, id, (c) => c.status === 'completed', 'completed');

    // A client that never saw that answer (a timeout) sends it again: the first answer, even now
    // the case has closed, where the same step without the key is refused as not awaited.
    const again = await keyed('approve', { note: '材料齐全' });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await attempt(id, 'approve', h.tokens.support, { note: '材料齐全' })).status).toBe(409);

    // The key with another body or another action is refused; another tenant finds no case.
    for (const [action, payload] of [
      ['approve', { note: '另一个备注' }],
      [
        'reject',
        { reasons: [{ documentKind: 'business-licence', code: 'seal-missing', message: '营业执照扫描件未加盖公章' }] },
      ],
    ] as const) {
      const reused = await keyed(action, payload);
      expect(reused.status, JSON.stringify(reused.body)).toBe(409);
      expect(reused.body.title).toBe('Idempotency key reused');
    }
    expect((await keyed('approve', { note: '材料齐全' }, h.tokens.entA)).status).toBe(404);
    const badKey = await keyed('approve', { note: '材料齐全' }, h.tokens.support, 'short');
    expectErrors(badKey, 400, [{ path: 'Idempotency-Key' }]);

    // The case took the approval once.
    const history = await h.client.workflow.getHandle(id).fetchHistory();
    const accepted = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted).toHaveLength(1);
  });
});
