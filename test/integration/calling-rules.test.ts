/**
 * Calling rules on the real SBC: the platform (SIPp, on the SBC's platform listener, naming the
 * instance) calls out through Kamailio and its carriers (SIPp), from numbers whose rules, by their
 * origin, KamailioSipGateway wrote with their assignment. Each refusal is a 403 with a Q.850 Reason
 * naming the rule, and an accounting row naming it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { DEMO_TOKENS, TokenRegistry } from '../../api/auth';
import { loadConfig } from '../../config';
import { productById } from '../../domain/catalog';
import { callingRules } from '../../domain/eligibility';
import type { NumberAssignment } from '../../activities/sip-gateway';
import { testCall } from '../../sip/test-call';
import { useTestSbc } from '../support/harness';
import { runSipp } from '../support/sipp';
import { loopbackNet } from '../support/net';
import { useSippServer } from '../support/sip';

const NET = loopbackNet(75);
const INSTANCE = 'cc-calls';
const GATEWAY = { ip: `${NET}.2`, port: 5062 };
/** A customer's phone that rings and is never answered. */
const RINGING = { ip: `${NET}.3`, port: 5062 };
const ENT_A = 'ent-calls-a';
const ENT_B = 'ent-calls-b';

// The platform calls out from the contact center's address, on the SBC's listener for it.
const t = useTestSbc(NET, {
  // The callees reached through carriers: the one that only rings for 1390000800x, another for the rest.
  carriers: [
    {
      name: 'a-ringing',
      ip: RINGING.ip,
      port: RINGING.port,
      transport: 'udp',
      origins: ['purchased', 'supplier:A'],
      prefixes: ['+861390000800'],
    },
    {
      name: 'b-answering',
      ip: GATEWAY.ip,
      port: GATEWAY.port,
      transport: 'udp',
      origins: ['purchased', 'supplier:A'],
      prefixes: ['+86'],
    },
  ],
});
useSippServer('uas-answer.xml', GATEWAY);
useSippServer('uas-ring.xml', RINGING);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'calling-rules-'));
const started = new Date(Date.now() - 1_000).toISOString();
let nextPort = 5100;

/** Answered calls from `caller` through the SBC, `hold` ms each; SIPp's exit code (0: all connected). */
function callOut(
  caller: string,
  callees: string[],
  opts: { concurrent?: number; holdMs?: number; instance?: string } = {},
) {
  const csv = path.join(tmp, `${randomUUID()}.csv`);
  writeFileSync(csv, `SEQUENTIAL\n${callees.map((c) => `${c};`).join('\n')}\n`);
  return runSipp('uac-outbound.xml', {
    ip: t.contactCenter.ip,
    port: nextPort++,
    remote: `${t.platform.ip}:${t.platform.port}`,
    args: [
      '-t',
      't1',
      '-key',
      'instance',
      opts.instance ?? INSTANCE,
      '-inf',
      csv,
      '-key',
      'caller',
      caller,
      '-key',
      'dest',
      `${GATEWAY.ip}:${GATEWAY.port}`,
      '-d',
      String(opts.holdMs ?? 100),
      '-m',
      String(callees.length),
      '-l',
      String(opts.concurrent ?? 1),
      '-r',
      '50',
    ],
    timeoutMs: 20_000,
  });
}

/** One call expected to be refused by a calling rule; the Reason header's value, or the failure. */
async function refusedCall(caller: string, to: string, instance = INSTANCE): Promise<string> {
  const run = await runSipp('uac-refused.xml', {
    ip: t.contactCenter.ip,
    port: nextPort++,
    remote: `${t.platform.ip}:${t.platform.port}`,
    args: [
      ...['-t', 't1', '-s', to, '-key', 'caller', caller, '-key', 'instance', instance],
      ...['-key', 'dest', `${GATEWAY.ip}:${GATEWAY.port}`, '-trace_logs'],
    ],
    timeoutMs: 5_000,
  });
  expect(run.code, run.output.slice(-1_500)).toBe(0);
  return /refused with Reason: (.*)/.exec(run.output)?.[1]?.trim() ?? '(no Reason logged)';
}

async function acc(caller: string) {
  return (await t.gateway.callRecords({ caller, since: started })).map((r) => ({
    callee: r.callee,
    code: r.sipCode,
    admitted: r.admitted,
    reason: r.reason,
  }));
}

