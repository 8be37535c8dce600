/**
 * The cost of the SBC's checks, with SIPp through the real Kamailio on its own loopback /24: the
 * call set-up time (INVITE to 180 Ringing) from the platform, direct (no SBC), through the SBC's
 * platform listener from an own trunk line ("rules off": the ownership and route look-ups and the
 * blocklist only) and from a supplier line ("rules on": the same plus hours, blind areas of the
 * callee, the concurrency profile and the atomic per-callee claim), interleaved in the same run;
 * then the calls per second the SBC admits with the rules on, at rising offered rates. Writes
 * bench/results/sbc-rules.json and re-renders BENCHMARKS.md (with the hostile suite's figures).
 *
 *   npx tsx bench/sbc-rules.ts [--calls 200] [--rounds 2] [--rates 50,100,200,400] [--seconds 5] [--no-write]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startTestSbc, type TestSbc } from '../test/support/sbc';
import { SCENARIOS, startSippServer } from '../test/support/sipp';
import { renderBenchmarks, runInfo, writeResult } from './report';
import { percentile, round } from './util';
import { loopbackNet } from '../test/support/net';

const NET = loopbackNet(84);
const CALLEE = { ip: `${NET}.2`, port: 5062 };
const INSTANCE = 'cc-bench';
/** A supplier line: ownership checks and every rule (hours, per-callee claim, blind areas, concurrency). */
const RULED = '+862066009001';
/** The enterprise's own trunk line: ownership checks and the blocklist only. */
const UNRULED = '+862066009002';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '2' },
    rates: { type: 'string', default: '50,100,200,400' },
    seconds: { type: 'string', default: '5' },
    'no-write': { type: 'boolean', default: false },
  },
});

let nextPort = 5400;
let nextCallee = 0;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-sbc-rules-'));

const calleeOf = (i: number) => `1390${String(i).padStart(7, '0')}`;

/** Fresh callees each time: the per-callee daily limit must not refuse what the bench offers. */
function callees(n: number): string {
  const file = path.join(tmp, `callees-${nextCallee}.csv`);
  const rows = Array.from({ length: n }, () => `${calleeOf(nextCallee++)};`);
  writeFileSync(file, `SEQUENTIAL\n${rows.join('\n')}\n`);
  return file;
}

interface SippOutcome {
  code: number | null;
  rttMs: number[];
  elapsedMs: number;
}

/**
 * One SIPp run of `calls` calls at `rate` per second from the platform's address: through the SBC
 * on its platform listener (TCP, naming the instance), or straight to the callee (UDP).
 */
function sipp(
  remote: string,
  caller: string,
  calls: number,
  rate: number,
  limit: number,
  viaSbc = true,
): Promise<SippOutcome> {
  const cwd = mkdtempSync(path.join(tmp, 'run-'));
  const args = [
    remote,
    ...['-sf', path.join(SCENARIOS, 'uac-setup-time.xml'), '-i', `${NET}.5`, '-p', String(nextPort++)],
    ...(viaSbc ? ['-t', 't1'] : []),
    ...['-inf', callees(calls), '-key', 'caller', caller, '-key', 'instance', INSTANCE],
    ...['-key', 'dest', `${CALLEE.ip}:${CALLEE.port}`],
    ...['-d', '1', '-m', String(calls), '-r', String(rate), '-l', String(limit)],
    ...['-trace_rtt', '-rtt_freq', '1', '-nostdin', '-timeout', '120s'],
  ];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('sipp', args, { cwd, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => {
      const elapsedMs = performance.now() - started;
      const rttMs = readdirSync(cwd)
        .filter((f) => f.endsWith('_rtt.csv'))
        .flatMap((f) => readFileSync(path.join(cwd, f), 'utf8').trim().split('\n').slice(1))
        .map((line) => Number(line.split(';')[1]))
        .filter((n) => Number.isFinite(n));
      rmSync(cwd, { recursive: true, force: true });
      resolve({ code, rttMs, elapsedMs });
    });
  });
}

function stats(values: number[]) {
  return {
    calls: values.length,
    meanMs: round(values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1), 3),
    p50Ms: percentile(values, 50),
    p95Ms: percentile(values, 95),
    p99Ms: percentile(values, 99),
  };
}

