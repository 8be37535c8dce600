/**
 * Blocked callees on the SBC: Kamailio reads the table on every outbound INVITE, and every
 * addition and removal is kept beside it with who, when and why.
 */
import type pg from 'pg';
import { mayUnblock, roleOf, type BlockedCallee, type BlockedCalleeChange } from '../../domain/calling-rules';
import { enterpriseIdSchema } from '../../domain/common';
import { invalidSipInput, type UnblockRequest } from '../sip-gateway';

interface BlockedCalleeRow {
  number: string;
  reason: string;
  added_by: string;
  added_at: Date;
}

function toBlocked(row: BlockedCalleeRow): BlockedCallee {
  return { number: row.number, reason: row.reason, addedBy: row.added_by, addedAt: row.added_at.toISOString() };
}

export class KamailioBlockedCallees {
  constructor(private readonly pool: pg.Pool) {}

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
}
