/**
 * What the SBC saw: registrations (usrloc), INVITEs as accounted (`acc`), answered calls from
 * its dialogs, and the assignment history a month is billed by.
 */
import type pg from 'pg';
import {
  assignmentPeriod,
  invalidSipInput,
  type AccountRef,
  type AnsweredCall,
  type AssignmentPeriod,
  type CallRecord,
  type CallRecordFilter,
  type Registration,
} from '../sip-gateway';
import { RpcError, type KamailioRpc } from './rpc';

export class KamailioObservation {
  constructor(
    private readonly pool: pg.Pool,
    private readonly rpc: KamailioRpc,
    private readonly accTimeZone: string,
  ) {}

  async registration(ref: AccountRef): Promise<Registration | null> {
    let result: { Contacts?: { Contact?: Record<string, unknown> }[] };
    try {
      result = await this.rpc.call('ul.lookup', ['location', `${ref.username}@${ref.realm}`]);
    } catch (err) {
      if (err instanceof RpcError && /not found/i.test(err.message)) return null;
      throw err;
    }
    const contacts = (result.Contacts ?? []).map((c) => c.Contact ?? {}).filter((c) => typeof c.Address === 'string');
    if (contacts.length === 0) return null;
    // The most recently refreshed binding is the one in use.
    contacts.sort((a, b) => Number(b['Last-Modified'] ?? 0) - Number(a['Last-Modified'] ?? 0));
    const c = contacts[0]!;
    const set = (v: unknown) => (typeof v === 'string' && v !== '' && v !== '[not set]' ? v : undefined);
    const received = set(c.Received);
    const socketProto = set(c.Socket)?.split(':')[0];
    const proto = (received && /;transport=(\w+)/i.exec(received)?.[1]) || socketProto;
    const expires = Number(c.Expires);
    return {
      contact: String(c.Address),
      ...(received ? { received } : {}),
      ...(proto === 'udp' || proto === 'tcp' ? { transport: proto } : {}),
      // `Expires` is the seconds left ("permanent" for static bindings).
      expiresAt: Number.isFinite(expires)
        ? new Date(Date.now() + expires * 1000).toISOString()
        : '9999-12-31T23:59:59.000Z',
      ...(set(c['User-Agent']) ? { userAgent: set(c['User-Agent']) } : {}),
    };
  }

  async callRecords(filter: CallRecordFilter): Promise<CallRecord[]> {
    const since = new Date(filter.since);
    if (Number.isNaN(since.getTime())) throw invalidSipInput(`not a time: ${filter.since}`);
    const result = await this.pool.query<{
      callid: string;
      method: string;
      sip_code: string;
      sip_reason: string;
      src_ip: string;
      caller: string;
      callee: string;
      admitted: string;
      reason: string;
      at: Date;
    }>(
      // time_unix is exact; `time` is the SBC's local wall-clock time, read in its zone.
      `SELECT * FROM (
         SELECT id, callid, method, sip_code, sip_reason, src_ip, caller, callee, admitted, reason,
                COALESCE(to_timestamp(time_unix + COALESCE(time_usec, 0) / 1e6), time AT TIME ZONE $1) AS at
         FROM acc WHERE method = 'INVITE'
       ) r
       WHERE at >= $2 AND ($3::text IS NULL OR src_ip = $3) AND ($4::text IS NULL OR callee = $4) AND ($5::text IS NULL OR caller = $5)
       ORDER BY at, id LIMIT 1000`,
      [this.accTimeZone, since, filter.sourceIp ?? null, filter.callee ?? null, filter.caller ?? null],
    );
    return result.rows.map((r) => ({
      callId: r.callid,
      method: r.method,
      sipCode: Number(r.sip_code),
      sipReason: r.sip_reason,
      sourceIp: r.src_ip,
      caller: r.caller,
      callee: r.callee,
      at: r.at.toISOString(),
      admitted: r.admitted === '1',
      ...(r.reason ? { reason: r.reason } : {}),
    }));
  }

  async answeredCalls(range: { from: string; to: string }): Promise<AnsweredCall[]> {
    const { from, to } = timeRange(range);
    // The calls as their dialogs saw them: answered when confirmed, ended by a party's BYE or by the
    // SBC (failed keep-alives, the dialog's lifetime). Forged and refused requests end nothing.
    const result = await this.pool.query<{
      callid: string;
      direction: string;
      number: string;
      enterprise_id: string | null;
      caller: string;
      callee: string;
      answered_at: Date;
      ended_at: Date | null;
      end_reason: string | null;
    }>(
      `SELECT callid, direction, number, enterprise_id, caller, callee, answered_at, ended_at, end_reason FROM sbc_call
       WHERE answered_at >= $2 AND answered_at < $3
       UNION ALL
       -- Answered INVITEs whose dialog left no record (reconciliation: reported, not billed).
       SELECT DISTINCT ON (a.callid) a.callid, CASE a.reason WHEN 'to-platform' THEN 'inbound' ELSE 'outbound' END,
              a.number, NULLIF(a.enterprise_id, ''), a.caller, a.callee, ${ACC_AT}, NULL::timestamptz, 'no-dialog-record'
       FROM acc a
       WHERE a.method = 'INVITE' AND a.admitted = '1' AND a.sip_code LIKE '2%' AND a.reason IN ('to-platform', 'from-platform')
         AND ${ACC_AT} >= $2 AND ${ACC_AT} < $3 AND NOT EXISTS (SELECT 1 FROM sbc_call c WHERE c.callid = a.callid)
       ORDER BY 7, 1`,
      [this.accTimeZone, from, to],
    );
    return result.rows.map((r) => ({
      callId: r.callid,
      direction: r.direction === 'inbound' ? 'inbound' : 'outbound',
      number: r.number,
      ...(r.enterprise_id ? { enterpriseId: r.enterprise_id } : {}),
      caller: r.caller,
      callee: r.callee,
      answeredAt: r.answered_at.toISOString(),
      endedAt: r.ended_at ? r.ended_at.toISOString() : null,
      seconds: r.ended_at ? Math.max(0, (r.ended_at.getTime() - r.answered_at.getTime()) / 1000) : null,
      ...(r.end_reason ? { endReason: r.end_reason } : {}),
    }));
  }

  async assignmentHistory(range: { from: string; to: string }): Promise<AssignmentPeriod[]> {
    const { from, to } = timeRange(range);
    // Columns named as the period names them; the two times come back as dates.
    const result = await this.pool.query<
      Omit<Parameters<typeof assignmentPeriod>[0], 'from' | 'to'> & { from: Date; to: Date | null }
    >(
      `SELECT number, instance_id AS "instanceId", enterprise_id AS "enterpriseId", origin, supplier, reference,
              assigned_from AS "from", assigned_to AS "to"
       FROM assignment_history WHERE assigned_from < $2 AND (assigned_to IS NULL OR assigned_to > $1)
       ORDER BY number, assigned_from`,
      [from, to],
    );
    return result.rows.map(({ from: since, to: until, ...r }) =>
      assignmentPeriod({ ...r, from: since.toISOString(), to: until ? until.toISOString() : null }),
    );
  }
}

function timeRange(range: { from: string; to: string }): { from: Date; to: Date } {
  const from = new Date(range.from);
  const to = new Date(range.to);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()))
    throw invalidSipInput(`not a time range: ${range.from} - ${range.to}`);
  return { from, to };
}

/** The accounting row's time: `time_unix` is exact; `time` is the SBC's local wall clock, read in its zone ($1). */
const ACC_AT = `COALESCE(to_timestamp(time_unix + COALESCE(time_usec, 0) / 1e6), time AT TIME ZONE $1)`;