/** The calls of one run as the SBC accounted them: its callees are a range of their own. */
async function accounted(sbc: TestSbc, first: number, last: number) {
  const range = [RULED, calleeOf(first), calleeOf(last)];
  const r = await sbc.pool.query<{ admitted: string; n: string }>(
    `SELECT admitted, count(DISTINCT callid) AS n FROM acc
     WHERE method = 'INVITE' AND caller = $1 AND callee BETWEEN $2 AND $3 GROUP BY admitted`,
    range,
  );
  // The SBC's own pace: answered calls per second of its accounting, in the seconds it was busy
  // (a straggler timing out half a minute later does not stretch the figure).
  const perSecond = await sbc.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM acc
     WHERE method = 'INVITE' AND admitted = '1' AND sip_code LIKE '2%' AND caller = $1 AND callee BETWEEN $2 AND $3
     GROUP BY time_unix`,
    range,
  );
  const buckets = perSecond.rows.map((x) => Number(x.n));
  const of = (a: string) => Number(r.rows.find((x) => x.admitted === a)?.n ?? 0);
  return {
    admitted: of('1'),
    refused: of('0'),
    answeredPerSecondP50: buckets.length ? percentile(buckets, 50) : 0,
    answeredPerSecondMax: buckets.length ? Math.max(...buckets) : 0,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const calls = Number(args.calls);
  const rounds = Number(args.rounds);
  const rates = args.rates.split(',').map(Number);
  const seconds = Number(args.seconds);
  const sbc = await startTestSbc(NET, {
    // Supplier A's trunk, for the supplier line's calls out.
    carriers: [
      {
        name: 'supplier-a',
        ip: CALLEE.ip,
        port: CALLEE.port,
        transport: 'udp',
        origins: ['supplier:A'],
        prefixes: ['+86'],
      },
    ],
  });
  const callee = await startSippServer('uas-answer.xml', CALLEE);
  try {
    // The own line goes out through the enterprise's gateway (the same callee).
    await sbc.gateway.allowGateway({
      ip: CALLEE.ip,
      port: CALLEE.port,
      reference: 'bench-own-trunk',
      instanceId: INSTANCE,
      numbers: [UNRULED],
    });
    await sbc.gateway.assignNumbers({
      instanceId: INSTANCE,
      numbers: [UNRULED],
      enterpriseId: 'ent-bench',
      origin: 'own-trunk',
      reference: 'bench-own-trunk',
    });
    // A supplier line with every rule the SBC checks, with room for the load offered here.
    await sbc.gateway.assignNumbers({
      instanceId: INSTANCE,
      numbers: [RULED],
      enterpriseId: 'ent-bench',
      callingRules: { maxConcurrentCalls: 10_000, perCalleeDailyLimit: 5, blindRegions: ['西藏'] },
      origin: 'supplier',
      supplier: 'A',
      reference: 'bench-sbc-rules',
    });
    const sbcUri = `${sbc.platform.ip}:${sbc.platform.port}`;
    const modes = {
      direct: () => sipp(`${CALLEE.ip}:${CALLEE.port}`, UNRULED, calls, 50, 20, false),
      'sbc, rules off': () => sipp(sbcUri, UNRULED, calls, 50, 20),
      'sbc, rules on': () => sipp(sbcUri, RULED, calls, 50, 20),
    };
    // Warm-up, then the modes interleaved round by round, so drift on a shared machine hits all.
    await modes['sbc, rules on']();
    const samples: Record<string, number[]> = { direct: [], 'sbc, rules off': [], 'sbc, rules on': [] };
    const failures: Record<string, number> = { direct: 0, 'sbc, rules off': 0, 'sbc, rules on': 0 };
    for (let r = 0; r < rounds; r++) {
      for (const [name, run] of Object.entries(modes)) {
        const out = await run();
        samples[name]!.push(...out.rttMs);
        if (out.code !== 0) failures[name]! += calls - out.rttMs.length;
      }
    }
    const setup = Object.fromEntries(
      Object.entries(samples).map(([name, v]) => [name, { ...stats(v), failedRuns: failures[name] }]),
    );
    const mean = (name: string) => (setup[name] as { meanMs: number }).meanMs;
    const added = {
      sbcRulesOffMs: round(mean('sbc, rules off') - mean('direct'), 3),
      sbcRulesOnMs: round(mean('sbc, rules on') - mean('direct'), 3),
      rulesMs: round(mean('sbc, rules on') - mean('sbc, rules off'), 3),
    };

    const load = [];
    for (const rate of rates) {
      const offered = rate * seconds;
      const first = nextCallee;
      const out = await sipp(sbcUri, RULED, offered, rate, 5_000);
      const counted = await accounted(sbc, first, nextCallee - 1);
      load.push({
        offeredPerSecond: rate,
        calls: offered,
        admitted: counted.admitted,
        refused: counted.refused,
        answered: out.rttMs.length,
        elapsedSeconds: round(out.elapsedMs / 1000, 2),
        admittedPerSecond: counted.answeredPerSecondP50,
        admittedPerSecondMax: counted.answeredPerSecondMax,
        answeredShare: round(out.rttMs.length / offered, 3),
        setupP50Ms: percentile(out.rttMs, 50),
        setupP95Ms: percentile(out.rttMs, 95),
        sippExit: out.code,
      });
    }

    const result = {
      part: 'sbc-rules' as const,
      run: {
        ...runInfo(
          'default',
          `npx tsx bench/sbc-rules.ts --calls ${calls} --rounds ${rounds} --rates ${args.rates} --seconds ${seconds}`,
          { calls, rounds, rates, seconds },
          undefined,
        ),
        durationSeconds: Math.round((Date.now() - started) / 1000),
      },
      data: { setup, added, load, resolution: 'SIPp response times, whole milliseconds per call' },
    };
    console.log(JSON.stringify(result.data, null, 2));
    if (!args['no-write']) {
      console.log(`wrote ${writeResult(result as never, 'sbc-rules')}`);
      renderBenchmarks();
    }
  } finally {
    await callee.stop();
    await sbc.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
