/**
 * The console's session: sign-in with an API token, the cookie it sets, CSRF on every
 * state-changing request, sign-out, documents viewed by owner/support/admin only, and the doors an
 * attacker would try (no or a forged CSRF token, another tenant's cookie, a cross-site request).
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { sha256Hex, TokenRegistry } from '../../api/auth';
import { loadConfig } from '../../config';
import { bearer, caseApi, caseWhen, useHarness } from '../support/harness';
import { legalRepApplication, PNG, upload } from '../support/fixtures';

const h = useHarness();
const { start } = caseApi(() => h);

interface Session {
  cookie: string;
  csrf: string;
}

async function signIn(token: string): Promise<Session> {
  const res = await h.api.post('/console/api/session').send({ token });
  expect(res.status).toBe(201);
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = setCookie.find((c) => c.startsWith('console_session='))!;
  return { cookie: cookie.split(';')[0]!, csrf: res.body.csrfToken as string };
}

/** A licence upload with the session's cookie and the CSRF token given (none: the header is left out). */
const uploadLicence = (cookie: string, csrf?: string) => {
  const req = h.api.post('/v1/documents').set('Cookie', cookie);
  return (csrf === undefined ? req : req.set('X-CSRF-Token', csrf))
    .field('kind', 'business-licence')
    .attach('file', PNG, 'licence.png');
};

/** A start (of an invalid case) as the session, with its CSRF token and the headers given. */
const startAs = (session: Session, headers: Record<string, string>) =>
  h.api
    .post('/v1/onboardings')
    .set('Cookie', session.cookie)
    .set('X-CSRF-Token', session.csrf)
    .set(headers)
    .send({ kind: 'enterprise-verification' });

describe('console sign-in', () => {
  it('sets an HttpOnly, SameSite=Strict cookie for a known token and refuses an unknown one', async () => {
    const bad = await h.api.post('/console/api/session').send({ token: 'not-a-token' });
    expect(bad.status).toBe(401);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'token' })]);
    expect(bad.headers['set-cookie']).toBeUndefined();

    const res = await h.api.post('/console/api/session').send({ token: h.tokens.entA });
    expect(res.status).toBe(201);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]!;
    expect(cookie).toMatch(/^console_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    // The token itself is never in the cookie or the answer.
    expect(cookie).not.toContain(h.tokens.entA);
    expect(JSON.stringify(res.body)).not.toContain(h.tokens.entA);
    expect(res.body.principal).toEqual(expect.objectContaining({ role: 'enterprise', enterpriseId: h.enterprises.a }));

    const session = await h.api.get('/console/api/session').set('Cookie', cookie.split(';')[0]!);
    expect(session.status).toBe(200);
    expect(session.body.csrfToken).toBe(res.body.csrfToken);
  });

  it('refuses a sign-in posted from another site or as a form', async () => {
    const foreign = await h.api
      .post('/console/api/session')
      .set('Origin', 'https://evil.example')
      .send({ token: h.tokens.entA });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['set-cookie']).toBeUndefined();
    const form = await h.api.post('/console/api/session').type('form').send({ token: h.tokens.entA });
    expect(form.status).toBe(415);
  });
});

