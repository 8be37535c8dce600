/**
 * Customers' gateways allowlisted on the SBC by address: rows in its `address` table, in force
 * once Kamailio has reloaded them into memory over JSON-RPC.
 */
import type pg from 'pg';
import {
  checkAllowable,
  checkGatewayAddress,
  type AllowlistEntry,
  type GatewayEntry,
  type SipTransport,
} from '../sip-gateway';
import { checkOwner } from './accounts';
import { RpcError, type KamailioRpc } from './rpc';

/** Allowlist group of customers' gateways in the SBC's `address` table (group 2 is the platform). */
export const GATEWAY_GROUP = 1;
const PLATFORM_GROUP = 2;

interface AddressRow {
  ip_addr: string;
  port: number;
  sip_port: number | null;
  transport: string;
  tag: string | null;
  created_at: Date;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class KamailioAllowlist {
  /** Reloads that met "ongoing reload" and were tried again (visible to tests and logs). */
  reloadRetries = 0;
  private reloadChain: Promise<void> = Promise.resolve();
  private queuedReload: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly rpc: KamailioRpc,
    private readonly reloadRetryMs: number,
    private readonly options: { forbiddenAddresses?: string[] },
  ) {}

  async allowGateway(input: GatewayEntry): Promise<AllowlistEntry> {
    checkGatewayAddress(input);
    checkOwner(input);
    // The platform's own group-2 rows count as provider addresses even if configuration missed one.
    const platform = await this.pool.query<{ ip_addr: string }>('SELECT ip_addr FROM address WHERE grp = $1', [
      PLATFORM_GROUP,
    ]);
    checkAllowable(input.ip, [...(this.options.forbiddenAddresses ?? []), ...platform.rows.map((r) => r.ip_addr)]);
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
}
