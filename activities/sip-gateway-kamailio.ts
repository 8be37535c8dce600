/**
 * The SIP gateway on the product's own SBC (Kamailio, `sbc/`): writes go to its PostgreSQL
 * tables (address, subscriber, assignment), the allowlist is reloaded over JSON-RPC, and calls
 * and registrations are read from `acc` and from usrloc (`ul.lookup`).
 */
import { ApplicationFailure } from '@temporalio/common';
import pg from 'pg';
import {
  mayUnblock,
  roleOf,
  sbcCallingRules,
  type BlockedCallee,
  type BlockedCalleeChange,
} from '../domain/calling-rules';
import { enterpriseIdSchema } from '../domain/common';
import { numberKey } from '../domain/usage';
import { checkAllowlistAddress } from '../domain/sip';
import {
  accountNotFound,
  checkGatewayAddress,
  checkInstanceId,
  checkReference,
  invalidSipInput,
  nextGatewayUsername,
  numberTaken,
  type AccountRef,
  type AllowlistEntry,
  type AccountRequest,
  type AssignedNumber,
  type AssignmentPeriod,
  type AnsweredCall,
  type GatewayEntry,
  type UnblockRequest,
  type CallRecord,
  type CallRecordFilter,
  type CompleteSipGateway,
  type NumberAssignment,
  type Registration,
  type SipAccount,
  type SipTransport,
} from './sip-gateway';
import { pooledFetch } from './http-client';
import { generateSipPassword, sipDigests } from './sip-credentials';

/** Allowlist group of customers' gateways in the SBC's `address` table (group 2 is the platform). */
export const GATEWAY_GROUP = 1;
const PLATFORM_GROUP = 2;

export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`${method}: ${message} (${code})`);
  }
}

/** Kamailio's JSON-RPC over HTTP (xhttp + jsonrpcs). */
export class KamailioRpc {
  private id = 0;

  constructor(
    readonly url: string,
    private readonly timeoutMs = 5_000,
  ) {}

  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    // Over the worker's kept-alive connections: a reload or a lookup does not open one of its own.
    const response = await pooledFetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method, params, id: ++this.id }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    let body: { result?: T; error?: { code: number; message: string } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new RpcError(method, response.status, `not JSON-RPC (HTTP ${response.status}): ${text.slice(0, 200)}`);
    }
    // A fault comes back as HTTP 500 with a JSON-RPC error.
    if (body.error) throw new RpcError(method, body.error.code, body.error.message);
    if (!response.ok) throw new RpcError(method, response.status, `HTTP ${response.status}`);
    return body.result as T;
  }
}

export interface KamailioSipGatewayOptions {
  pool: pg.Pool;
  rpcUrl: string;
  /** Realms are `<instanceId>.<sipDomain>`. */
  sipDomain: string;
  /** The zone of `acc.time` for rows without `time_unix` (the SBC's local time). */
  accTimeZone?: string;
  /** How long a reload may keep meeting "ongoing reload" before giving up (covers reload_delta). */
  reloadRetryMs?: number;
  /** Closes the pool on `close()` (when the gateway made it). */
  ownsPool?: boolean;
  /** The provider's own addresses (`providerAddresses`), never allowlisted as a gateway. */
  forbiddenAddresses?: string[];
}

interface AddressRow {
  ip_addr: string;
  port: number;
  sip_port: number | null;
  transport: string;
  tag: string | null;
  created_at: Date;
}

interface AssignmentRow {
  number: string;
  instance_id: string;
  ivr_flow_id: string | null;
  skill_group_id: string | null;
  caller_id_prefix: string | null;
  calling_rules: NumberAssignment['callingRules'] | null;
  enterprise_id: string | null;
  origin: NumberAssignment['origin'];
  supplier: string | null;
  carries_400: string | null;
  reference: string;
  assigned_at: Date;
}