describe('console session on the API', () => {
  it('reads with the cookie alone, but writes only with the CSRF token', async () => {
    const a = await signIn(h.tokens.entA);
    const list = await h.api.get('/v1/onboardings').set('Cookie', a.cookie);
    expect(list.status).toBe(200);

    const missing = await uploadLicence(a.cookie);
    expect(missing.status).toBe(403);
    expect(missing.body.detail).toContain('x-csrf-token');

    const forged = await uploadLicence(a.cookie, `${a.csrf.slice(0, -2)}xx`);
    expect(forged.status).toBe(403);

    // Another session's CSRF token is no good either.
    const b = await signIn(h.tokens.entB);
    const swapped = await uploadLicence(a.cookie, b.csrf);
    expect(swapped.status).toBe(403);

    const ok = await uploadLicence(a.cookie, a.csrf);
    expect(ok.status).toBe(201);
  });

  it('refuses a cross-site write even with the right CSRF token', async () => {
    const a = await signIn(h.tokens.entA);
    const byOrigin = await startAs(a, { Origin: 'https://evil.example' });
    expect(byOrigin.status).toBe(403);
    expect(byOrigin.body.detail).toContain('cross-site');
    const byFetchMetadata = await startAs(a, { 'Sec-Fetch-Site': 'cross-site' });
    expect(byFetchMetadata.status).toBe(403);
    // The same request from the console's own origin reaches validation.
    const sameOrigin = await startAs(a, { Origin: h.apiUrl, 'Sec-Fetch-Site': 'same-origin' });
    expect(sameOrigin.status).toBe(400);
  });

  it("gives another tenant's cookie a 404 for the case and its documents, and support and admin see both", async () => {
    const body = await legalRepApplication(h, h.enterprises.a, h.tokens.entA);
    const id = await start(body);
    const docId = body.documents[0]!.documentId;

    const b = await signIn(h.tokens.entB);
    expect((await h.api.get(`/v1/onboardings/${id}`).set('Cookie', b.cookie)).status).toBe(404);
    const foreignDoc = await h.api.get(`/v1/documents/${docId}`).set('Cookie', b.cookie);
    expect(foreignDoc.status).toBe(404);
    expect(foreignDoc.body.detail).not.toContain(h.enterprises.a);
    const foreignCancel = await h.api
      .post(`/v1/onboardings/${id}/cancel`)
      .set('Cookie', b.cookie)
      .set('X-CSRF-Token', b.csrf)
      .send({ reason: 'not mine' });
    expect(foreignCancel.status).toBe(404);
    expect((await h.api.get(`/v1/documents/${docId}`).set(...bearer(h.tokens.entB))).status).toBe(404);

    const a = await signIn(h.tokens.entA);
    const own = await h.api.get(`/v1/documents/${docId}`).set('Cookie', a.cookie);
    expect(own.status).toBe(200);
    expect(own.headers['content-type']).toBe('application/pdf');
    expect(own.headers['content-disposition']).toMatch(/^inline/);
    expect(own.headers['x-content-type-options']).toBe('nosniff');
    expect(
      Buffer.from(own.body as Buffer)
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');

    for (const token of [h.tokens.support, h.tokens.admin]) {
      const res = await h.api.get(`/v1/documents/${docId}`).set(...bearer(token));
      expect(res.status).toBe(200);
    }
    expect((await h.api.get(`/v1/documents/${docId}`)).status).toBe(401);
    expect(
      (await h.api.get('/v1/documents/doc_00000000-0000-0000-0000-000000000000').set(...bearer(h.tokens.support)))
        .status,
    ).toBe(404);
    // A bearer header wins over a cookie: B's token with A's cookie is B.
    const mixed = await h.api
      .get(`/v1/documents/${docId}`)
      .set('Cookie', a.cookie)
      .set(...bearer(h.tokens.entB));
    expect(mixed.status).toBe(404);

    // The support queue lists the case with its due time; an enterprise may not read the queue.
    await caseWhen(h, id, (c) => c.stage === 'awaiting-review', 'awaiting review');
    const s = await signIn(h.tokens.support);
    const queue = await h.api.get(`/console/api/queue?enterpriseId=${h.enterprises.a}`).set('Cookie', s.cookie);
    expect(queue.status).toBe(200);
    const item = queue.body.items.find((i: { id: string }) => i.id === id);
    expect(item).toEqual(
      expect.objectContaining({ kind: 'enterprise-verification', stage: 'awaiting-review', overdue: false }),
    );
    expect(Date.parse(item.dueAt)).toBeGreaterThan(Date.now());
    expect(item.awaiting.map((w: { action: string }) => w.action).sort()).toEqual(['approve', 'reject']);
    expect((await h.api.get('/console/api/queue').set('Cookie', a.cookie)).status).toBe(403);
    const otherKind = await h.api
      .get(`/console/api/queue?kind=sip-trunk&enterpriseId=${h.enterprises.a}`)
      .set('Cookie', s.cookie);
    expect(otherKind.body.items).toEqual([]);

    // Support acts through its session with the CSRF token.
    const approved = await h.api
      .post(`/v1/onboardings/${id}/actions/approve`)
      .set('Cookie', s.cookie)
      .set('X-CSRF-Token', s.csrf)
      .send({ note: 'ok' });
    expect(approved.status).toBe(200);
    const steps = (await caseWhen(h, id, (c) => c.status === 'completed', 'approved')).steps;
    expect(JSON.stringify(steps)).toContain('test support');
  });

  it('signs out: the cookie stops working and is cleared; signing out needs the CSRF token', async () => {
    const a = await signIn(h.tokens.entA);
    const noCsrf = await h.api.delete('/console/api/session').set('Cookie', a.cookie);
    expect(noCsrf.status).toBe(403);
    expect((await h.api.get('/v1/onboardings').set('Cookie', a.cookie)).status).toBe(200);

    const out = await h.api.delete('/console/api/session').set('Cookie', a.cookie).set('X-CSRF-Token', a.csrf);
    expect(out.status).toBe(204);
    expect(([] as string[]).concat(out.headers['set-cookie'] ?? [])[0]).toMatch(/^console_session=;.*Max-Age=0/);
    const after = await h.api.get('/v1/onboardings').set('Cookie', a.cookie);
    expect(after.status).toBe(401);
    expect((await h.api.get('/console/api/session').set('Cookie', a.cookie)).status).toBe(401);
    // The bearer token itself still works, for the console too (behind a proxy that adds it).
    expect((await h.api.get('/v1/onboardings').set(...bearer(h.tokens.entA))).status).toBe(200);
    const viaProxy = await h.api.get('/console/api/session').set(...bearer(h.tokens.entA));
    expect(viaProxy.status).toBe(200);
    expect(viaProxy.body).toEqual({ principal: expect.objectContaining({ role: 'enterprise' }), csrfToken: null });
    expect((await h.api.get('/console/api/session').set(...bearer('nope'))).status).toBe(401);
  });

  it('serves the console page with a strict content security policy', async () => {
    const page = await h.api.get('/console/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script type="importmap">');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    const vendor = await h.api.get('/console/vendor/preact.mjs');
    expect(vendor.status).toBe(200);
    expect(vendor.headers['content-type']).toContain('javascript');
    expect((await h.api.get('/console/vendor/..%2f..%2fpackage.json')).status).toBe(404);
    expect((await h.api.get('/console/../package.json')).status).toBe(404);
  });
});

describe('a revoked token', () => {
  it('ends every console session signed in with it', async () => {
    // A registry whose principals can be swapped, as the tokens file's reload does.
    class Revocable extends TokenRegistry {
      set(tokens: string[]): void {
        this.replace(tokens.map((t) => ({ principal: { name: t, role: 'support' }, tokenSha256: sha256Hex(t) })));
      }
    }
    const registry = new Revocable([]);
    registry.set(['keep-me', 'revoke-me']);
    const api = request(createApp({ config: h.config, client: h.client, tokens: registry, sipGateway: h.sipGateway }));
    const signIn = async (token: string) => {
      const res = await api.post('/console/api/session').send({ token });
      return ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
    };
    const kept = await signIn('keep-me');
    const revoked = await signIn('revoke-me');
    expect((await api.get('/v1/onboardings?limit=1').set('Cookie', revoked)).status).toBe(200);
    registry.set(['keep-me']);
    const after = await api.get('/v1/onboardings?limit=1').set('Cookie', revoked);
    expect(after.status).toBe(401);
    expect(([] as string[]).concat(after.headers['set-cookie'] ?? [])[0]).toMatch(/^console_session=;/);
    expect((await api.get('/console/api/session').set('Cookie', revoked)).status).toBe(401);
    expect((await api.get('/v1/onboardings?limit=1').set('Cookie', kept)).status).toBe(200);
  });
});

describe('third-party line eligibility before a start', () => {
  it('answers the same rules as the start, with a quote; a session needs its CSRF token for it', async () => {
    const body = {
      productId: 'c-fixed',
      industry: 'lending',
      scenario: 'inbound',
      regions: [{ region: '广东', quantity: 2 }],
    };
    const eligibility = (payload: object) =>
      h.api
        .post('/console/api/eligibility')
        .set(...bearer(h.tokens.entA))
        .send(payload);
    const banned = await eligibility(body);
    expect(banned.status).toBe(200);
    expect(banned.body.eligible).toBe(false);
    expect(banned.body.failures).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'industry', code: 'industry-banned' })]),
    );
    expect(banned.body.quote).toEqual(expect.objectContaining({ productId: 'c-fixed', quantity: 2 }));
    const fine = await eligibility({ ...body, industry: 'ecommerce' });
    expect(fine.body.failures.filter((f: { path: string }) => f.path === 'industry')).toEqual([]);
    const invalid = await eligibility({ productId: 'nope' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['productId', 'industry', 'scenario', 'regions']),
    );
    const a = await signIn(h.tokens.entA);
    expect((await h.api.post('/console/api/eligibility').set('Cookie', a.cookie).send(body)).status).toBe(403);
    const withCsrf = await h.api
      .post('/console/api/eligibility')
      .set('Cookie', a.cookie)
      .set('X-CSRF-Token', a.csrf)
      .send(body);
    expect(withCsrf.status).toBe(200);
    expect((await h.api.post('/console/api/eligibility').send(body)).status).toBe(401);
  });
});

