/**
 * 1,000 malformed or hostile requests, generated from a seed (RELIABILITY_SEED, printed on
 * failure): wrong types, missing and unknown fields, huge bodies, bad JSON, injection strings in
 * ids, filters and fields, bad tokens, odd content types and encodings, bad multipart, forged
 * webhooks. The API must answer every one below 500 (problem+json for errors), start no
 * workflow, change no case, and never show one tenant another's cases.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { OnboardingSummary } from '../../domain/onboarding';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from '../../sandboxes/billing/webhook-signature';
import { legalRepApplication, PDF } from '../support/fixtures';
import { caseWhen, eventually, useHarness } from '../support/harness';

const SEED = Number(process.env.RELIABILITY_SEED ?? 20_251_122);
const COUNT = 1_000;
const DOCUMENT_MAX_BYTES = 64 * 1024;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof rng>;

const INJECTIONS = [
  "' OR '1'='1",
  "x' OR EnterpriseId != 'nobody",
  "'; DROP TABLE executions; --",
  '" OR ""="',
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%00',
  '\u0000',
  '\u202e\u0644\u0627',
  '🙂'.repeat(50),
  '__proto__',
  'constructor',
  'prototype',
  '$where',
  'a'.repeat(5_000),
  '',
  ' ',
  '\r\nX-Injected: 1',
  'NaN',
  '-1',
  '1e309',
  'null',
  "ExecutionStatus = 'Running'",
  '*',
];
const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  '',
  [],
  {},
  [[[]]],
  { $gt: '' },
  { __proto__: { admin: true } },
  'x'.repeat(20_000),
  ...INJECTIONS,
];
const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '$where',
  'surprise',
  '',
  ' ',
  'kind ',
  'enterpriseId\u0000',
  'a'.repeat(1_000),
  '🙂',
];
const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=zzz',
  'application/json; charset=utf-16',
  'application/json; charset=koi8-r',
  'application/merge-patch+json',
  'image/png',
  'application/json, text/html',
  'application/json; boundary=--',
  '*/*',
  'application/octet-stream',
];
const ENCODINGS = ['gzip', 'deflate', 'br', 'identity, gzip', 'x-unknown', 'gzip, gzip'];

/**
 * 5xx answers found by this suite, each to be fixed in the API. An entry lets the hostile run go on
 * counting its requests, but the suite still fails while any is listed: a known issue is a bug
 * to fix, not a pass.
 */
const KNOWN_ISSUES: {
  name: string;
  matches: (req: HostileRequest, res: { status: number; body: string }) => boolean;
}[] = [];

interface HostileRequest {
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer | FormData;
  /** The token's tenant, to check listings. */
  tenant?: string;
}

let caseA: string;
let stepsBefore: string;
let validBody: Record<string, unknown>;

const h = useHarness({ DOCUMENT_MAX_BYTES: String(DOCUMENT_MAX_BYTES) });
beforeAll(async () => {
  // One real case, waiting on support: hostile requests aim at it too, and must leave it as it was.
  const body = await legalRepApplication(h, h.enterprises.a, h.tokens.entA);
  const started = await h.api.post('/v1/onboardings').set('Authorization', `Bearer ${h.tokens.entA}`).send(body);
  expect(started.status).toBe(202);
  caseA = started.body.id as string;
  const waiting = await caseWhen(h, caseA, (c) => c.stage === 'awaiting-review', 'awaiting review');
  stepsBefore = JSON.stringify(waiting.steps);
  // Schema-valid, but citing documents that do not exist: even a body the mutations leave valid cannot start a case.
  validBody = {
    ...body,
    documents: body.documents.map((d, i) => ({ ...d, documentId: `doc_00000000-0000-0000-0000-00000000000${i}` })),
  };
}, 120_000);

