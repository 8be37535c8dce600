/**
 * Usage billing on the real SBC: SIPp calls through Kamailio on the enterprise's numbers (the
 * platform calling out, a customer's gateway calling in), their accounting rows (the answered
 * INVITE and the BYE that ended it) read back as the month's statement, charged once in the
 * billing sandbox and served by the API. The API starts the case with the enterprise's first
 * number case.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stateQuery } from '../../contract/case';
import { usageBillingId } from '../../domain/ids';
import { chinaMonthOf, monthBounds, type UsageStatement } from '../../domain/usage';
import { usageBilling } from '../../workflows/usage-billing';
import { instanceFor, verifiedEnterprise, type TestInstance } from '../support/fixtures';
import { bearer, eventually, startHarness, type Harness } from '../support/harness';
import { startTestSbc, type TestSbc } from '../support/sbc';
import { runSipp, startSippServer, type SippServer } from '../support/sipp';
import { loopbackNet } from '../support/net';

const NET = loopbackNet(78);
/** A customer's gateway the platform calls out to (answers every call). */
const CALLEE_GW = { ip: `${NET}.2`, port: 5062 };
/** A customer's gateway calling in to the enterprise's numbers. */
const CALLER_GW = { ip: `${NET}.3`, port: 5062 };
const N1 = '+862066007001';
const N2 = '+862066007002';
/** Not the enterprise's: its calls are not on the statement. */
const STRANGER = '+862066007099';

let sbc: TestSbc;
let h: Harness;
let callee: SippServer;
let instance: TestInstance;
let customerId: string;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'usage-billing-'));
const startedUnix = Math.floor(Date.now() / 1000) - 1;
let nextPort = 5200;

beforeAll(async () => {
  sbc = await startTestSbc(NET);
  callee = await startSippServer('uas-answer.xml', CALLEE_GW);
  h = await startHarness({ ...sbc.env, SIP_ALLOW_PRIVATE_GATEWAYS: 'true' }, { sipGateway: sbc.gateway });
  customerId = await verifiedEnterprise(h, h.enterprises.a, h.tokens.entA);
  instance = await instanceFor(h, h.enterprises.a);
  await sbc.gateway.allowGateway({ ip: CALLEE_GW.ip, port: CALLEE_GW.port, reference: 'case-usage-trunk' });
  await sbc.gateway.allowGateway({ ip: CALLER_GW.ip, port: CALLER_GW.port, reference: 'case-usage-trunk' });
  await sbc.gateway.assignNumbers({
    instanceId: instance.instanceId,
    numbers: [N1, N2],
    enterpriseId: h.enterprises.a,
    origin: 'purchased',
    reference: 'case-usage-numbers',
  });
}, 120_000);