function toAssigned(row: AssignmentRow): AssignedNumber {
  return {
    number: row.number,
    instanceId: row.instance_id,
    ...(row.ivr_flow_id !== null ? { ivrFlowId: row.ivr_flow_id } : {}),
    ...(row.skill_group_id !== null ? { skillGroupId: row.skill_group_id } : {}),
    ...(row.caller_id_prefix !== null ? { callerIdPrefix: row.caller_id_prefix } : {}),
    ...(row.calling_rules !== null ? { callingRules: row.calling_rules } : {}),
    ...(row.enterprise_id !== null ? { enterpriseId: row.enterprise_id } : {}),
    reference: row.reference,
    origin: row.origin,
    ...(row.supplier !== null ? { supplier: row.supplier } : {}),
    ...(row.carries_400 ? { carries400: row.carries_400 } : {}),
    assignedAt: row.assigned_at.toISOString(),
  };
}

interface BlockedCalleeRow {
  number: string;
  reason: string;
  added_by: string;
  added_at: Date;
}

function toBlocked(row: BlockedCalleeRow): BlockedCallee {
  return { number: row.number, reason: row.reason, addedBy: row.added_by, addedAt: row.added_at.toISOString() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class KamailioSipGateway implements CompleteSipGateway {
  readonly mode = 'kamailio';
  readonly observes = { calls: true, registrations: true };
  readonly rpc: KamailioRpc;
  /** Reloads that met "ongoing reload" and were tried again (visible to tests and logs). */
  reloadRetries = 0;
  private readonly pool: pg.Pool;
  private readonly sipDomain: string;
  private readonly accTimeZone: string;
  private readonly reloadRetryMs: number;
  private reloadChain: Promise<void> = Promise.resolve();
  private queuedReload: Promise<void> | undefined;

  constructor(private readonly options: KamailioSipGatewayOptions) {
    this.pool = options.pool;
    this.rpc = new KamailioRpc(options.rpcUrl);
    this.sipDomain = options.sipDomain.toLowerCase();
    this.accTimeZone = options.accTimeZone ?? 'UTC';
    this.reloadRetryMs = options.reloadRetryMs ?? 15_000;
  }

  async close(): Promise<void> {
    if (this.options.ownsPool) await this.pool.end();
  }

  // --- numbers -------------------------------------------------------------------------------

  async assignNumbers(a: NumberAssignment): Promise<AssignedNumber[]> {
    checkReference(a.reference);
    // Kamailio puts it in a query of its own (per-callee counts): a plain id only.
    if (a.enterpriseId !== undefined && !enterpriseIdSchema.safeParse(a.enterpriseId).success)
      throw invalidSipInput(`not an enterprise id: ${a.enterpriseId}`);
    if (a.supplier !== undefined && !/^[A-Z]$/.test(a.supplier)) throw invalidSipInput(`not a supplier: ${a.supplier}`);
    const rules = sbcCallingRules(a.origin, a.callingRules);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out: AssignedNumber[] = [];
      for (const number of a.numbers) {
        // Only the same case may overwrite its own assignment; another owner makes the update a no-op.
        const row = await client.query<AssignmentRow>(
          `INSERT INTO assignment (number, instance_id, ivr_flow_id, skill_group_id, caller_id_prefix, calling_rules, enterprise_id, reference, origin, supplier, carries_400)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (number) DO UPDATE SET instance_id = EXCLUDED.instance_id, ivr_flow_id = EXCLUDED.ivr_flow_id,
             skill_group_id = EXCLUDED.skill_group_id, caller_id_prefix = EXCLUDED.caller_id_prefix, calling_rules = EXCLUDED.calling_rules,
             enterprise_id = EXCLUDED.enterprise_id, origin = EXCLUDED.origin, supplier = EXCLUDED.supplier,
             carries_400 = EXCLUDED.carries_400
           WHERE assignment.reference = EXCLUDED.reference
           RETURNING *`,
          [
            number,
            a.instanceId,
            a.ivrFlowId ?? null,
            a.skillGroupId ?? null,
            a.callerIdPrefix ?? null,
            a.callingRules ? JSON.stringify(a.callingRules) : null,
            a.enterpriseId ?? null,
            a.reference,
            a.origin,
            a.supplier ?? null,
            a.carries400 ? numberKey(a.carries400) : null,
          ],
        );
        if (row.rows[0]) {
          // What Kamailio enforces on calls out from the number, in the same transaction.
          await client.query(
            `INSERT INTO calling_rule (number, enterprise_id, max_concurrent, per_callee_daily, count_on, hours_from, hours_to, reference, blind_regions, max_inbound)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (number) DO UPDATE SET enterprise_id = EXCLUDED.enterprise_id, max_concurrent = EXCLUDED.max_concurrent,
               per_callee_daily = EXCLUDED.per_callee_daily, count_on = EXCLUDED.count_on, hours_from = EXCLUDED.hours_from,
               hours_to = EXCLUDED.hours_to, reference = EXCLUDED.reference, blind_regions = EXCLUDED.blind_regions,
               max_inbound = EXCLUDED.max_inbound, updated_at = now()`,
            [
              number,
              a.enterpriseId ?? null,
              rules.maxConcurrentCalls,
              rules.perCalleeDailyLimit,
              rules.countOn,
              rules.hours?.fromMinute ?? null,
              rules.hours?.toMinute ?? null,
              a.reference,
              rules.blindRegions,
              rules.maxInbound,
            ],
          );
          out.push(toAssigned(row.rows[0]));
          continue;
        }
        const owner = await client.query<AssignmentRow>('SELECT * FROM assignment WHERE number = $1', [number]);
        await client.query('ROLLBACK');
        const o = owner.rows[0];
        throw numberTaken(number, o ? `instance ${o.instance_id}, case ${o.reference}` : 'by another case');
      }
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async unassignNumbers(input: { numbers: string[]; reference: string }): Promise<{ removed: string[] }> {
    // The rules go with the assignment: one statement, so neither outlives the other.
    const result = await this.pool.query<{ number: string }>(
      `WITH rules AS (DELETE FROM calling_rule WHERE number = ANY($1) AND reference = $2)
       DELETE FROM assignment WHERE number = ANY($1) AND reference = $2 RETURNING number`,
      [input.numbers, input.reference],
    );
    return { removed: input.numbers.filter((n) => result.rows.some((r) => r.number === n)) };
  }

  /** The rules the SBC enforces on calls from `number` now, or null (not a number with rules). */
  async callingRuleOf(number: string): Promise<Record<string, unknown> | null> {
    const row = await this.pool.query('SELECT * FROM calling_rule WHERE number = $1', [number]);
    return row.rows[0] ?? null;
  }

  // --- blocked callees -----------------------------------------------------------------------

  async blockedCallees(input: { enterpriseId: string }): Promise<BlockedCallee[]> {
    const rows = await this.pool.query<BlockedCalleeRow>(
      'SELECT * FROM blocked_callee WHERE enterprise_id = $1 ORDER BY added_at, number',
      [input.enterpriseId],
    );
    return rows.rows.map(toBlocked);
  }

  async blockCallee(
    input: { enterpriseId: string } & BlockedCallee,
  ): Promise<{ entry: BlockedCallee; created: boolean }> {
    if (!enterpriseIdSchema.safeParse(input.enterpriseId).success || !/^\+[1-9]\d{6,14}$/.test(input.number))
      throw invalidSipInput(`not an enterprise id and E.164 number: ${input.enterpriseId}, ${input.number}`);
    // Kamailio reads the table on every outbound INVITE: in force from the commit on. The change
    // is kept in the same statement.
    const inserted = await this.pool.query<BlockedCalleeRow>(
      `WITH added AS (
         INSERT INTO blocked_callee (enterprise_id, number, reason, added_by, added_at, added_by_role) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (enterprise_id, number) DO NOTHING RETURNING *
       ), kept AS (
         INSERT INTO blocked_callee_change (enterprise_id, number, change, reason, by_role, by_name, at)
         SELECT enterprise_id, number, 'added', reason, added_by_role, added_by, added_at FROM added
       )
       SELECT * FROM added`,
      [input.enterpriseId, input.number, input.reason, input.addedBy, input.addedAt, roleOf(input.addedBy)],
    );
    if (inserted.rows[0]) return { entry: toBlocked(inserted.rows[0]), created: true };
    const existing = await this.pool.query<BlockedCalleeRow>(
      'SELECT * FROM blocked_callee WHERE enterprise_id = $1 AND number = $2',
      [input.enterpriseId, input.number],
    );
    // Removed between the two statements: try again.
    if (!existing.rows[0]) return this.blockCallee(input);
    return { entry: toBlocked(existing.rows[0]), created: false };
  }

  async unblockCallee(input: UnblockRequest): Promise<{ removed: boolean; refused?: 'added-by-support' }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const row = await client.query<BlockedCalleeRow>(
        'SELECT * FROM blocked_callee WHERE enterprise_id = $1 AND number = $2 FOR UPDATE',
        [input.enterpriseId, input.number],
      );
      const entry = row.rows[0];
      if (!entry) {
        await client.query('COMMIT');
        return { removed: false };
      }
      if (!mayUnblock(entry.added_by, input.removedBy)) {
        await client.query('COMMIT');
        return { removed: false, refused: 'added-by-support' };
      }
      await client.query('DELETE FROM blocked_callee WHERE enterprise_id = $1 AND number = $2', [
        input.enterpriseId,
        input.number,
      ]);
      await client.query(
        `INSERT INTO blocked_callee_change (enterprise_id, number, change, reason, by_role, by_name) VALUES ($1, $2, 'removed', $3, $4, $5)`,
        [input.enterpriseId, input.number, input.reason ?? '', roleOf(input.removedBy), input.removedBy],
      );
      await client.query('COMMIT');
      return { removed: true };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async blockedCalleeChanges(input: { enterpriseId: string }): Promise<BlockedCalleeChange[]> {
    const rows = await this.pool.query<{ number: string; change: string; reason: string; by_name: string; at: Date }>(
      'SELECT number, change, reason, by_name, at FROM blocked_callee_change WHERE enterprise_id = $1 ORDER BY id',
      [input.enterpriseId],
    );
    return rows.rows.map((r) => ({
      number: r.number,
      change: r.change === 'removed' ? 'removed' : 'added',
      reason: r.reason,
      by: r.by_name,
      at: r.at.toISOString(),
    }));
  }

  async assignments(filter: { instanceId?: string; number?: string } = {}): Promise<AssignedNumber[]> {
    const result = await this.pool.query<AssignmentRow>(
      `SELECT * FROM assignment WHERE ($1::text IS NULL OR instance_id = $1) AND ($2::text IS NULL OR number = $2) ORDER BY assigned_at, number`,
      [filter.instanceId ?? null, filter.number ?? null],
    );
    return result.rows.map(toAssigned);
  }

  // --- allowlist -----------------------------------------------------------------------------

  async allowGateway(input: GatewayEntry): Promise<AllowlistEntry> {
    checkGatewayAddress(input);
    checkOwner(input);
    // The platform's own group-2 rows count as provider addresses even if configuration missed one.
    const platform = await this.pool.query<{ ip_addr: string }>('SELECT ip_addr FROM address WHERE grp = $1', [
      PLATFORM_GROUP,
    ]);
    const refusal = checkAllowlistAddress(input.ip, [
      ...(this.options.forbiddenAddresses ?? []),
      ...platform.rows.map((r) => r.ip_addr),
    ]);
    if (refusal)
      throw ApplicationFailure.create({
        type: 'GatewayAddressRefused',
        message: refusal.message,
        nonRetryable: true,
        details: [refusal],
      });
    const transport = input.transport ?? 'udp';
    const ip = input.ip.toLowerCase();
    // TCP connections come from ephemeral ports: only the address can be pinned (port 0 = any).
    const matchPort = transport === 'tcp' ? 0 : input.port;
    // Whose it is travels with the row: the instance and numbers it may dial.
    const inserted = await this.pool.query(
      `INSERT INTO address (grp, ip_addr, mask, port, sip_port, transport, tag, instance_id, enterprise_id, numbers)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (grp, ip_addr, sip_port, transport, tag) DO UPDATE SET instance_id = EXCLUDED.instance_id,
         enterprise_id = EXCLUDED.enterprise_id, numbers = EXCLUDED.numbers
       RETURNING (xmax = 0) AS inserted`,
      [
        GATEWAY_GROUP,
        ip,
        ip.includes(':') ? 128 : 32,
        matchPort,
        input.port,
        transport,
        input.reference,
        input.instanceId ?? null,
        input.enterpriseId ?? null,
        input.numbers ?? [],
      ],
    );
    // A row that was there may still miss its reload (an earlier attempt stopped before it).
    if (inserted.rows[0]?.inserted || !(await this.loadedAddresses()).has(`${ip}|${matchPort}|${input.reference}`))
      await this.reloadAddresses();
    const mine = (await this.allowlist({ reference: input.reference, ip })).find(
      (e) => e.port === input.port && e.transport === transport,
    );
    // Removed meanwhile by the same case: report what this call did.
    return mine ?? { ip, port: input.port, transport, reference: input.reference, state: 'live' };
  }

  async disallowGateway(input: {
    ip: string;
    port: number;
    reference: string;
  }): Promise<{ removed: number; state: 'live' }> {
    checkGatewayAddress(input);
    const ip = input.ip.toLowerCase();
    const result = await this.pool.query(
      'DELETE FROM address WHERE grp = $1 AND ip_addr = $2 AND sip_port = $3 AND tag = $4',
      [GATEWAY_GROUP, ip, input.port, input.reference],
    );
    const stillLoaded = [...(await this.loadedAddresses())].some(
      (k) => k.startsWith(`${ip}|`) && k.endsWith(`|${input.reference}`),
    );
    if (result.rowCount || stillLoaded) await this.reloadAddresses();
    return { removed: result.rowCount ?? 0, state: 'live' };
  }

  /** Rows in the database, each marked live only if the SBC's memory has it (addressDump). */
  async allowlist(filter: { reference?: string; ip?: string } = {}): Promise<AllowlistEntry[]> {
    const rows = await this.pool.query<AddressRow>(
      `SELECT ip_addr, port, sip_port, transport, tag, created_at FROM address
       WHERE grp = $1 AND ($2::text IS NULL OR tag = $2) AND ($3::text IS NULL OR ip_addr = $3) ORDER BY id`,
      [GATEWAY_GROUP, filter.reference ?? null, filter.ip?.toLowerCase() ?? null],
    );
    const loaded = await this.loadedAddresses();
    return rows.rows.map((r) => ({
      ip: r.ip_addr,
      port: r.sip_port ?? r.port,
      transport: (r.transport === 'tcp' ? 'tcp' : 'udp') as SipTransport,
      reference: r.tag ?? '',
      state: loaded.has(`${r.ip_addr}|${r.port}|${r.tag ?? ''}`) ? ('live' as const) : ('pending-reload' as const),
      since: r.created_at.toISOString(),
    }));
  }

  /** Group-1 entries the SBC has loaded, as `ip|port|tag`. */
  private async loadedAddresses(): Promise<Set<string>> {
    // [{ table, group, item: { ip, port, tag } }, ...], one element per entry.
    const dump = await this.rpc.call<unknown>('permissions.addressDump');
    const out = new Set<string>();
    for (const element of Array.isArray(dump) ? (dump as Record<string, unknown>[]) : []) {
      const item = (element.item ?? element) as Record<string, unknown>;
      if (Number(element.group) !== GATEWAY_GROUP || typeof item.ip !== 'string') continue;
      out.add(`${item.ip.toLowerCase()}|${Number(item.port ?? 0)}|${typeof item.tag === 'string' ? item.tag : ''}`);
    }
    return out;
  }

  /**
   * Reloads the SBC's allowlist from the database. One chain per gateway: calls made while a
   * reload waits its turn share it. A reload inside the SBC's reload_delta fails with "ongoing
   * reload" (also when another process reloaded): wait and try again.
   */
  reloadAddresses(): Promise<void> {
    if (this.queuedReload) return this.queuedReload;
    const run = this.reloadChain.then(async () => {
      this.queuedReload = undefined;
      const deadline = Date.now() + this.reloadRetryMs;
      for (let delay = 200; ; delay = Math.min(delay * 2, 1_000)) {
        try {
          await this.rpc.call('permissions.addressReload');
          return;
        } catch (err) {
          if (!(err instanceof RpcError && /ongoing reload/i.test(err.message)) || Date.now() + delay > deadline)
            throw err;
          this.reloadRetries++;
          await sleep(delay);
        }
      }
    });
    this.queuedReload = run;
    this.reloadChain = run.catch(() => undefined);
    return run;
  }

  // --- accounts ------------------------------------------------------------------------------

  realmOf(instanceId: string): string {
    return `${instanceId.toLowerCase()}.${this.sipDomain}`;
  }

  async createAccount(input: AccountRequest): Promise<SipAccount> {
    checkInstanceId(input.instanceId);
    checkReference(input.reference);
    checkOwner(input);
    const realm = this.realmOf(input.instanceId);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // One numbering per instance at a time.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`subscriber:${realm}`]);
      const mine = await client.query<{ username: string }>(
        'SELECT username FROM subscriber WHERE domain = $1 AND reference = $2',
        [realm, input.reference],
      );
      const password = generateSipPassword();
      let username = mine.rows[0]?.username;
      if (username) {
        // A replay: the first password never reached anyone we can tell, so issue a new one.
        const d = sipDigests(username, realm, password);
        await client.query(
          'UPDATE subscriber SET ha1 = $1, ha1b = $2, rotated_at = now(), numbers = $5, enterprise_id = $6 WHERE domain = $3 AND username = $4',
          [d.ha1, d.ha1b, realm, username, input.numbers ?? [], input.enterpriseId ?? null],
        );
      } else {
        const existing = await client.query<{ username: string }>('SELECT username FROM subscriber WHERE domain = $1', [
          realm,
        ]);
        username = nextGatewayUsername(existing.rows.map((r) => r.username));
        const d = sipDigests(username, realm, password);
        await client.query(
          `INSERT INTO subscriber (username, domain, password, ha1, ha1b, instance_id, reference, numbers, enterprise_id)
           VALUES ($1, $2, '', $3, $4, $5, $6, $7, $8)`,
          [
            username,
            realm,
            d.ha1,
            d.ha1b,
            input.instanceId,
            input.reference,
            input.numbers ?? [],
            input.enterpriseId ?? null,
          ],
        );
      }
      await client.query('COMMIT');
      // auth_db reads the table on every request: the account works from now on.
      return { username, realm, password, state: 'live' };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async rotateAccount(ref: AccountRef): Promise<SipAccount> {
    const password = generateSipPassword();
    const d = sipDigests(ref.username, ref.realm, password);
    const result = await this.pool.query(
      'UPDATE subscriber SET ha1 = $1, ha1b = $2, rotated_at = now() WHERE username = $3 AND domain = $4',
      [d.ha1, d.ha1b, ref.username, ref.realm],
    );
    if (!result.rowCount) throw accountNotFound(ref);
    return { username: ref.username, realm: ref.realm, password, state: 'live' };
  }

  async deleteAccount(ref: AccountRef): Promise<{ deleted: boolean; state: 'live' }> {
    const result = await this.pool.query('DELETE FROM subscriber WHERE username = $1 AND domain = $2', [
      ref.username,
      ref.realm,
    ]);
    // Its registration would otherwise stay reachable until it expires.
    try {
      await this.rpc.call('ul.rm', ['location', `${ref.username}@${ref.realm}`]);
    } catch (err) {
      if (!(err instanceof RpcError && /not found/i.test(err.message))) throw err;
    }
    return { deleted: (result.rowCount ?? 0) > 0, state: 'live' };
  }

  async deleteAccountsOf(input: { reference: string }): Promise<{ deleted: AccountRef[]; state: 'live' }> {
    checkReference(input.reference);
    const rows = await this.pool.query<{ username: string; domain: string }>(
      'SELECT username, domain FROM subscriber WHERE reference = $1',
      [input.reference],
    );
    const deleted: AccountRef[] = [];
    for (const row of rows.rows) {
      const ref = { username: row.username, realm: row.domain };
      if ((await this.deleteAccount(ref)).deleted) deleted.push(ref);
    }
    return { deleted, state: 'live' };
  }

  // --- observation ---------------------------------------------------------------------------

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
    const result = await this.pool.query<{
      number: string;
      instance_id: string;
      enterprise_id: string | null;
      origin: AssignmentPeriod['origin'];
      supplier: string | null;
      reference: string;
      assigned_from: Date;
      assigned_to: Date | null;
    }>(
      `SELECT * FROM assignment_history WHERE assigned_from < $2 AND (assigned_to IS NULL OR assigned_to > $1)
       ORDER BY number, assigned_from`,
      [from, to],
    );
    return result.rows.map((r) => ({
      number: r.number,
      instanceId: r.instance_id,
      ...(r.enterprise_id ? { enterpriseId: r.enterprise_id } : {}),
      origin: r.origin,
      ...(r.supplier ? { supplier: r.supplier } : {}),
      reference: r.reference,
      from: r.assigned_from.toISOString(),
      to: r.assigned_to ? r.assigned_to.toISOString() : null,
    }));
  }
}

function timeRange(range: { from: string; to: string }): { from: Date; to: Date } {
  const from = new Date(range.from);
  const to = new Date(range.to);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()))
    throw invalidSipInput(`not a time range: ${range.from} - ${range.to}`);
  return { from, to };
}

/** Kamailio reads these in queries of its own: plain ids and E.164 numbers only. */
function checkOwner(input: { enterpriseId?: string; numbers?: string[] }): void {
  if (input.enterpriseId !== undefined && !enterpriseIdSchema.safeParse(input.enterpriseId).success)
    throw invalidSipInput(`not an enterprise id: ${input.enterpriseId}`);
  const bad = (input.numbers ?? []).filter((n) => !/^\+[1-9]\d{6,14}$/.test(n));
  if (bad.length) throw invalidSipInput(`not E.164 numbers: ${bad.join(', ')}`);
}

/** The accounting row's time: `time_unix` is exact; `time` is the SBC's local wall clock, read in its zone ($1). */
const ACC_AT = `COALESCE(to_timestamp(time_unix + COALESCE(time_usec, 0) / 1e6), time AT TIME ZONE $1)`;

/** The gateway with a pool of its own, from connection settings. */
export function kamailioGateway(settings: {
  databaseUrl: string;
  rpcUrl: string;
  sipDomain: string;
  accTimeZone?: string;
  forbiddenAddresses?: string[];
}): KamailioSipGateway {
  const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: 4, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection must not take the worker down; the next query reconnects.
  pool.on('error', () => undefined);
  return new KamailioSipGateway({
    pool,
    rpcUrl: settings.rpcUrl,
    sipDomain: settings.sipDomain,
    accTimeZone: settings.accTimeZone,
    forbiddenAddresses: settings.forbiddenAddresses,
    ownsPool: true,
  });
}
