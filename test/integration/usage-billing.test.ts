/**
 * Usage billing on the real SBC: SIPp calls through Kamailio on the enterprise's numbers of every
 * origin (a purchased number and a supplier line calling out through their carriers, an own trunk
 * line called in from its gateway, a number released mid-month, and a call whose BYE was lost,
 * ended by the SBC's keep-alives), their dialogs' records read back as the month's statement,
 * each rated by its origin, charged once in the billing sandbox and served by the API. The API
 * starts the case with the enterprise's first number case.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { stateQuery } from '../../contract/case';
import { usageBillingId } from '../../domain/ids';
import { chinaMonthOf, monthBounds, type UsageStatement } from '../../domain/usage';
import { usageBilling } from '../../workflows/usage-billing';
import { recordHistory } from '../support/histories';
import { bearer, caseApi, eventually, useSbcHarness, useVerifiedInstance } from '../support/harness';
import { runSipp, startSippServer } from '../support/sipp';
import { loopbackNet } from '../support/net';
import { useSippServer } from '../support/sip';

const NET = loopbackNet(78);
/** The carrier (and supplier A's trunk) the platform calls out through (answers every call). */
const CALLEE_GW = { ip: `${NET}.2`, port: 5062 };
/** The enterprise's own trunk gateway, calling in to its own line. */
const CALLER_GW = { ip: `${NET}.3`, port: 5062 };
/** A carrier for callees 137…, whose far end dies mid-call. */
const DYING = { ip: `${NET}.6`, port: 5062 };
/** Purchased, a supplier A line, an own trunk line, and a purchased number released mid-month. */
const N1 = '+862066007001';
const N2 = '+862066007002';
const N3 = '+862066007003';
const N4 = '+862066007004';
/** Not the enterprise's: its calls are not on the statement. */
const STRANGER = '+862066007099';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'usage-billing-'));
const startedUnix = Math.floor(Date.now() / 1000) - 1;
let nextPort = 5200;

const { sbc, h } = useSbcHarness(
  NET,
  { SIP_ALLOW_PRIVATE_GATEWAYS: 'true' },
  {
    carriers: [
      {
        name: 'a-dying',
        ip: DYING.ip,
        port: DYING.port,
        transport: 'udp',
        origins: ['purchased'],
        prefixes: ['+86137'],
      },
      {
        name: 'carrier',
        ip: CALLEE_GW.ip,
        port: CALLEE_GW.port,
        transport: 'udp',
        origins: ['purchased', 'supplier:A'],
        prefixes: ['+86'],
      },
    ],
    keepAliveSeconds: 30,
  },
);
const instance = useVerifiedInstance(h);
useSippServer('uas-answer.xml', CALLEE_GW);

