/**
 * Numbers on the SBC: their assignment to a contact-center instance and, in the same
 * transaction, the calling rules Kamailio enforces on calls out from them.
 */
import type pg from 'pg';
import { sbcCallingRules } from '../../domain/calling-rules';
import { enterpriseIdSchema } from '../../domain/common';
import { numberKey } from '../../domain/usage';
import {
  checkReference,
  invalidSipInput,
  numberTaken,
  type AssignedNumber,
  type NumberAssignment,
} from '../sip-gateway';

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

export class KamailioNumbers {
  constructor(private readonly pool: pg.Pool) {}

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

  async assignments(filter: { instanceId?: string; number?: string } = {}): Promise<AssignedNumber[]> {
    const result = await this.pool.query<AssignmentRow>(
      `SELECT * FROM assignment WHERE ($1::text IS NULL OR instance_id = $1) AND ($2::text IS NULL OR number = $2) ORDER BY assigned_at, number`,
      [filter.instanceId ?? null, filter.number ?? null],
    );
    return result.rows.map(toAssigned);
  }
}
