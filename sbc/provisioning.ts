/**
 * What the SBC's database must hold before Kamailio starts: the platform's own addresses
 * (allowlist group 2) and the carrier interconnects (their table and group-3 rows), exactly as
 * configured, each written in one transaction.
 */
import pg from 'pg';
import type { Carrier } from '../domain/carriers';

const PLATFORM_TAG = 'platform';
const PLATFORM_GROUP = 2;
/** Allowlist group of carrier interconnects (their rows are tagged `carrier:<name>`). */
export const CARRIER_GROUP = 3;

/** `fn` in one transaction on its own connection: all of it or none. */
async function inTransaction(databaseUrl: string, fn: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await fn(client);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

/** Group-2 rows tagged `platform` become exactly `addresses`. */
export function syncPlatformAddresses(databaseUrl: string, addresses: string[]): Promise<void> {
  return inTransaction(databaseUrl, async (client) => {
    await client.query('DELETE FROM address WHERE grp = $1 AND tag = $2 AND NOT (ip_addr = ANY($3))', [
      PLATFORM_GROUP,
      PLATFORM_TAG,
      addresses,
    ]);
    for (const ip of addresses) {
      await client.query(
        `INSERT INTO address (grp, ip_addr, mask, port, sip_port, transport, tag) VALUES ($1, $2, $3, 0, 0, 'udp', $4)
         ON CONFLICT (grp, ip_addr, sip_port, transport, tag) DO NOTHING`,
        [PLATFORM_GROUP, ip, ip.includes(':') ? 128 : 32, PLATFORM_TAG],
      );
    }
  });
}

/** The carrier table and its group-3 allowlist rows become exactly `carriers`. */
export function syncCarriers(databaseUrl: string, carriers: Carrier[]): Promise<void> {
  return inTransaction(databaseUrl, async (client) => {
    await client.query('DELETE FROM carrier WHERE NOT (name = ANY($1))', [carriers.map((c) => c.name)]);
    await client.query(`DELETE FROM address WHERE grp = $1`, [CARRIER_GROUP]);
    for (const c of carriers) {
      await client.query(
        `INSERT INTO carrier (name, ip_addr, port, transport, origins, prefixes) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (name) DO UPDATE SET ip_addr = EXCLUDED.ip_addr, port = EXCLUDED.port, transport = EXCLUDED.transport,
           origins = EXCLUDED.origins, prefixes = EXCLUDED.prefixes, updated_at = now()`,
        [c.name, c.ip, c.port, c.transport, c.origins, c.prefixes],
      );
      // A carrier is known by its address: it sends from whichever ports it likes (port 0 matches any).
      await client.query(
        `INSERT INTO address (grp, ip_addr, mask, port, sip_port, transport, tag) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (grp, ip_addr, sip_port, transport, tag) DO NOTHING`,
        [CARRIER_GROUP, c.ip, c.ip.includes(':') ? 128 : 32, 0, c.port, c.transport, `carrier:${c.name}`],
      );
    }
  });
}