beforeAll(async () => {
  const own = { instanceId: instance.instanceId, enterpriseId: h.enterprises.a };
  await sbc.gateway.allowGateway({ ...CALLER_GW, reference: 'case-usage-trunk', ...own, numbers: [N3] });
  await sbc.gateway.assignNumbers({ ...own, numbers: [N1, N4], origin: 'purchased', reference: 'case-usage-numbers' });
  await sbc.gateway.assignNumbers({
    ...own,
    numbers: [N2],
    origin: 'supplier',
    supplier: 'A',
    reference: 'case-usage-supplier',
  });
  await sbc.gateway.assignNumbers({ ...own, numbers: [N3], origin: 'own-trunk', reference: 'case-usage-trunk' });
  await sbc.gateway.assignNumbers({
    instanceId: 'cc-stranger',
    numbers: [STRANGER],
    enterpriseId: 'ent-stranger',
    origin: 'purchased',
    reference: 'case-stranger',
  });
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Answered calls through the SBC, each held `holdMs` once answered; SIPp's exit code (0: all
 * connected). The platform calls on its TCP listener, naming the instance; gateways on the
 * published port.
 */
function call(
  from: { ip: string; port?: number },
  caller: string,
  callees: string[],
  holdMs: number,
  o: { platform?: boolean; scenario?: string; instance?: string } = {},
) {
  const csv = path.join(tmp, `${randomUUID()}.csv`);
  writeFileSync(csv, `SEQUENTIAL\n${callees.map((c) => `${c};`).join('\n')}\n`);
  const sbcAt = o.platform ? sbc.platform : { ip: sbc.address.ip, port: sbc.address.sipPort };
  return runSipp(o.scenario ?? 'uac-outbound.xml', {
    ip: from.ip,
    port: from.port ?? nextPort++,
    remote: `${sbcAt.ip}:${sbcAt.port}`,
    args: [
      ...['-inf', csv, '-key', 'caller', caller, '-key', 'instance', o.instance ?? instance.instanceId],
      ...['-key', 'dest', `${sbcAt.ip}:${sbcAt.port}`, '-d', String(holdMs), '-m', String(callees.length)],
      ...(o.platform ? ['-t', 't1'] : []),
    ],
    timeoutMs: holdMs + 20_000,
  });
}

const { start, act, attempt } = caseApi(() => h);

/** Enterprise A's usage statements as `token` reads them: the list, or one month (or `current`). */
const statements = (token: string, month?: string) =>
  h.api
    .get(`/v1/enterprises/${h.enterprises.a}/usage-statements${month === undefined ? '' : `/${month}`}`)
    .set(...bearer(token));

/** What billing has charged enterprise A for calls. */
const usageChargesOfA = () =>
  Object.values(h.billing.store.data.usageCharges).filter((c) => c.customerId === instance.customerId);

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
    await start(trunk(['020-66008001']));
    const id = usageBillingId(h.enterprises.a);
    const described = await h.client.workflow.getHandle(id).describe();
    expect(described.status.name).toBe('RUNNING');
    expect(described.memo).toMatchObject({ kind: 'usage-billing', enterpriseId: h.enterprises.a });
    await start(trunk(['020-66008002']));
    expect((await h.client.workflow.getHandle(id).describe()).runId).toBe(described.runId);

    const own = await statements(h.tokens.entA);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ caseId: id, nextMonth: chinaMonthOf(Date.now()), items: [] });
    expect((await statements(h.tokens.support)).status).toBe(200);
    expect((await statements(h.tokens.entB)).status).toBe(404);
    expect((await statements(h.tokens.entB, previousMonth)).status).toBe(404);
    const badMonth = await statements(h.tokens.entA, '2026-13');
    expect(badMonth.status).toBe(400);
    expect(badMonth.type).toMatch(/problem\+json/);
    expect(badMonth.body.errors[0]).toMatchObject({ path: 'month' });
    expect((await statements(h.tokens.entA, previousMonth)).status).toBe(404);

    // The enterprise cannot stop its own call charges, nor ask for a re-run; another tenant sees nothing.
    const cancel = (token: string) =>
      h.api
        .post(`/v1/onboardings/${id}/cancel`)
        .set(...bearer(token))
        .send({});
    expect((await cancel(h.tokens.entA)).status).toBe(403);
    expect((await cancel(h.tokens.entB)).status).toBe(404);
    expect((await h.client.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');
  });

  it('bills one month by each number’s origin: purchased, supplier, own line at 0, a released number, a call ended by keep-alive', async () => {
    const dying = await startSippServer('uas-answer.xml', { ...DYING, calls: 1 });
    onTestFinished(() => dying.stop());
    const [outN1, outN2, inN3, outN4, stranger, lostBye] = await Promise.all([
      // Two short calls out from the purchased number (one minute each) through the carrier.
      call({ ip: sbc.probe }, N1, ['13900139001', '13900139002'], 1_500, { platform: true }),
      // One from the supplier line, through supplier A's trunk: the platform fee.
      call({ ip: sbc.probe }, N2, ['13900139003'], 1_500, { platform: true }),
      // The own trunk's gateway calling its own line: in, to the platform, not charged.
      call(CALLER_GW, '13900139004', [N3.replace('+86', '0')], 2_000),
      call({ ip: sbc.probe }, N4, ['13900139006'], 1_000, { platform: true }),
      // Another enterprise's number: not on this statement.
      call({ ip: sbc.probe }, STRANGER, ['13900139005'], 1_000, { platform: true, instance: 'cc-stranger' }),
      // A call whose BYE is lost: the caller goes without one.
      call({ ip: sbc.probe }, N1, ['13700137001'], 1_000, { platform: true, scenario: 'uac-no-bye.xml' }),
    ]);
    const runs = { outN1, outN2, inN3, outN4, stranger, lostBye };
    for (const [name, run] of Object.entries(runs)) expect(run.code, `${name}: ${run.output.slice(-3_000)}`).toBe(0);
    // The callee's end dies too: nothing answers the keep-alives.
    await dying.stop();
    // Released: the number is gone from the enterprise, its call stays billed.
    await sbc.gateway.unassignNumbers({ numbers: [N4], reference: 'case-usage-numbers' });

    // Every call's dialog closed: the lost BYE's by keep-alive, within the keep-alive interval.
    const records = await eventually(async () => {
      const r = await sbc.pool.query<{ number: string; end_reason: string | null; seconds: number | null }>(
        `SELECT number, end_reason, extract(epoch FROM ended_at - answered_at)::float AS seconds FROM sbc_call`,
      );
      return r.rows.length === 7 && r.rows.every((x) => x.end_reason) ? r.rows : undefined;
    }, 90_000);
    const kept = records.filter((r) => r.end_reason === 'keep-alive-or-timeout');
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ number: N1 });
    expect(kept[0]!.seconds).toBeLessThan(60);

    // The month so far, before anything is charged: the same rating, read live from the SBC.
    const current = await statements(h.tokens.entA, 'current');
    expect(current.status, JSON.stringify(current.body)).toBe(200);
    expect(current.body).toMatchObject({
      month: chinaMonthOf(Date.now()),
      provisional: true,
      observable: true,
      calls: 6,
      minutes: 6,
      amountFen: 44,
      unfinishedCalls: 0,
    });
    const currentLines = (current.body.lines as { number: string; direction: string; amountFen: number }[])
      .map((l) => `${l.number} ${l.direction} ${l.amountFen}`)
      .sort();
    expect(currentLines).toEqual([`${N1} outbound 30`, `${N2} outbound 4`, `${N3} inbound 0`, `${N4} outbound 10`]);
    expect(usageChargesOfA()).toEqual([]);
    // Another tenant's month so far: not found.
    expect((await statements(h.tokens.entB, 'current')).status).toBe(404);

    // The calls belong to last month: the records move back (durations kept), as if made then.
    const target = monthBounds(previousMonth).start + 10 * 86_400_000;
    const shift = Math.floor((Date.now() - target) / 1000);
    await sbc.pool.query(`UPDATE acc SET time_unix = time_unix - $1 WHERE time_unix >= $2`, [shift, startedUnix]);
    await sbc.pool.query(
      `UPDATE sbc_call SET answered_at = answered_at - make_interval(secs => $1), ended_at = ended_at - make_interval(secs => $1)`,
      [shift],
    );
    await sbc.pool.query(
      `UPDATE assignment_history SET assigned_from = assigned_from - make_interval(secs => $1),
         assigned_to = assigned_to - make_interval(secs => $1)`,
      [shift],
    );

    // The case as started a month ago: its first month has closed (no grace here), so it bills now.
    const id = usageBillingId(h.enterprises.a);
    await h.client.workflow.getHandle(id).terminate('restarted as of last month for the test');
    await h.client.workflow.start(usageBilling, {
      workflowId: id,
      taskQueue: h.config.temporal.taskQueue,
      args: [
        {
          enterpriseId: h.enterprises.a,
          customerId: instance.customerId,
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
      const res = await statements(h.tokens.entA, previousMonth);
      return res.status === 200 ? (res.body as UsageStatement) : undefined;
    }, 30_000);
    const byLine = Object.fromEntries(statement.lines.map((l) => [`${l.number} ${l.direction}`, l]));
    expect(Object.keys(byLine).sort()).toEqual([`${N1} outbound`, `${N2} outbound`, `${N3} inbound`, `${N4} outbound`]);
    // Purchased: billing's price; the call ended by keep-alive is one of its three minutes.
    expect(byLine[`${N1} outbound`]).toMatchObject({
      origin: 'purchased',
      calls: 3,
      minutes: 3,
      fenPerMinute: 10,
      amountFen: 30,
    });
    // The supplier line: the platform's usage fee.
    expect(byLine[`${N2} outbound`]).toMatchObject({
      origin: 'supplier',
      calls: 1,
      minutes: 1,
      fenPerMinute: 4,
      amountFen: 4,
    });
    // Answered seconds as the SBC's dialogs saw them: about the time the call was held.
    expect(byLine[`${N2} outbound`]!.seconds).toBeLessThan(10);
    // The own line: listed, not charged, with the seed's reason.
    expect(byLine[`${N3} inbound`]).toMatchObject({
      origin: 'own-trunk',
      calls: 1,
      minutes: 1,
      fenPerMinute: 0,
      amountFen: 0,
    });
    expect(byLine[`${N3} inbound`]!.basis).toMatch(/no charge \(000\)/);
    // Released mid-month: its call is billed.
    expect(byLine[`${N4} outbound`]).toMatchObject({ origin: 'purchased', calls: 1, minutes: 1, amountFen: 10 });
    expect(statement).toMatchObject({ status: 'charged', calls: 6, minutes: 6, amountFen: 44, chargedFen: 44 });

    const charges = usageChargesOfA();
    expect(charges.map((c) => [c.month, c.supplement, c.amountFen])).toEqual([[previousMonth, 0, 44]]);
    const mail = await eventually(() => h.mail.forCase(id).find((m) => m.to === 'usage@example.cn'), 15_000);
    expect(mail.subject).toContain(previousMonth);
    expect(mail.text).toContain('020-66007002');
    expect(mail.text).toContain('no charge (000)');

    // Support reads the month again: the same records charge nothing more. The enterprise may not.
    expect((await attempt(id, 'rerun-month', h.tokens.entA, { month: previousMonth })).status).toBe(403);
    await act(id, 'rerun-month', h.tokens.support, { month: previousMonth, note: 'checking the SBC records' });
    await eventually(async () => {
      const state = await h.client.workflow.getHandle(id).query(stateQuery);
      const st = (state.result as { statements: UsageStatement[] }).statements.find((s) => s.month === previousMonth);
      return st?.reruns === 1 ? st : undefined;
    }, 15_000);
    expect(usageChargesOfA()).toHaveLength(1);
    await recordHistory(h.client, id, 'usage-billing-month-charged-then-rerun');
  }, 240_000);
});
