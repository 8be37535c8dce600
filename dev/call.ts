/**
 * `npm run call -- --from 13800138000 --to 4008123456 [--hold 3]`: a call from the public network
 * (the simulator's carrier address) to one of the numbers the SBC serves, as a caller on the
 * outside would place it. A 400 number landed on one of our fixed lines (an own-400 landing) is
 * routed as its 400 operator would: to that fixed line. The call is answered by the platform side
 * behind the SBC (the contact-center sandbox), held a few seconds and hung up; the SIP outcome is
 * printed. Exit code 0 when the call was answered.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../config';
import { formatNumber } from '../domain/numbers';
import { numberKey } from '../domain/usage';
import { testCall } from '../sip/test-call';

/** The fixed line a 400 number is landed on, as the 400 operator's routing has it (none: undefined). */
export async function landingOf(databaseUrl: string, e164: string): Promise<string | undefined> {
  const db = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
  try {
    await db.connect();
    const row = await db.query<{ number: string }>('SELECT number FROM assignment WHERE carries_400 = $1 LIMIT 1', [
      e164,
    ]);
    return row.rows[0]?.number;
  } catch {
    return undefined;
  } finally {
    await db.end().catch(() => undefined);
  }
}

export interface PlacedCall {
  /** What was dialled: the number itself, or the fixed line a 400 number is landed on. */
  dialled: string;
  landedOn?: string;
  result: Awaited<ReturnType<typeof testCall>>;
}

/** A call from the public network to `to` through the SBC, held `holdMs` once answered. */
export async function placeCall(o: {
  from: string;
  to: string;
  holdMs: number;
  sbc: { host: string; port: number; databaseUrl: string };
  /** The carrier address the public network calls from. */
  localAddress: string;
}): Promise<PlacedCall> {
  const to = numberKey(o.to);
  const landedOn = /^\+86[48]00\d{7}$/.test(to) ? await landingOf(o.sbc.databaseUrl, to) : undefined;
  const dialled = landedOn ?? o.to.replace(/[^\d+]/g, '');
  const result = await testCall({
    target: { host: o.sbc.host, port: o.sbc.port, transport: 'udp' },
    localAddress: o.localAddress,
    caller: o.from,
    callee: dialled,
    ringMs: 20_000,
    holdMs: o.holdMs,
    timeoutMs: 30_000,
  });
  return { dialled, ...(landedOn ? { landedOn } : {}), result };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, to: { type: 'string' }, hold: { type: 'string', default: '3' } },
  });
  if (!values.from || !values.to) {
    process.stderr.write('usage: npm run call -- --from <caller> --to <number> [--hold <seconds>]\n');
    return 2;
  }
  const sbc = loadConfig().sipGateway.sbc;
  const holdMs = Math.max(0, Number(values.hold) * 1000);
  process.stdout.write(
    `calling ${values.to} from ${values.from} (public network ${sbc.pstnSimulator.host} -> SBC ${sbc.sipHost}:${sbc.sipPort})\n`,
  );
  const placed = await placeCall({
    from: values.from,
    to: values.to,
    holdMs,
    sbc: { host: sbc.sipHost, port: sbc.sipPort, databaseUrl: sbc.databaseUrl },
    localAddress: sbc.pstnSimulator.host,
  });
  if (placed.landedOn)
    process.stdout.write(
      `${values.to} is landed on ${formatNumber(placed.landedOn)}: its operator forwards the call there\n`,
    );
  const call = placed.result;
  for (const r of call.responses) process.stdout.write(`  ${r.atMs} ms  ${r.method} ${r.code} ${r.reason}\n`);
  const held = call.outcome === 'answered' ? `, held ${Math.round(holdMs / 1000)} s and hung up` : '';
  process.stdout.write(
    `${call.outcome}${call.finalCode ? ` (${call.finalCode} ${call.finalReason ?? ''})` : ''}${held}${call.error ? `: ${call.error}` : ''}\n`,
  );
  return call.outcome === 'answered' ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