function generate(r: Rng): HostileRequest[] {
  const tokens = () => ({ entA: h.tokens.entA, support: h.tokens.support, admin: h.tokens.admin, entB: h.tokens.entB });
  const pickToken = (): { header: string; tenant?: string } => {
    const t = tokens();
    const which = r.pick(['entA', 'entA', 'support', 'admin', 'entB', 'bad'] as const);
    if (which === 'bad') return { header: r.pick(BAD_AUTH)(t.entA) };
    return {
      header: `Bearer ${t[which]}`,
      tenant: which === 'entA' ? h.enterprises.a : which === 'entB' ? h.enterprises.b : undefined,
    };
  };
  const ids = () => [
    caseA,
    `verification-${h.enterprises.b}`,
    `verification-${h.enterprises.a}-x`,
    'number-purchase-ent-nobody-1',
    ...INJECTIONS,
  ];

  const mutate = (value: unknown, depth = 0): unknown => {
    if (depth > 3 || value === null || typeof value !== 'object') return r.pick(HOSTILE_VALUES);
    const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
    const keys = Object.keys(copy);
    const op = r.int(4);
    if (op === 0 && keys.length) delete copy[r.pick(keys)];
    else if (op === 1)
      Object.defineProperty(copy, r.pick(HOSTILE_KEYS), {
        value: r.pick(HOSTILE_VALUES),
        enumerable: true,
        configurable: true,
        writable: true,
      });
    else if (op === 2 && keys.length) {
      const k = r.pick(keys);
      copy[k] = r.chance(0.5) ? r.pick(HOSTILE_VALUES) : mutate(copy[k], depth + 1);
    } else return r.pick([[], 'x', 42, null]);
    return copy;
  };

  const makers: [number, () => HostileRequest][] = [
    // Start bodies with wrong types, missing, unknown and injected fields.
    [
      26,
      (): HostileRequest => {
        let body: unknown = { ...validBody };
        for (let i = 0, n = 1 + r.int(3); i < n; i++) body = mutate(body);
        const isObject = body !== null && typeof body === 'object' && !Array.isArray(body);
        if (isObject && r.chance(0.15))
          (body as any).kind = r.pick([
            'number-purchase',
            'own-400-landing',
            'third-party-line',
            'sip-trunk',
            'number-subscription',
            'nope',
            ...INJECTIONS,
          ]);
        if (isObject && r.chance(0.1)) (body as any).enterpriseId = r.pick(INJECTIONS);
        const auth = pickToken();
        const headers: Record<string, string> = { authorization: auth.header, 'content-type': 'application/json' };
        if (r.chance(0.2)) headers['idempotency-key'] = r.pick(BAD_KEYS);
        return { label: 'start body', method: 'POST', path: '/v1/onboardings', headers, body: JSON.stringify(body) };
      },
    ],
    // Not JSON, or JSON that is not an object.
    [
      10,
      (): HostileRequest => {
        const full = JSON.stringify(validBody);
        const text = r.pick([
          // Never empty: an empty body reads as {}, a valid cancel.
          full.slice(0, 1 + r.int(full.length - 2)),
          '{',
          '{"kind":}',
          'null',
          '[]',
          '"string"',
          '123',
          'true',
          '{"kind":"enterprise-verification",}',
          "{'kind':'enterprise-verification'}",
          '{"kind":NaN}',
          '\u0000',
          '['.repeat(3_000) + ']'.repeat(3_000),
          '{"a":'.repeat(2_000) + '1' + '}'.repeat(2_000),
          '{"n":1e999999}',
          '\ufeff' + full,
          '{"kind":"enterprise-verification","kind":"own-400-landing"}',
          '{"__proto__":{"role":"admin"},"kind":"enterprise-verification"}',
        ]);
        const body = r.chance(0.1) ? Buffer.from([0xff, 0xfe, 0xfd, 0x7b, 0x22]) : text;
        const path = r.pick([
          '/v1/onboardings',
          `/v1/onboardings/${caseA}/actions/approve`,
          `/v1/onboardings/${caseA}/cancel`,
          '/v1/webhooks/billing',
        ]);
        return {
          label: 'bad JSON',
          method: 'POST',
          path,
          headers: { authorization: pickToken().header, 'content-type': 'application/json' },
          body,
        };
      },
    ],
    // Huge bodies and headers.
    [
      4,
      (): HostileRequest => {
        const size = r.pick([150_000, 600_000, 2_000_000]);
        const which = r.int(3);
        if (which === 0) {
          return {
            label: 'huge JSON',
            method: 'POST',
            path: r.pick(['/v1/onboardings', '/v1/webhooks/billing', `/v1/onboardings/${caseA}/actions/reject`]),
            headers: { authorization: pickToken().header, 'content-type': 'application/json' },
            body: JSON.stringify({ ...validBody, pad: 'x'.repeat(size) }),
          };
        }
        if (which === 1) {
          const form = new FormData();
          form.set('kind', 'business-licence');
          form.set('file', new Blob([Buffer.concat([PDF, Buffer.alloc(DOCUMENT_MAX_BYTES + r.int(size))])]), 'big.pdf');
          return {
            label: 'huge upload',
            method: 'POST',
            path: '/v1/documents',
            headers: { authorization: `Bearer ${h.tokens.entA}` },
            body: form,
          };
        }
        return {
          label: 'huge header',
          method: 'GET',
          path: '/v1/onboardings',
          headers: { authorization: `Bearer ${h.tokens.entA}`, 'x-pad': 'y'.repeat(r.pick([9_000, 40_000])) },
        };
      },
    ],
    // Odd content types and encodings on JSON routes.
    [
      9,
      (): HostileRequest => {
        // The API reads no body it does not recognise as JSON: an action or cancel then acts on an empty
        // body. So those aim at cases the caller may not act on (another tenant's, or none), to stay hostile.
        const path = r.pick(['/v1/onboardings', '/v1/documents', 'action', 'cancel']);
        const headers: Record<string, string> = { 'content-type': r.pick(CONTENT_TYPES) };
        if (r.chance(0.4)) headers['content-encoding'] = r.pick(ENCODINGS);
        let target = path;
        if (path === 'action' || path === 'cancel') {
          const mine = r.chance(0.5);
          headers.authorization = mine ? `Bearer ${h.tokens.entB}` : pickToken().header;
          const id = mine ? caseA : 'verification-ent-nobody-at-all';
          target =
            path === 'action'
              ? `/v1/onboardings/${id}/actions/${r.pick(['approve', 'reject', 'resubmit'])}`
              : `/v1/onboardings/${id}/cancel`;
        } else headers.authorization = pickToken().header;
        const body = r.chance(0.5)
          ? JSON.stringify(validBody)
          : Buffer.from(Array.from({ length: 64 }, () => r.int(256)));
        return { label: 'content type', method: 'POST', path: target, headers, body };
      },
    ],
    // Injection strings and odd values in ids and action names.
    [
      15,
      (): HostileRequest => {
        const id = encodeURIComponent(r.pick(ids()));
        const raw = r.chance(0.15) ? r.pick(['%', '%E0%A4%A', '..', '.%2e', '%2F', 'a%00b']) : id;
        const auth = pickToken();
        const which = r.int(3);
        if (which === 0)
          return {
            label: 'id',
            method: 'GET',
            path: `/v1/onboardings/${raw}`,
            headers: { authorization: auth.header },
          };
        const action = r.chance(0.5)
          ? r.pick(['approve', 'reject', 'resubmit', 'cancel', 'approve-script', 'renew'])
          : encodeURIComponent(r.pick(INJECTIONS));
        // Payloads an authorised caller could not take effect with: an unknown field or not an object.
        const payload = r.chance(0.5)
          ? { note: 'x', $hostile: r.pick(HOSTILE_VALUES) }
          : r.pick([[], 'x', 7, null, { reasons: r.pick(HOSTILE_VALUES), extra: 1 }]);
        const path = which === 1 ? `/v1/onboardings/${raw}/actions/${action}` : `/v1/onboardings/${raw}/cancel`;
        // Cancel bodies always carry an unknown field or are not objects: a valid one would cancel the case.
        const body =
          which === 2
            ? JSON.stringify(
                r.pick([{ reason: r.pick(HOSTILE_VALUES), extra: 1 }, [], 'x', { reason: 'ok', extra: true }]),
              )
            : JSON.stringify(payload);
        return {
          label: which === 1 ? 'action' : 'cancel',
          method: 'POST',
          path,
          headers: { authorization: auth.header, 'content-type': 'application/json' },
          body,
        };
      },
    ],
    // Injection strings, odd values, repeats and unknown names in list filters.
    [
      11,
      (): HostileRequest => {
        const params = new URLSearchParams();
        for (let i = 0, n = 1 + r.int(3); i < n; i++) {
          const name = r.pick([
            'enterpriseId',
            'stage',
            'kind',
            'status',
            'awaiting',
            'limit',
            'limit',
            'surprise',
            '__proto__',
            'constructor',
            'kind[]',
            'status[$ne]',
          ]);
          params.append(
            name,
            r.pick([
              ...INJECTIONS,
              '0',
              '-5',
              '501',
              '1e9',
              'abc',
              '1 OR 1=1',
              'running',
              'support',
              'enterprise-verification',
              h.enterprises.b,
            ]),
          );
        }
        const auth = pickToken();
        return {
          label: 'list filter',
          method: 'GET',
          path: `/v1/onboardings?${params.toString()}`,
          headers: { authorization: auth.header },
          tenant: auth.tenant,
        };
      },
    ],
    // Bad tokens on every route.
    [
      9,
      (): HostileRequest => {
        const route = r.pick([
          ['GET', '/v1/onboardings'],
          ['GET', `/v1/onboardings/${caseA}`],
          ['POST', `/v1/onboardings/${caseA}/actions/approve`],
          ['POST', `/v1/onboardings/${caseA}/cancel`],
          ['POST', '/v1/onboardings'],
          ['POST', '/v1/documents'],
          ['GET', '/v1/catalog/third-party-products'],
        ] as const);
        return {
          label: 'bad token',
          method: route[0],
          path: route[1],
          headers: { authorization: r.pick(BAD_AUTH)(h.tokens.support), 'content-type': 'application/json' },
          body: route[0] === 'POST' ? '{}' : undefined,
        };
      },
    ],
    // Bad multipart uploads.
    [
      10,
      (): HostileRequest => {
        const auth = pickToken();
        const which = r.int(9);
        const form = new FormData();
        const file = () => new Blob([r.chance(0.5) ? PDF : Buffer.from('not a document at all')]);
        if (which === 0) form.set('kind', 'business-licence');
        else if (which === 1) {
          form.set('kind', 'business-licence');
          form.append('file', file(), 'a.pdf');
          form.append('file', file(), 'b.pdf');
        } else if (which === 2) {
          form.set('kind', r.pick(INJECTIONS));
          form.set('file', file(), 'a.pdf');
        } else if (which === 3) {
          for (let i = 0; i < 8; i++) form.append(`f${i}`, 'x');
          form.set('file', file(), 'a.pdf');
        } else if (which === 4) {
          form.set('kind', 'business-licence');
          form.set('enterpriseId', r.pick([...INJECTIONS, h.enterprises.b]));
          form.set('note', 'y'.repeat(2_000));
          form.set(
            'file',
            file(),
            r.pick(INJECTIONS.filter((s) => !s.includes('\r') && !s.includes('\n') && !s.includes('\u0000'))) || 'x',
          );
        } else if (which === 5) {
          form.set('kind', 'business-licence');
          form.set('other', file(), '../../../../etc/passwd');
        }
        if (which <= 5)
          return {
            label: 'multipart',
            method: 'POST',
            path: '/v1/documents',
            headers: { authorization: auth.header },
            body: form,
          };
        const boundary = 'XyZ123';
        const raw = [
          `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nbusiness-licence\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4 truncated`,
          `--wrong\r\nContent-Disposition: form-data; name="kind"\r\n\r\nbusiness-licence\r\n--wrong--\r\n`,
          `--${boundary}\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--${boundary}--\r\n`,
        ][which - 6]!;
        const contentType = r.chance(0.3) ? 'multipart/form-data' : `multipart/form-data; boundary=${boundary}`;
        return {
          label: 'raw multipart',
          method: 'POST',
          path: '/v1/documents',
          headers: { authorization: auth.header, 'content-type': contentType },
          body: raw,
        };
      },
    ],
    // Forged, stale or malformed webhooks.
    [
      6,
      (): HostileRequest => {
        const event = r.chance(0.7)
          ? JSON.stringify(
              mutate({
                id: `evt_${r.int(1e9)}`,
                type: 'order.paid',
                data: { id: 'ord_x', reference: `number-purchase-ent-nobody-${r.int(1e6)}` },
              }),
            )
          : r.pick(['{', 'null', '[]', '{"id":1}']);
        const now = Math.floor(Date.now() / 1000);
        const signature = r.pick([
          () => undefined,
          () => 't=abc,v1=def',
          () => signWebhook('a-wrong-secret-of-16+chars', event, now),
          () => signWebhook(h.config.billing.webhookSecret, event, now - 3_600),
          () => signWebhook(h.config.billing.webhookSecret, `${event} `, now),
          () => `${signWebhook(h.config.billing.webhookSecret, event, now)},t=${now}`,
          () => signWebhook(h.config.billing.webhookSecret, event, now),
        ])();
        const headers: Record<string, string> = { 'content-type': r.pick(['application/json', 'text/plain']) };
        if (signature) headers[WEBHOOK_SIGNATURE_HEADER] = signature;
        return { label: 'webhook', method: 'POST', path: '/v1/webhooks/billing', headers, body: event };
      },
    ],
  ];
  const total = makers.reduce((n, [w]) => n + w, 0);
  return Array.from({ length: COUNT }, () => {
    let roll = r.int(total);
    for (const [w, make] of makers) {
      if (roll < w) return make();
      roll -= w;
    }
    throw new Error('unreachable');
  });
}