afterAll(async () => {
  await h?.stop();
  await callee?.stop();
  await sbc?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Answered calls through the SBC, each held `holdMs` once answered; SIPp's exit code (0: all connected). */
function call(from: { ip: string; port?: number }, caller: string, callees: string[], dest: string, holdMs: number) {
  const csv = path.join(tmp, `${randomUUID()}.csv`);
  writeFileSync(csv, `SEQUENTIAL\n${callees.map((c) => `${c};`).join('\n')}\n`);
  return runSipp('uac-outbound.xml', {
    ip: from.ip,
    port: from.port ?? nextPort++,
    remote: `${sbc.address.ip}:${sbc.address.sipPort}`,
    args: [
      '-inf',
      csv,
      '-key',
      'caller',
      caller,
      '-key',
      'dest',
      dest,
      '-d',
      String(holdMs),
      '-m',
      String(callees.length),
    ],
    timeoutMs: holdMs + 20_000,
  });
}

const previousMonth = chinaMonthOf(monthBounds(chinaMonthOf(Date.now())).start - 1);

describe('usage billing from the SBC’s call records', () => {
  it('starts with the first number case, once, and serves statements to the owner and support only', async () => {
    const trunk = (numbers: string[]) => ({
      kind: 'sip-trunk',
      enterpriseId: h.enterprises.a,
      instanceId: instance.instanceId,
      gateway: { ip: `${NET}.9`, port: 5060, transport: 'udp' },
      numbers,
      callerIdPrefix: '9',
      boundAppId: instance.defaults.appId,
      contact: { name: '王工', phone: '13800138000', email: 'noc@example.cn' },
      testCallee: '13900139000',
    });
    const first = await h.api
      .post('/v1/onboardings')
      .set(...bearer(h.tokens.entA))
      .send(trunk(['020-66008001']));
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const id = usageBillingId(h.enterprises.a);
    const described = await h.client.workflow.getHandle(id).describe();
    expect(described.status.name).toBe('RUNNING');
    expect(described.memo).toMatchObject({ kind: 'usage-billing', enterpriseId: h.enterprises.a });
    const second = await h.api
      .post('/v1/onboardings')
      .set(...bearer(h.tokens.entA))
      .send(trunk(['020-66008002']));
    expect(second.status, JSON.stringify(second.body)).toBe(202);
    expect((await h.client.workflow.getHandle(id).describe()).runId).toBe(described.runId);

    const own = await h.api.get(`/v1/enterprises/${h.enterprises.a}/usage-statements`).set(...bearer(h.tokens.entA));
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ caseId: id, nextMonth: chinaMonthOf(Date.now()), items: [] });
    const bySupport = await h.api
      .get(`/v1/enterprises/${h.enterprises.a}/usage-statements`)
      .set(...bearer(h.tokens.support));
    expect(bySupport.status).toBe(200);
    const otherTenant = await h.api
      .get(`/v1/enterprises/${h.enterprises.a}/usage-statements`)
      .set(...bearer(h.tokens.entB));
    expect(otherTenant.status).toBe(404);
    const otherMonth = await h.api
      .get(`/v1/enterprises/${h.enterprises.a}/usage-statements/${previousMonth}`)
      .set(...bearer(h.tokens.entB));
    expect(otherMonth.status).toBe(404);
    const badMonth = await h.api
      .get(`/v1/enterprises/${h.enterprises.a}/usage-statements/2026-13`)
      .set(...bearer(h.tokens.entA));
    expect(badMonth.status).toBe(400);
    expect(badMonth.type).toMatch(/problem\+json/);
    expect(badMonth.body.errors[0]).toMatchObject({ path: 'month' });
    const none = await h.api
      .get(`/v1/enterprises/${h.enterprises.a}/usage-statements/${previousMonth}`)
      .set(...bearer(h.tokens.entA));
    expect(none.status).toBe(404);

    // The enterprise cannot stop its own call charges, nor ask for a re-run; another tenant sees nothing.
    const cancel = await h.api
      .post(`/v1/onboardings/${id}/cancel`)
      .set(...bearer(h.tokens.entA))
      .send({});
    expect(cancel.status).toBe(403);
    const otherCancel = await h.api
      .post(`/v1/onboardings/${id}/cancel`)
      .set(...bearer(h.tokens.entB))
      .send({});
    expect(otherCancel.status).toBe(404);
    expect((await h.client.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');
  });

  it('bills the minutes the SBC accounted: per number and direction, each call rounded up, charged once', async () => {
    const gwDest = `${CALLEE_GW.ip}:${CALLEE_GW.port}`;
    const sbcDest = `${sbc.address.ip}:${sbc.address.sipPort}`;
    const [outN1, longN2, inN1, stranger] = await Promise.all([
      // Two short calls out from N1 (one minute each), one past a minute from N2 (two minutes).
      call({ ip: sbc.probe }, N1, ['13900139001', '13900139002'], gwDest, 1_500),
      call({ ip: sbc.probe }, N2, ['13900139003'], gwDest, 61_500),
      // A customer's gateway calling N1: inbound, to the platform behind the SBC.
      call(CALLER_GW, '13900139004', [N1.replace('+86', '0')], sbcDest, 2_000),
      call({ ip: sbc.probe }, STRANGER, ['13900139005'], gwDest, 1_000),
    ]);
    for (const run of [outN1, longN2, inN1, stranger]) expect(run.code, run.output.slice(-1_500)).toBe(0);

    // Each answered call has its BYE accounted; the durations are the SBC's.
    const rows = await eventually(async () => {
      const r = await sbc.pool.query<{ method: string; callid: string }>(
        `SELECT method, callid FROM acc WHERE time_unix >= $1 AND (method = 'BYE' OR (method = 'INVITE' AND sip_code LIKE '2%'))`,
        [startedUnix],
      );
      return r.rows.filter((x) => x.method === 'BYE').length >= 5 ? r.rows : undefined;
    }, 15_000);
    expect(rows.filter((x) => x.method === 'INVITE')).toHaveLength(5);

    // The calls belong to last month: the records move back (durations kept), as if made then.
    const target = monthBounds(previousMonth).start + 10 * 86_400_000;
    const shift = Math.floor((Date.now() - target) / 1000);
    await sbc.pool.query(`UPDATE acc SET time_unix = time_unix - $1 WHERE time_unix >= $2`, [shift, startedUnix]);

    // The case as started a month ago: its first month has closed (no grace here), so it bills now.
    const id = usageBillingId(h.enterprises.a);
    await h.client.workflow.getHandle(id).terminate('restarted as of last month for the test');
    await h.client.workflow.start(usageBilling, {
      workflowId: id,
      taskQueue: h.config.temporal.taskQueue,
      args: [
        {
          enterpriseId: h.enterprises.a,
          customerId,
          companyName: '测试企业',
          contactEmail: 'usage@example.cn',
          nextMonth: previousMonth,
          statements: [],
          carriedSteps: [],
          timings: { graceMs: 0 },
        },
      ],
      memo: { kind: 'usage-billing', enterpriseId: h.enterprises.a, requestHash: '', createdBy: 'test' },
    });

    const statement = await eventually(async () => {
      const res = await h.api
        .get(`/v1/enterprises/${h.enterprises.a}/usage-statements/${previousMonth}`)
        .set(...bearer(h.tokens.entA));
      return res.status === 200 ? (res.body as UsageStatement) : undefined;
    }, 30_000);
    const byLine = Object.fromEntries(statement.lines.map((l) => [`${l.number} ${l.direction}`, l]));
    expect(Object.keys(byLine).sort()).toEqual([`${N1} inbound`, `${N1} outbound`, `${N2} outbound`]);
    expect(byLine[`${N1} outbound`]).toMatchObject({ calls: 2, minutes: 2, fenPerMinute: 10, amountFen: 20 });
    expect(byLine[`${N1} inbound`]).toMatchObject({ calls: 1, minutes: 1, fenPerMinute: 6, amountFen: 6 });
    expect(byLine[`${N2} outbound`]).toMatchObject({ calls: 1, minutes: 2, fenPerMinute: 10, amountFen: 20 });
    // Answered seconds as the SBC saw them: about the time each call was held.
    expect(byLine[`${N2} outbound`]!.seconds).toBeGreaterThanOrEqual(61);
    expect(byLine[`${N2} outbound`]!.seconds).toBeLessThan(70);
    expect(byLine[`${N1} outbound`]!.seconds).toBeLessThan(10);
    expect(statement).toMatchObject({ status: 'charged', calls: 4, minutes: 5, amountFen: 46, chargedFen: 46 });

    const charges = Object.values(h.billing.store.data.usageCharges).filter((c) => c.customerId === customerId);
    expect(charges.map((c) => [c.month, c.supplement, c.amountFen])).toEqual([[previousMonth, 0, 46]]);
    const mail = await eventually(() => h.mail.forCase(id).find((m) => m.to === 'usage@example.cn'), 15_000);
    expect(mail.subject).toContain(previousMonth);
    expect(mail.text).toContain('020-66007002');

    // Support reads the month again: the same records charge nothing more. The enterprise may not.
    const refused = await h.api
      .post(`/v1/onboardings/${id}/actions/rerun-month`)
      .set(...bearer(h.tokens.entA))
      .send({ month: previousMonth });
    expect(refused.status).toBe(403);
    const rerun = await h.api
      .post(`/v1/onboardings/${id}/actions/rerun-month`)
      .set(...bearer(h.tokens.support))
      .send({ month: previousMonth, note: 'checking the SBC records' });
    expect(rerun.status, JSON.stringify(rerun.body)).toBe(200);
    await eventually(async () => {
      const state = await h.client.workflow.getHandle(id).query(stateQuery);
      const st = (state.result as { statements: UsageStatement[] }).statements.find((s) => s.month === previousMonth);
      return st?.reruns === 1 ? st : undefined;
    }, 15_000);
    expect(Object.values(h.billing.store.data.usageCharges).filter((c) => c.customerId === customerId)).toHaveLength(1);
  }, 150_000);
});
