/**
 * The SBC's decisions as SQL, in the database Kamailio and the product share (a second SBC on
 * the same database decides alike): numbers in E.164, who owns a number and where it came from,
 * which source may dial which number, which route a call out takes and which rules it meets, the
 * atomic per-callee count, the calls as the dialogs saw them, and the history of assignments that
 * usage billing reads. Each statement is safe to run again.
 */

/** A mainland national significant number: mobile, Beijing, other fixed lines, 400/800. */
const MAINLAND_NSN = `(1[3-9][0-9]{9}|10[0-9]{8}|[2-9][0-9]{8,10})`;

/** Every VARCHAR column of `tables` becomes TEXT (idempotent): no length a caller writes makes an INSERT fail. */
export function unboundedText(tables: string[]): string {
  return `DO $$ DECLARE c record; BEGIN
     FOR c IN SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name IN (${tables.map((t) => `'${t}'`).join(', ')}) AND data_type = 'character varying'
     LOOP
       EXECUTE format('ALTER TABLE %I ALTER COLUMN %I TYPE TEXT', c.table_name, c.column_name);
     END LOOP;
   END $$`;
}

export const OWNERSHIP = [
  // One normaliser for every number the SBC reads: separators go, then only what is a number in
  // E.164 is one (a prefix such as an outside line's 9, an escape, a parameter: NULL, refused).
  `CREATE OR REPLACE FUNCTION sbc_e164(raw TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
     SELECT CASE
       WHEN d ~ '^\\+86' THEN CASE WHEN substr(d, 4) ~ '^${MAINLAND_NSN}$' THEN d END
       WHEN d ~ '^\\+[1-9][0-9]{6,14}$' THEN d
       WHEN d ~ '^0086' THEN CASE WHEN substr(d, 5) ~ '^${MAINLAND_NSN}$' THEN '+' || substr(d, 3) END
       WHEN d ~ '^00[1-9][0-9]{6,14}$' THEN '+' || substr(d, 3)
       WHEN d ~ '^86${MAINLAND_NSN}$' THEN '+' || d
       WHEN d ~ '^0(10[0-9]{8}|[2-9][0-9]{8,10})$' THEN '+86' || substr(d, 2)
       WHEN d ~ '^(1[3-9][0-9]{9}|[48]00[0-9]{7})$' THEN '+86' || d
       ELSE NULL END
     FROM (SELECT regexp_replace(raw, '[-. ()]', '', 'g') AS d) s
   $$`,
  // What Kamailio passes as hex (user input never reaches SQL as text).
  `CREATE OR REPLACE FUNCTION sbc_hex(h TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
     SELECT CASE WHEN h ~ '^([0-9a-fA-F]{2})*$' THEN convert_from(decode(h, 'hex'), 'LATIN1') END
   $$`,

  // Accounting never fails on what a caller wrote: every text column unbounded.
  unboundedText(['acc', 'missed_calls']),
  // The enterprise's number a call is on, whose it is and which way it went.
  `ALTER TABLE acc
     ADD COLUMN IF NOT EXISTS number TEXT DEFAULT '' NOT NULL,
     ADD COLUMN IF NOT EXISTS enterprise_id TEXT DEFAULT '' NOT NULL,
     ADD COLUMN IF NOT EXISTS direction TEXT DEFAULT '' NOT NULL`,
  `ALTER TABLE missed_calls
     ADD COLUMN IF NOT EXISTS number TEXT DEFAULT '' NOT NULL,
     ADD COLUMN IF NOT EXISTS enterprise_id TEXT DEFAULT '' NOT NULL,
     ADD COLUMN IF NOT EXISTS direction TEXT DEFAULT '' NOT NULL`,

  // Where each number comes from: it decides its route, its rules and how it is billed.
  `ALTER TABLE assignment
     ADD COLUMN IF NOT EXISTS origin VARCHAR(24),
     ADD COLUMN IF NOT EXISTS supplier VARCHAR(8)`,
  // Rows from before origins were kept: the kind of the case that assigned them says.
  `UPDATE assignment SET origin = CASE
       WHEN reference LIKE 'sip-trunk-%' THEN 'own-trunk'
       WHEN reference LIKE 'sip-registration-%' THEN 'own-registration'
       WHEN reference LIKE 'third-party-line-%' THEN 'supplier'
       WHEN reference LIKE 'own-400-landing-%' THEN 'own-400'
       ELSE 'purchased' END
   WHERE origin IS NULL`,
  `ALTER TABLE assignment ALTER COLUMN origin SET DEFAULT 'purchased', ALTER COLUMN origin SET NOT NULL`,
  // The own 400 number a fixed line carries (the 400 operator lands its calls there).
  `ALTER TABLE assignment ADD COLUMN IF NOT EXISTS carries_400 VARCHAR(32)`,

  // Every assignment with its from/to: a number released mid-month is still billed for it.
  `CREATE TABLE IF NOT EXISTS assignment_history (
     id BIGSERIAL PRIMARY KEY,
     number VARCHAR(32) NOT NULL,
     instance_id VARCHAR(64) NOT NULL,
     enterprise_id VARCHAR(64),
     origin VARCHAR(24) NOT NULL,
     supplier VARCHAR(8),
     reference VARCHAR(255) NOT NULL,
     assigned_from TIMESTAMPTZ NOT NULL,
     assigned_to TIMESTAMPTZ
   )`,
  `CREATE INDEX IF NOT EXISTS assignment_history_number_idx ON assignment_history (number, assigned_from)`,
  `CREATE INDEX IF NOT EXISTS assignment_history_enterprise_idx ON assignment_history (enterprise_id)`,
  `INSERT INTO assignment_history (number, instance_id, enterprise_id, origin, supplier, reference, assigned_from)
   SELECT a.number, a.instance_id, a.enterprise_id, a.origin, a.supplier, a.reference, a.assigned_at FROM assignment a
   WHERE NOT EXISTS (SELECT 1 FROM assignment_history h WHERE h.number = a.number AND h.assigned_to IS NULL)`,
  // Kept by the database itself, in the transaction that changes the assignment.
  `CREATE OR REPLACE FUNCTION sbc_assignment_history() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'UPDATE' AND (OLD.instance_id, OLD.enterprise_id, OLD.origin, OLD.supplier, OLD.reference)
          IS NOT DISTINCT FROM (NEW.instance_id, NEW.enterprise_id, NEW.origin, NEW.supplier, NEW.reference) THEN
       RETURN NEW;
     END IF;
     IF TG_OP IN ('UPDATE', 'DELETE') THEN
       UPDATE assignment_history SET assigned_to = now() WHERE number = OLD.number AND assigned_to IS NULL;
     END IF;
     IF TG_OP IN ('INSERT', 'UPDATE') THEN
       INSERT INTO assignment_history (number, instance_id, enterprise_id, origin, supplier, reference, assigned_from)
       VALUES (NEW.number, NEW.instance_id, NEW.enterprise_id, NEW.origin, NEW.supplier, NEW.reference, now());
     END IF;
     RETURN NULL;
   END $$`,
  `DROP TRIGGER IF EXISTS assignment_history_trigger ON assignment`,
  `CREATE TRIGGER assignment_history_trigger AFTER INSERT OR UPDATE OR DELETE ON assignment
   FOR EACH ROW EXECUTE FUNCTION sbc_assignment_history()`,

  // Whose a source is: an allowlisted gateway or an account belongs to a case (its numbers, also
  // before they are assigned, for the test calls) and to the case's instance.
  `ALTER TABLE address
     ADD COLUMN IF NOT EXISTS instance_id VARCHAR(64),
     ADD COLUMN IF NOT EXISTS enterprise_id VARCHAR(64),
     ADD COLUMN IF NOT EXISTS numbers TEXT[] DEFAULT '{}' NOT NULL`,
  `ALTER TABLE subscriber
     ADD COLUMN IF NOT EXISTS enterprise_id VARCHAR(64),
     ADD COLUMN IF NOT EXISTS numbers TEXT[] DEFAULT '{}' NOT NULL`,
  // Rows from before: the numbers their case assigned.
  `UPDATE address x SET instance_id = s.instance_id, enterprise_id = s.enterprise_id, numbers = s.numbers
   FROM (SELECT reference, min(instance_id) AS instance_id, min(enterprise_id) AS enterprise_id, array_agg(number) AS numbers
         FROM assignment GROUP BY reference) s
   WHERE x.grp = 1 AND x.tag = s.reference AND x.instance_id IS NULL`,
  `UPDATE subscriber x SET enterprise_id = s.enterprise_id, numbers = s.numbers
   FROM (SELECT reference, min(enterprise_id) AS enterprise_id, array_agg(number) AS numbers FROM assignment GROUP BY reference) s
   WHERE x.reference = s.reference AND cardinality(x.numbers) = 0`,

  // Blocked callees: who added each (what support adds only support removes), and every change.
  `ALTER TABLE blocked_callee ADD COLUMN IF NOT EXISTS added_by_role VARCHAR(16) DEFAULT 'enterprise' NOT NULL`,
  `UPDATE blocked_callee SET added_by_role = split_part(added_by, ':', 1)
   WHERE added_by_role = 'enterprise' AND split_part(added_by, ':', 1) IN ('support', 'admin')`,
  `CREATE TABLE IF NOT EXISTS blocked_callee_change (
     id BIGSERIAL PRIMARY KEY,
     enterprise_id VARCHAR(64) NOT NULL,
     number VARCHAR(32) NOT NULL,
     change VARCHAR(8) NOT NULL,
     reason VARCHAR(500) NOT NULL,
     by_role VARCHAR(16) NOT NULL,
     by_name VARCHAR(200) NOT NULL,
     at TIMESTAMPTZ DEFAULT now() NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS blocked_callee_change_idx ON blocked_callee_change (enterprise_id, id)`,

  // Carrier interconnects: who delivers and carries which origins and ranges (E.164 prefixes).
  `CREATE TABLE IF NOT EXISTS carrier (
     name VARCHAR(64) PRIMARY KEY,
     ip_addr VARCHAR(50) NOT NULL,
     port INTEGER NOT NULL,
     transport VARCHAR(4) NOT NULL,
     origins TEXT[] NOT NULL,
     prefixes TEXT[] NOT NULL,
     updated_at TIMESTAMPTZ DEFAULT now() NOT NULL
   )`,

  // Outbound rules by origin: blind areas of the callee, inbound capacity per number.
  `ALTER TABLE calling_rule
     ADD COLUMN IF NOT EXISTS blind_regions TEXT[] DEFAULT '{}' NOT NULL,
     ADD COLUMN IF NOT EXISTS max_inbound INTEGER DEFAULT 30 NOT NULL,
     ALTER COLUMN per_callee_daily DROP NOT NULL`,

  // The callee's region from libphonenumber's geocoding data (loaded by sbc/regions.ts).
  `CREATE TABLE IF NOT EXISTS number_region (
     prefix VARCHAR(16) PRIMARY KEY,
     region TEXT NOT NULL,
     province VARCHAR(16) NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS sbc_meta (key VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE OR REPLACE FUNCTION sbc_province(e164 TEXT) RETURNS TEXT LANGUAGE sql STABLE AS $$
     SELECT r.province FROM number_region r
     WHERE e164 LIKE '+86%' AND r.prefix IN (
       substr(e164, 4, 7), substr(e164, 4, 6), substr(e164, 4, 5), substr(e164, 4, 4), substr(e164, 4, 3), substr(e164, 4, 2))
     ORDER BY length(r.prefix) DESC LIMIT 1
   $$`,

  // Per-callee counts: one claim per call, taken atomically at admission (under a lock per callee,
  // so simultaneous calls admit exactly the limit), counted once it rings or is answered, dropped if
  // it fails first; a claim neither counted nor dropped lapses after three minutes.
  `CREATE TABLE IF NOT EXISTS callee_claim (
     callid TEXT PRIMARY KEY,
     scope VARCHAR(64) NOT NULL,
     callee VARCHAR(32) NOT NULL,
     day CHAR(8) NOT NULL,
     counted BOOLEAN DEFAULT false NOT NULL,
     claimed_at TIMESTAMPTZ DEFAULT now() NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS callee_claim_idx ON callee_claim (scope, callee, day)`,
  `DO $$ BEGIN
     IF EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'callee_count' AND schemaname = current_schema()) THEN
       INSERT INTO callee_claim (callid, scope, callee, day, counted)
       SELECT 'before-claims:' || scope || ':' || callee || ':' || day || ':' || g, scope, callee, day, true
       FROM callee_count, generate_series(1, calls) g ON CONFLICT DO NOTHING;
       DROP TABLE callee_count;
     END IF;
   END $$`,
  `DROP FUNCTION IF EXISTS sbc_count_call(TEXT, TEXT, TEXT)`,
  `CREATE OR REPLACE VIEW callee_count AS
     SELECT scope, callee, day, count(*)::int AS calls FROM callee_claim WHERE counted GROUP BY scope, callee, day`,
  `CREATE OR REPLACE FUNCTION sbc_claim_callee(p_callid TEXT, p_scope TEXT, p_callee TEXT, p_day TEXT, p_limit INTEGER)
   RETURNS INTEGER LANGUAGE plpgsql AS $$
   DECLARE n INTEGER;
   BEGIN
     PERFORM pg_advisory_xact_lock(hashtext('callee|' || p_scope || '|' || p_callee || '|' || p_day));
     IF EXISTS (SELECT 1 FROM callee_claim WHERE callid = p_callid) THEN RETURN 1; END IF;
     SELECT count(*) INTO n FROM callee_claim
     WHERE scope = p_scope AND callee = p_callee AND day = p_day AND (counted OR claimed_at > now() - interval '3 minutes');
     IF n >= p_limit THEN RETURN 0; END IF;
     INSERT INTO callee_claim (callid, scope, callee, day) VALUES (p_callid, p_scope, p_callee, p_day);
     IF random() < 0.01 THEN
       DELETE FROM callee_claim WHERE day < to_char(to_date(p_day, 'YYYYMMDD') - 1, 'YYYYMMDD');
     END IF;
     RETURN 1;
   END $$`,
  `CREATE OR REPLACE FUNCTION sbc_count_claim(p_callid TEXT) RETURNS INTEGER LANGUAGE sql AS $$
     UPDATE callee_claim SET counted = true WHERE callid = p_callid AND NOT counted RETURNING 1
   $$`,
  `CREATE OR REPLACE FUNCTION sbc_drop_claim(p_callid TEXT) RETURNS INTEGER LANGUAGE sql AS $$
     DELETE FROM callee_claim WHERE callid = p_callid AND NOT counted RETURNING 1
   $$`,

  // Calls as their dialogs saw them: answered (the dialog confirmed) and ended (a BYE from a party,
  // a failed keep-alive, the dialog's lifetime). Refused requests and forged BYEs end nothing.
  `CREATE TABLE IF NOT EXISTS sbc_call (
     callid TEXT PRIMARY KEY,
     direction VARCHAR(8) NOT NULL,
     number VARCHAR(32) NOT NULL,
     enterprise_id VARCHAR(64),
     instance_id VARCHAR(64),
     caller TEXT NOT NULL,
     callee TEXT NOT NULL,
     answered_at TIMESTAMPTZ NOT NULL,
     ended_at TIMESTAMPTZ,
     end_reason VARCHAR(32)
   )`,
  `CREATE INDEX IF NOT EXISTS sbc_call_answered_idx ON sbc_call (answered_at)`,
  `CREATE OR REPLACE FUNCTION sbc_call_answered(p_callid TEXT, p_direction TEXT, p_number TEXT, p_enterprise TEXT,
     p_instance TEXT, p_caller TEXT, p_callee TEXT) RETURNS INTEGER LANGUAGE sql AS $$
     INSERT INTO sbc_call (callid, direction, number, enterprise_id, instance_id, caller, callee, answered_at)
     VALUES (p_callid, p_direction, p_number, NULLIF(p_enterprise, ''), NULLIF(p_instance, ''), p_caller, p_callee, now())
     ON CONFLICT (callid) DO NOTHING RETURNING 1
   $$`,
  `CREATE OR REPLACE FUNCTION sbc_call_ended(p_callid TEXT, p_reason TEXT) RETURNS INTEGER LANGUAGE sql AS $$
     UPDATE sbc_call SET ended_at = now(), end_reason = p_reason WHERE callid = p_callid AND ended_at IS NULL RETURNING 1
   $$`,

  // Calls in: the dialled number must be the source's, by the case or instance it belongs to (a
  // gateway or account), or held by us in an origin and range the carrier carries.
  `CREATE OR REPLACE FUNCTION sbc_inbound_check(src_kind TEXT, src_ip TEXT, src_port INTEGER, account TEXT, realm TEXT, callee_raw TEXT)
   RETURNS TABLE (verdict TEXT, number TEXT, instance_id TEXT, enterprise_id TEXT, origin TEXT,
                  source_key TEXT, source_max INTEGER, number_max INTEGER)
   LANGUAGE plpgsql STABLE AS $$
   DECLARE
     n TEXT := sbc_e164(callee_raw);
     a assignment%ROWTYPE;
     per_number INTEGER;
   BEGIN
     IF n IS NULL THEN
       RETURN QUERY SELECT 'not-your-number'::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, 0, 0;
       RETURN;
     END IF;
     SELECT * INTO a FROM assignment s WHERE s.number = n;
     per_number := COALESCE((SELECT r.max_inbound FROM calling_rule r WHERE r.number = n), 30);
     IF src_kind = 'carrier' THEN
       RETURN QUERY
         SELECT 'ok'::text, n, a.instance_id::text, a.enterprise_id::text, a.origin::text, ('carrier:' || c.name)::text, 100000, per_number
         FROM carrier c
         WHERE a.number IS NOT NULL AND c.ip_addr = src_ip
           AND (a.origin = ANY (c.origins) OR ('supplier:' || a.supplier) = ANY (c.origins))
           AND EXISTS (SELECT 1 FROM unnest(c.prefixes) p WHERE n LIKE p || '%')
         LIMIT 1;
     ELSIF src_kind = 'gateway' THEN
       RETURN QUERY
         SELECT 'ok'::text, n, x.instance_id::text, x.enterprise_id::text, COALESCE(a.origin, 'own-trunk')::text,
                ('gateway:' || x.tag)::text, greatest(cardinality(x.numbers), 1) * 30, per_number
         FROM address x
         WHERE x.grp = 1 AND x.ip_addr = src_ip AND (x.port = 0 OR x.port = src_port)
           AND (n = ANY (x.numbers) OR (a.number IS NOT NULL AND a.instance_id = x.instance_id))
         ORDER BY (n = ANY (x.numbers)) DESC, x.id
         LIMIT 1;
     ELSIF src_kind = 'account' THEN
       RETURN QUERY
         SELECT 'ok'::text, n, x.instance_id::text, x.enterprise_id::text, COALESCE(a.origin, 'own-registration')::text,
                ('account:' || x.username || '@' || x.domain)::text, greatest(cardinality(x.numbers), 1) * 30, per_number
         FROM subscriber x
         WHERE x.username = account AND x.domain = realm
           AND (n = ANY (x.numbers) OR (a.number IS NOT NULL AND a.instance_id = x.instance_id))
         LIMIT 1;
     END IF;
     IF NOT FOUND THEN
       RETURN QUERY SELECT 'not-your-number'::text, n, NULL::text, NULL::text, NULL::text, NULL::text, 0, 0;
     END IF;
   END $$`,

  // Calls out: the platform names the instance; the caller must be its number (assigned, or
  // brought in by one of its cases under test) and the callee a number. The route follows the
  // caller's origin; the rules are the caller's, judged now (China time plus the clock offset).
  `CREATE OR REPLACE FUNCTION sbc_outbound_route(p_instance TEXT, caller_raw TEXT, callee_raw TEXT, clock_offset INTEGER)
   RETURNS TABLE (verdict TEXT, caller TEXT, callee TEXT, origin TEXT, enterprise_id TEXT, route_kind TEXT, route_target TEXT,
                  scope TEXT, max_concurrent INTEGER, per_callee_daily INTEGER, count_on TEXT, in_hours INTEGER,
                  blocked INTEGER, blind INTEGER, day TEXT)
   LANGUAGE plpgsql STABLE AS $$
   DECLARE
     c TEXT := sbc_e164(caller_raw);
     d TEXT := sbc_e164(callee_raw);
     v_origin TEXT; v_supplier TEXT; v_reference TEXT; v_enterprise TEXT;
     v_kind TEXT; v_target TEXT;
     r calling_rule%ROWTYPE;
     t TIMESTAMP := (now() + make_interval(secs => clock_offset)) AT TIME ZONE 'Asia/Shanghai';
     m INTEGER;
   BEGIN
     m := (extract(hour FROM t) * 60 + extract(minute FROM t))::int;
     IF p_instance IS NULL OR p_instance = '' THEN
       RETURN QUERY SELECT 'no-instance'::text, c, d, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, 0, 0, NULL::text, 0, 0, 0, NULL::text;
       RETURN;
     END IF;
     SELECT s.origin, s.supplier, s.reference, s.enterprise_id INTO v_origin, v_supplier, v_reference, v_enterprise
     FROM assignment s WHERE s.number = c AND s.instance_id = p_instance;
     IF NOT FOUND AND c IS NOT NULL THEN
       -- A case's own numbers under test, before they are assigned.
       SELECT 'own-trunk', x.tag, x.enterprise_id INTO v_origin, v_reference, v_enterprise
       FROM address x WHERE x.grp = 1 AND x.instance_id = p_instance AND c = ANY (x.numbers) ORDER BY x.id LIMIT 1;
       IF NOT FOUND THEN
         SELECT 'own-registration', x.reference, x.enterprise_id INTO v_origin, v_reference, v_enterprise
         FROM subscriber x WHERE x.instance_id = p_instance AND c = ANY (x.numbers) LIMIT 1;
       END IF;
     END IF;
     IF c IS NULL OR v_origin IS NULL THEN
       RETURN QUERY SELECT 'caller-not-instance'::text, c, d, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, 0, 0, NULL::text, 0, 0, 0, NULL::text;
       RETURN;
     END IF;
     IF d IS NULL THEN
       RETURN QUERY SELECT 'callee-not-e164'::text, c, d, v_origin, v_enterprise::text, NULL::text, NULL::text, NULL::text, 0, 0, NULL::text, 0, 0, 0, NULL::text;
       RETURN;
     END IF;
     IF v_origin = 'own-trunk' THEN
       SELECT 'gateway', 'sip:' || x.ip_addr || ':' || COALESCE(x.sip_port, x.port) || ';transport=' || x.transport INTO v_kind, v_target
       FROM address x WHERE x.grp = 1 AND x.tag = v_reference ORDER BY x.id LIMIT 1;
     ELSIF v_origin = 'own-registration' THEN
       SELECT 'account', 'sip:' || x.username || '@' || x.domain INTO v_kind, v_target
       FROM subscriber x WHERE x.reference = v_reference ORDER BY x.id LIMIT 1;
     ELSE
       SELECT 'carrier', 'sip:' || k.ip_addr || ':' || k.port || ';transport=' || k.transport INTO v_kind, v_target
       FROM carrier k
       WHERE (v_origin = ANY (k.origins) OR ('supplier:' || v_supplier) = ANY (k.origins))
         AND EXISTS (SELECT 1 FROM unnest(k.prefixes) p WHERE d LIKE p || '%')
       ORDER BY k.name LIMIT 1;
     END IF;
     IF v_kind IS NULL THEN
       RETURN QUERY SELECT 'no-route'::text, c, d, v_origin, v_enterprise::text, NULL::text, NULL::text, NULL::text, 0, 0, NULL::text, 0, 0, 0, NULL::text;
       RETURN;
     END IF;
     SELECT * INTO r FROM calling_rule x WHERE x.number = c;
     RETURN QUERY SELECT 'ok'::text, c, d, v_origin, v_enterprise::text, v_kind, v_target,
       COALESCE(v_enterprise, c)::text,
       COALESCE(r.max_concurrent, 30),
       COALESCE(r.per_callee_daily, 0),
       COALESCE(r.count_on, 'rung')::text,
       CASE
         WHEN r.hours_from IS NULL OR r.hours_to IS NULL THEN 1
         WHEN r.hours_from < r.hours_to AND m >= r.hours_from AND m < r.hours_to THEN 1
         WHEN r.hours_from > r.hours_to AND (m >= r.hours_from OR m < r.hours_to) THEN 1
         ELSE 0 END,
       CASE WHEN v_enterprise IS NOT NULL AND EXISTS (
         SELECT 1 FROM blocked_callee b WHERE b.enterprise_id = v_enterprise AND b.number = d) THEN 1 ELSE 0 END,
       CASE WHEN cardinality(COALESCE(r.blind_regions, '{}')) > 0 AND sbc_province(d) = ANY (r.blind_regions) THEN 1 ELSE 0 END,
       to_char(t, 'YYYYMMDD');
   END $$`,
];