/** Polls the SBC's accounting until `count` calls from `caller` were answered, failing after `withinMs`. */
async function answeredCalls(caller: string, count: number, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const answered = (await acc(caller)).filter((r) => r.code === 200 && r.admitted).length;
    if (answered >= count) return;
    if (Date.now() > deadline)
      throw new Error(`${answered} of ${count} calls from ${caller} answered after ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A China-time window that does not hold the present moment. */
function windowExcludingNow(): { from: string; to: string } {
  const hour = Number(
    new Intl.DateTimeFormat('en-GB', { hour: '2-digit', timeZone: 'Asia/Shanghai' }).format(new Date()),
  );
  return hour < 12 ? { from: '13:00', to: '14:00' } : { from: '01:00', to: '02:00' };
}

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The API on this SBC's gateway (no Temporal needed: these routes do not start cases). */
function api() {
  const config = loadConfig({ ...process.env, SIP_GATEWAY_MODE: 'recording' });
  return request(
    createApp({
      config,
      client: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 }) }),
      tokens: new TokenRegistry(DEMO_TOKENS.map((d) => ({ principal: d.principal, tokenSha256: sha256(d.token) }))),
      sipGateway: t.gateway,
    }),
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Assigns numbers to the instance for enterprise A, as a purchase does (or as `more` says). */
const assign = (numbers: string[], reference: string, more: Partial<NumberAssignment> = {}) =>
  t.gateway.assignNumbers({
    instanceId: INSTANCE,
    numbers,
    enterpriseId: ENT_A,
    origin: 'purchased',
    reference,
    ...more,
  });
/** The same for a line from supplier A. */
const assignSupplied = (numbers: string[], reference: string, more: Partial<NumberAssignment> = {}) =>
  assign(numbers, reference, { origin: 'supplier', supplier: 'A', ...more });

const as = (token: string) => ['Authorization', `Bearer ${token}`] as const;

describe('calling rules written with the assignment', () => {
  it('writes a purchased number’s 20 concurrent calls (no per-callee limit) or a supplier product’s own, and removes them on release', async () => {
    await assign(['+862088881009'], 'case-calls-defaults');
    expect(await t.gateway.callingRuleOf('+862088881009')).toMatchObject({
      enterprise_id: ENT_A,
      max_concurrent: 20,
      per_callee_daily: null,
      count_on: 'rung',
      hours_from: null,
      hours_to: null,
    });
    await assignSupplied(['+8613700001009'], 'case-calls-marketing', {
      callingRules: {
        maxConcurrentCalls: 1,
        callingHours: [{ from: '08:00', to: '20:00' }],
        perCalleeDailyLimit: 1,
        perCalleeCountedOn: 'answered',
      },
    });
    expect(await t.gateway.callingRuleOf('+8613700001009')).toMatchObject({
      max_concurrent: 1,
      per_callee_daily: 1,
      count_on: 'answered',
      hours_from: 480,
      hours_to: 1200,
    });
    // Another case cannot release them; their own case does.
    await t.gateway.unassignNumbers({ numbers: ['+862088881009'], reference: 'case-other' });
    expect(await t.gateway.callingRuleOf('+862088881009')).not.toBeNull();
    await t.gateway.unassignNumbers({ numbers: ['+862088881009'], reference: 'case-calls-defaults' });
    await t.gateway.unassignNumbers({ numbers: ['+8613700001009'], reference: 'case-calls-marketing' });
    expect(await t.gateway.callingRuleOf('+862088881009')).toBeNull();
    expect(await t.gateway.callingRuleOf('+8613700001009')).toBeNull();
  });
});

describe('calls out through the SBC', () => {
  it('refuses the 21st concurrent call on a number while its 20 others connect', async () => {
    const number = '+862088881001';
    await assign([number], 'case-calls-1');
    const callees = Array.from({ length: 20 }, (_, i) => `1390000${String(1000 + i)}`);
    const twenty = callOut(number, callees, { concurrent: 20, holdMs: 4_000 });
    // The 21st is placed once the SBC's accounting shows all twenty answered (they hold 4 s).
    await answeredCalls(number, 20, 3_000);
    expect(await refusedCall(number, '13900002000')).toBe('Q.850;cause=21;text="concurrent call limit"');
    const done = await twenty;
    expect(done.code, done.output.slice(-1_500)).toBe(0);
    // Hung up: the number has its calls back.
    expect((await callOut(number, ['13900002001'])).code).toBe(0);

    const records = await acc(number);
    expect(records.filter((r) => r.code === 200 && r.admitted)).toHaveLength(21);
    expect(records.filter((r) => !r.admitted)).toEqual([
      { callee: '13900002000', code: 403, admitted: false, reason: 'calling-rule:concurrent call limit' },
    ]);
  });

  it('refuses the 6th call in a day to one callee from the enterprise, whichever of its numbers calls', async () => {
    const [first, second] = ['+862088881002', '+862088881003'];
    const other = '+862088881004';
    await assignSupplied([first, second], 'case-calls-2', { callingRules: { perCalleeDailyLimit: 5 } });
    await assignSupplied([other], 'case-calls-3', {
      instanceId: 'cc-calls-b',
      enterpriseId: ENT_B,
      callingRules: { perCalleeDailyLimit: 5 },
    });
    // Written nationally by the platform: the SBC reads it as the same callee.
    const to = '13900003000';
    const five = await callOut('02088881002', [to, to, to, '+86' + to, to]);
    expect(five.code, five.output.slice(-1_500)).toBe(0);
    expect(await refusedCall('02088881002', to)).toBe('Q.850;cause=21;text="callee daily limit"');
    expect(await refusedCall(second, to)).toBe('Q.850;cause=21;text="callee daily limit"');
    // Another enterprise has its own count; another callee is not affected.
    expect((await callOut(other, [to], { instance: 'cc-calls-b' })).code).toBe(0);
    expect((await callOut(first, ['13900003001'])).code).toBe(0);

    const records = await acc('02088881002');
    expect(records.map((r) => [r.code, r.reason])).toEqual([
      ...Array.from({ length: 5 }, () => [200, 'from-platform']),
      [403, 'calling-rule:callee daily limit'],
    ]);
    expect(await acc(second)).toEqual([
      { callee: to, code: 403, admitted: false, reason: 'calling-rule:callee daily limit' },
    ]);

    // The day's counts are in the database: a restarted SBC still refuses.
    await t.restart();
    expect(await refusedCall(first, to)).toBe('Q.850;cause=21;text="callee daily limit"');
    expect(
      (
        await t.pool.query('SELECT scope, callee, calls FROM callee_count WHERE callee = $1 ORDER BY scope', [
          '+86' + to,
        ])
      ).rows,
    ).toEqual([
      { scope: ENT_A, callee: '+86' + to, calls: 5 },
      { scope: ENT_B, callee: '+86' + to, calls: 1 },
    ]);
  });

  it('counts a call that only rang where ringing counts, and not where only an answer does', async () => {
    const [rung, answered] = ['+862088881010', '+862088881011'];
    await assignSupplied([rung], 'case-calls-8', {
      enterpriseId: 'ent-calls-c',
      callingRules: { perCalleeDailyLimit: 1 },
    });
    await assignSupplied([answered], 'case-calls-9', {
      enterpriseId: 'ent-calls-d',
      callingRules: { perCalleeDailyLimit: 1, perCalleeCountedOn: 'answered' },
    });
    const ringOnce = (caller: string) =>
      testCall({
        target: { host: t.platform.ip, port: t.platform.port, transport: 'tcp' },
        localAddress: t.contactCenter.ip,
        caller,
        callee: '13900008000',
        headers: [['X-Instance-Id', INSTANCE]],
        ringMs: 200,
        timeoutMs: 5_000,
      });
    expect(await ringOnce(rung)).toMatchObject({ outcome: 'cancelled', finalCode: 487 });
    expect(await refusedCall(rung, '13900008000')).toBe('Q.850;cause=21;text="callee daily limit"');

    // Where only an answer counts, calls that only rang leave the callee's count untouched.
    expect(await ringOnce(answered)).toMatchObject({ outcome: 'cancelled', finalCode: 487 });
    expect(await ringOnce(answered)).toMatchObject({ outcome: 'cancelled', finalCode: 487 });
    expect(
      (await t.pool.query(`SELECT count(*)::int AS n FROM callee_claim WHERE scope = 'ent-calls-d' AND counted`)).rows,
    ).toEqual([{ n: 0 }]);
  });

  it('holds an own trunk line to no per-callee limit it never agreed to, and a supplier line out of its blind areas', async () => {
    // The enterprise's own line, brought over its trunk: its calls go to its gateway, as many as it likes.
    const own = '+862088881020';
    await t.gateway.allowGateway({
      ...GATEWAY,
      reference: 'case-calls-own-trunk',
      instanceId: INSTANCE,
      numbers: [own],
    });
    await assign([own], 'case-calls-own-trunk', { origin: 'own-trunk' });
    const seven = await callOut(
      own,
      Array.from({ length: 7 }, () => '13900020000'),
    );
    expect(seven.code, seven.output.slice(-1_500)).toBe(0);
    expect((await acc('+862088881020')).filter((r) => r.code === 200 && r.admitted)).toHaveLength(7);

    // Supplier A's invitation line: no calls into Xinjiang or Tibet (004), judged on the callee's
    // region from libphonenumber's data (139 0000 3xxx is Xinjiang, 138 0013 8xxx Beijing).
    const line = '+862088881021';
    await assignSupplied([line], 'case-calls-blind', {
      enterpriseId: 'ent-calls-blind',
      callingRules: callingRules(productById('a-invitation-fixed')!),
    });
    const inHours = await t.gateway.callingRuleOf(line);
    expect(inHours).toMatchObject({ blind_regions: ['新疆', '西藏'] });
    // The catalogue's hours may exclude now: the blind area is checked whatever the hour.
    await t.pool.query('UPDATE calling_rule SET hours_from = NULL, hours_to = NULL WHERE number = $1', [line]);
    expect(await refusedCall(line, '13900003999')).toBe('Q.850;cause=21;text="blind area"');
    expect((await callOut(line, ['13800138999'])).code).toBe(0);
    expect((await acc(line)).map((r) => [r.callee, r.reason])).toEqual([
      ['13900003999', 'calling-rule:blind area'],
      ['13800138999', 'from-platform'],
    ]);
  });

  it('refuses a call outside the number’s hours (China time)', async () => {
    const number = '+862088881005';
    await assignSupplied([number], 'case-calls-4', { callingRules: { callingHours: [windowExcludingNow()] } });
    expect(await refusedCall(number, '13900004000')).toBe('Q.850;cause=21;text="calling hours"');
    expect(await acc(number)).toEqual([
      { callee: '13900004000', code: 403, admitted: false, reason: 'calling-rule:calling hours' },
    ]);
    // The same number on a window that holds now calls.
    await assignSupplied([number], 'case-calls-4', {
      callingRules: { callingHours: [{ from: '00:00', to: '23:59' }] },
    });
    expect((await callOut(number, ['13900004000'])).code).toBe(0);
  });

  it('refuses a callee the enterprise blocked, not another enterprise’s call to it; release removes the rules', async () => {
    const number = '+862088881006';
    const other = '+862088881007';
    await assign([number], 'case-calls-5');
    await assign([other], 'case-calls-6', { instanceId: 'cc-calls-b', enterpriseId: ENT_B });
    const blocked = '+8613900005000';
    const added = await t.gateway.blockCallee({
      enterpriseId: ENT_A,
      number: blocked,
      reason: 'complained on 2026-11-30',
      addedBy: 'support: ops',
      addedAt: new Date().toISOString(),
    });
    expect(added.created).toBe(true);
    expect(await refusedCall(number, '13900005000')).toBe('Q.850;cause=21;text="blocked callee"');
    // Written with separators, the caller and the callee are still the same numbers.
    expect(await refusedCall('020-8888-1006', '139-0000-5000')).toBe('Q.850;cause=21;text="blocked callee"');
    expect((await callOut(other, ['13900005000'], { instance: 'cc-calls-b' })).code).toBe(0);
    expect(await acc(number)).toEqual([
      { callee: '13900005000', code: 403, admitted: false, reason: 'calling-rule:blocked callee' },
    ]);
    // A caller ID crafted as SQL travels as hex: not the instance's number, refused, nothing touched.
    const crafted = "x','y',0);DELETE/**/FROM/**/blocked_callee;--";
    expect((await callOut(crafted, ['13900005000'])).code).not.toBe(0);
    expect((await acc(crafted)).map((r) => [r.code, r.reason])).toEqual([[403, 'caller-not-instance']]);
    expect((await t.gateway.blockedCallees({ enterpriseId: ENT_A })).map((b) => b.number)).toEqual([blocked]);

    // Released: the number's rules are gone with its assignment.
    expect(await t.gateway.unassignNumbers({ numbers: [number], reference: 'case-calls-5' })).toEqual({
      removed: [number],
    });
    expect((await t.pool.query('SELECT 1 FROM calling_rule WHERE number = $1', [number])).rowCount).toBe(0);
    // And it is no longer the instance's number to call from.
    expect((await callOut(number, ['13900005000'])).code).not.toBe(0);

    // Unblocked: the enterprise's numbers call it again.
    await assign([number], 'case-calls-5');
    expect(await refusedCall(number, '13900005000')).toBe('Q.850;cause=21;text="blocked callee"');
    // Support blocked it: the enterprise cannot lift it, support can.
    expect(await t.gateway.unblockCallee({ enterpriseId: ENT_A, number: blocked, removedBy: 'enterprise: a' })).toEqual(
      {
        removed: false,
        refused: 'added-by-support',
      },
    );
    expect(await t.gateway.unblockCallee({ enterpriseId: ENT_A, number: blocked, removedBy: 'support: ops' })).toEqual({
      removed: true,
    });
    expect((await callOut(number, ['13900005000'])).code).toBe(0);
  });
});

describe('blocked callees through the API', () => {
  const path = '/v1/enterprises/ent-demo-1/blocked-callees';

  it('lets the owner and support add, list and remove callees, which the SBC enforces at once', async () => {
    const number = '+862088881008';
    await assign([number], 'case-calls-7', { instanceId: 'cc-demo', enterpriseId: 'ent-demo-1' });
    const http = api();
    const added = await http
      .post(path)
      .set(...as('demo-ent-1'))
      .send({ number: '139 0000 6000', reason: 'asked not to be called again' });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toEqual({
      number: '+8613900006000',
      reason: 'asked not to be called again',
      addedBy: 'enterprise: demo enterprise 1',
      addedAt: expect.any(String),
    });
    expect(added.headers.location).toBe(`${path}/%2B8613900006000`);
    // Again, written another way: the first entry stands.
    const again = await http
      .post(path)
      .set(...as('demo-support'))
      .send({ number: '+8613900006000', reason: 'complaint #2' });
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(added.body);
    const bySupport = await http
      .post(path)
      .set(...as('demo-support'))
      .send({ number: '020-66240001', reason: 'complaint via the supplier' });
    expect(bySupport.status).toBe(201);
    expect(bySupport.body.addedBy).toBe('support: demo support agent');

    const listed = await http.get(path).set(...as('demo-ent-1'));
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((i: { number: string }) => i.number)).toEqual(['+8613900006000', '+862066240001']);

    expect(await refusedCall(number, '13900006000', 'cc-demo')).toBe('Q.850;cause=21;text="blocked callee"');

    expect((await http.delete(`${path}/13900006000`).set(...as('demo-ent-1'))).status).toBe(204);
    expect((await http.delete(`${path}/13900006000`).set(...as('demo-ent-1'))).status).toBe(204);
    expect((await callOut(number, ['13900006000'], { instance: 'cc-demo' })).code).toBe(0);
    expect((await http.get(path).set(...as('demo-support'))).body.items).toHaveLength(1);
    // What support blocked only support unblocks; every change is kept and listed.
    const lifted = await http.delete(`${path}/020-66240001?reason=not%20ours`).set(...as('demo-ent-1'));
    expect(lifted.status).toBe(403);
    expect(lifted.headers['content-type']).toContain('application/problem+json');
    expect((await http.get(path).set(...as('demo-ent-1'))).body.items).toHaveLength(1);
    const changes = await http.get(`${path}/changes`).set(...as('demo-ent-1'));
    expect(changes.status).toBe(200);
    expect(
      changes.body.items.map((c: { number: string; change: string; by: string }) => [c.number, c.change, c.by]),
    ).toEqual([
      ['+8613900006000', 'added', 'enterprise: demo enterprise 1'],
      ['+862066240001', 'added', 'support: demo support agent'],
      ['+8613900006000', 'removed', 'enterprise: demo enterprise 1'],
    ]);
    expect((await http.get(`${path}/changes`).set(...as('demo-ent-2'))).status).toBe(404);
  });

  it('answers another tenant 404 and touches nothing of theirs', async () => {
    const http = api();
    for (const res of [
      await http.get(path).set(...as('demo-ent-2')),
      await http
        .post(path)
        .set(...as('demo-ent-2'))
        .send({ number: '13900007000', reason: 'x' }),
      await http.delete(`${path}/020-66240001`).set(...as('demo-ent-2')),
    ]) {
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect((await t.gateway.blockedCallees({ enterpriseId: 'ent-demo-1' })).map((b) => b.number)).toContain(
      '+862066240001',
    );
    expect(await t.gateway.blockedCallees({ enterpriseId: 'ent-demo-2' })).toEqual([]);
    expect((await http.get(path)).status).toBe(401);
  });

  it('answers a bad number or reason with 400 listing every failing field', async () => {
    const http = api();
    const bad = await http
      .post(path)
      .set(...as('demo-ent-1'))
      .send({ number: '12345', reason: '', note: 'extra' });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['(body)', 'number', 'reason']);
    const badPath = await http.delete(`${path}/not-a-number`).set(...as('demo-ent-1'));
    expect(badPath.status).toBe(400);
    expect(badPath.body.errors.map((e: { path: string }) => e.path)).toEqual(['number']);
    const badEnterprise = await http.get('/v1/enterprises/Not_An_Id/blocked-callees').set(...as('demo-support'));
    expect(badEnterprise.status).toBe(400);
    expect(badEnterprise.body.errors.map((e: { path: string }) => e.path)).toEqual(['enterpriseId']);
  });
});