/** Authorization header values (Latin-1 only, as HTTP carries). */
const BAD_AUTH: ((valid: string) => string)[] = [
  () => '',
  () => 'Bearer',
  () => 'Bearer ',
  () => 'Basic dXNlcjpwYXNzd29yZA==',
  () => `Bearer ${'x'.repeat(8_000)}`,
  (v) => `Bearer ${v} extra`,
  (v) => `Bearer ${v.slice(0, -1)}`,
  (v) => `Bearer ${v}x`,
  (v) => `Token ${v}`,
  (v) => `Bearer "${v}"`,
  () => "Bearer ' OR '1'='1",
  () => 'Bearer null',
  () => 'Bearer undefined',
  () => 'Bearer __proto__',
  (v) => `Bearer ${Buffer.from(v).toString('base64')}`,
];
const BAD_KEYS = ['short', 'has spaces in it', 'x'.repeat(500), "' OR 1=1 --x", 'tab\there-and-more'];

async function fire(req: HostileRequest): Promise<{ status: number; contentType: string; body: string }> {
  const res = await fetch(`${h.apiUrl}${req.path}`, {
    method: req.method,
    headers: req.headers,
    body: req.body,
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
}

describe('malformed and hostile requests', () => {
  it('carries no known API issue', () => {
    expect(KNOWN_ISSUES.map((k) => k.name)).toEqual([]);
  });

  it(`answers ${COUNT} of them (seed ${SEED}) without a 5xx, a started workflow or a changed case`, async () => {
    const queue = h.config.temporal.taskQueue;
    const countOnQueue = async () => (await h.client.workflow.count(`TaskQueue = '${queue}'`)).count;
    const before = await eventually(
      async () => ((await countOnQueue()) === 1 ? 1 : undefined),
      10_000,
      'visibility of the one case',
    );

    const requests = generate(rng(SEED));
    const failures: string[] = [];
    const known = new Map<string, number>();
    const statuses = new Map<number, number>();
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < requests.length) {
          const i = next++;
          const req = requests[i]!;
          const describeReq = () =>
            `#${i} ${req.label}: ${req.method} ${req.path.slice(0, 200)} ${JSON.stringify(req.headers).slice(0, 300)}`;
          let res: Awaited<ReturnType<typeof fire>>;
          try {
            res = await fire(req);
          } catch (err) {
            // A connection the server closed on a request it would not read (e.g. an oversized header) is an answer too.
            failures.push(`${describeReq()} -> no answer: ${String((err as Error).cause ?? err)}`);
            continue;
          }
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const issue = KNOWN_ISSUES.find((k) => k.matches(req, res));
          if (issue) {
            known.set(issue.name, (known.get(issue.name) ?? 0) + 1);
            continue;
          }
          if (res.status >= 500) failures.push(`${describeReq()} -> ${res.status} ${res.body.slice(0, 300)}`);
          // Node's HTTP parser answers requests it refuses to read (431) before the app sees them.
          if (res.status >= 400 && res.status !== 431 && !res.contentType.includes('application/problem+json'))
            failures.push(`${describeReq()} -> ${res.status} as ${res.contentType}`);
          if (req.label === 'list filter' && res.status === 200 && req.tenant) {
            const items = (JSON.parse(res.body) as { items: OnboardingSummary[] }).items;
            const foreign = items.filter((item) => item.enterpriseId !== req.tenant);
            if (foreign.length)
              failures.push(`${describeReq()} -> another tenant's cases: ${foreign.map((f) => f.id).join(', ')}`);
          }
        }
      }),
    );
    const elapsed = Date.now() - started;
    if (known.size)
      console.warn(`known API issues met (see KNOWN_ISSUES): ${JSON.stringify(Object.fromEntries(known))}`);
    expect(failures, `seed ${SEED}; statuses ${JSON.stringify(Object.fromEntries(statuses))}`).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(COUNT);
    // Bounded in time.
    expect(elapsed).toBeLessThan(90_000);

    // Nothing started, nothing changed.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await countOnQueue()).toBe(before);
    const listed: string[] = [];
    for await (const wf of h.client.workflow.list({
      query: `EnterpriseId = '${h.enterprises.a}' OR EnterpriseId = '${h.enterprises.b}'`,
    }))
      listed.push(wf.workflowId);
    expect(listed).toEqual([caseA]);
    const after = await h.api.get(`/v1/onboardings/${caseA}`).set('Authorization', `Bearer ${h.tokens.support}`);
    expect(after.body.stage).toBe('awaiting-review');
    expect(JSON.stringify(after.body.steps)).toBe(stepsBefore);
  }, 150_000);
});