describe('document uploads through the console helpers', () => {
  it('uploads as the fixtures do (bearer) and reads back the same bytes', async () => {
    const ref = await upload(h, h.tokens.entA, 'legal-rep-id', PNG);
    const res = await h.api.get(`/v1/documents/${ref.documentId}`).set(...bearer(h.tokens.entA));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(Buffer.from(res.body as Buffer), PNG)).toBe(0);
  });
});

describe('the session cookie off localhost', () => {
  it('is __Host- prefixed and Secure, and only that name signs in', async () => {
    const config = loadConfig({ ...h.env, API_PUBLIC_URL: 'https://console.cc-provider.net' });
    const tokens = new TokenRegistry([
      { principal: { name: 'support', role: 'support' }, tokenSha256: sha256Hex(h.tokens.support) },
    ]);
    const api = request(createApp({ config, client: h.client, tokens, sipGateway: h.sipGateway }));
    const res = await api.post('/console/api/session').send({ token: h.tokens.support });
    expect(res.status).toBe(201);
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]!;
    expect(setCookie).toMatch(/^__Host-console_session=[A-Za-z0-9_-]{40,};/);
    expect(setCookie).toContain('; Secure');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toMatch(/Domain=/i);
    const value = setCookie.split(';')[0]!.slice('__Host-console_session='.length);
    expect((await api.get('/console/api/session').set('Cookie', `__Host-console_session=${value}`)).status).toBe(200);
    // The development name is not read here: a cookie planted without the prefix signs nobody in.
    expect((await api.get('/console/api/session').set('Cookie', `console_session=${value}`)).status).toBe(401);
  });
});

describe("the load balancer's sign-in check for the Temporal UI", () => {
  it('lets a live support session through, and nobody else', async () => {
    expect((await h.api.get('/console/api/session/staff')).status).toBe(401);
    const support = await signIn(h.tokens.support);
    expect((await h.api.get('/console/api/session/staff').set('Cookie', support.cookie)).status).toBe(204);
    const enterprise = await signIn(h.tokens.entA);
    expect((await h.api.get('/console/api/session/staff').set('Cookie', enterprise.cookie)).status).toBe(403);
    // A bearer token is no session: the UI is reached by people signed in to the console.
    expect((await h.api.get('/console/api/session/staff').set(...bearer(h.tokens.support))).status).toBe(401);
    await h.api.delete('/console/api/session').set('Cookie', support.cookie).set('X-CSRF-Token', support.csrf);
    expect((await h.api.get('/console/api/session/staff').set('Cookie', support.cookie)).status).toBe(401);
  });
});
