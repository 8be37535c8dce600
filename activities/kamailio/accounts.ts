/**
 * Registration-mode accounts on the SBC: digests in its `subscriber` table, which auth_db reads
 * on every request, and registrations dropped from usrloc when an account goes.
 */
import type pg from 'pg';
import { enterpriseIdSchema } from '../../domain/common';
import {
  accountNotFound,
  checkInstanceId,
  checkReference,
  invalidSipInput,
  nextGatewayUsername,
  type AccountRef,
  type AccountRequest,
  type SipAccount,
} from '../sip-gateway';
import { generateSipPassword, sipDigests } from '../sip-credentials';
import { RpcError, type KamailioRpc } from './rpc';

export class KamailioAccounts {
  constructor(
    private readonly pool: pg.Pool,
    private readonly rpc: KamailioRpc,
    private readonly sipDomain: string,
  ) {}

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
}

/** Kamailio reads these in queries of its own: plain ids and E.164 numbers only. */
export function checkOwner(input: { enterpriseId?: string; numbers?: string[] }): void {
  if (input.enterpriseId !== undefined && !enterpriseIdSchema.safeParse(input.enterpriseId).success)
    throw invalidSipInput(`not an enterprise id: ${input.enterpriseId}`);
  const bad = (input.numbers ?? []).filter((n) => !/^\+[1-9]\d{6,14}$/.test(n));
  if (bad.length) throw invalidSipInput(`not E.164 numbers: ${bad.join(', ')}`);
}
