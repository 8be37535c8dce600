/** Sections of BENCHMARKS.md for chaos, topology, webhooks and the SBC's calling rules. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WebhooksResult } from './webhooks';
import { RESULTS_DIR, type PartResult } from './report';
import { fmt, heading, table } from './report-format';

export function renderChaos(r: PartResult): string {
  // A scenario kept from an earlier run (a run of some of the files) names that run.
  const rows = (r.data.scenarios as any[]).map((s) => [
    s.name,
    s.ranIn ? `${s.outcome} (run ${String(s.ranIn.date).slice(0, 10)}, commit \`${s.ranIn.commit}\`)` : s.outcome,
    s.figures,
  ]);
  return [...heading('### Chaos (`npm run chaos`)', r), table(['scenario', 'outcome', 'figures'], rows)].join('\n');
}

export function renderTopology(r: PartResult): string {
  const rows = r.data.rows as any[];
  const nproc = r.data.nproc as number;
  const cores = (x: number) => fmt(x, 2);
  // The run's own processes: what a case costs, whatever else the machine was doing.
  const own = (row: any): number =>
    row.cpu.temporal + row.cpu.workers + (row.cpu.api ?? 0) + row.cpu.postgres + row.cpu.benchProcess;
  const table1 = table(
    [
      'kind',
      'topology',
      'store',
      'cases',
      'cases/s',
      'vs dev server',
      'CPU s per case',
      'CPU: Temporal',
      'workers',
      'API',
      'PostgreSQL',
      'bench process',
      'everything else',
      `machine (of ${nproc})`,
    ],
    rows.map((row) => {
      const dev = rows.find((x) => x.kind === row.kind && x.server.startsWith('Temporal CLI'));
      return [
        `\`${row.kind}\``,
        row.topology,
        row.store,
        row.cases,
        fmt(row.casesPerSecond, 2),
        dev ? `${fmt(row.casesPerSecond / dev.casesPerSecond, 2)}x` : '–',
        fmt((own(row) * row.seconds) / row.cases, 3),
        cores(row.cpu.temporal),
        cores(row.cpu.workers),
        cores(row.cpu.api),
        cores(row.cpu.postgres),
        cores(row.cpu.benchProcess),
        cores(Math.max(0, row.cpu.machine - own(row))),
        cores(row.cpu.machine),
      ];
    }),
  );
  const servers = [...new Set(rows.map((row) => `${row.topology}: ${row.server}`))].map((x) => `- ${x}`);
  const saturated = rows.filter((row) => row.cpu.machine >= 0.9 * nproc).length;
  const others = rows.map((row) => Math.max(0, row.cpu.machine - own(row)));
  const topologies = [...new Set(rows.map((row) => row.topology as string))];
  const perCase = topologies.map((t) => {
    const of = rows.filter((row) => row.topology === t);
    const mean = of.reduce((sum, row) => sum + (own(row) * row.seconds) / row.cases, 0) / of.length;
    return `${t} ${fmt(mean, 3)} s`;
  });
  const idle = rows.filter((row) => row.cpu.machine < 0.9 * nproc).map((row) => `${row.topology} (${row.kind})`);
  const second = [...new Set(rows.map((row) => row.kind as string))].flatMap((kind) =>
    ['dev server', 'cluster'].flatMap((server) => {
      const one = rows.find((row) => row.kind === kind && row.topology === `${server}, 1 worker`);
      const two = rows.find((row) => row.kind === kind && row.topology === `${server}, 2 workers`);
      return one && two ? [`${server} ${kind} ${fmt(one.casesPerSecond, 2)} to ${fmt(two.casesPerSecond, 2)}`] : [];
    }),
  );
  const limits = [
    `What limits it here: the machine's ${nproc} cores were at least 90 % busy in ${saturated} of ${rows.length} rows, `,
    `and other work took ${cores(Math.min(...others))} to ${cores(Math.max(...others))} cores of them, so the `,
    "run's own processes had what was left: on this machine CPU limits it, shared with other work. ",
    r.data.turns ? 'The turns spread that load over every topology alike. ' : '',
    `CPU per case, averaged over the kinds: ${perCase.join(', ')}. `,
    idle.length
      ? `Rows where the machine had CPU to spare waited on something else (latency, not work): ${idle.join(', ')}. `
      : '',
    second.length ? `A second worker, in cases/s: ${second.join('; ')}.` : '',
  ].join('');
  return [
    ...heading('### Throughput by topology (`npm run bench -- --only topology`)', r),
    'The same kind of case through each topology in one run, each on a stack of its own after a',
    `warm-up, ${r.data.turns ? `then in ${r.data.turns} turns, the topologies in rotating order` : 'one topology after another'}.`,
    'CPU columns are CPU seconds per second of the measured interval (1.00 = one core busy',
    'throughout), from /proc: the Temporal server process, the worker processes, the API process',
    '(in runs before it had its own process, the API is in the bench process), every PostgreSQL',
    'process, the bench process (sandboxes, SMTP sink and the client driving the cases), what',
    `else ran on the machine meanwhile, and the whole machine (${nproc} cores). A machine column at`,
    `${nproc}.00 means the run was bound by CPU; "everything else" is how much of it this run did not get.`,
    "CPU s per case is the run's own processes' CPU (Temporal, workers, API, PostgreSQL, bench process) per",
    'case: what a case costs in each topology, less sensitive than cases/s to what else the machine ran.',
    ...(r.data.skippedKinds?.length
      ? ['', `Not driven here (they need the SBC of their own): ${r.data.skippedKinds.join(', ')}.`]
      : []),
    '',
    ...servers,
    '',
    table1,
    '',
    limits,
  ].join('\n');
}

export function renderWebhooks(r: PartResult): string {
  const d = r.data as WebhooksResult;
  return [
    ...heading('### Events and webhooks', r),
    `Event delay, from the transition (the event's \`occurredAt\`, the workflow task's time) to its arrival at a local receiver, with ${d.delay.casesInFlight} enterprise verifications in flight at once, each enterprise with its own endpoint:`,
    '',
    table(
      ['cases in flight', 'events in the feed', 'arrivals measured', 'p50', 'p99', 'max'],
      [
        [
          d.delay.casesInFlight,
          d.delay.events,
          d.delay.delivered,
          `${d.delay.p50Ms} ms`,
          `${d.delay.p99Ms} ms`,
          `${d.delay.maxMs} ms`,
        ],
      ],
    ),
    '',
    `What events cost: \`enterprise-verification\` throughput with webhooks on (recorded, delivered to each enterprise's endpoint) and off (\`WEBHOOKS_ENABLED=false\`), one stack each, same run:`,
    '',
    table(
      ['cases', 'concurrency', 'on: cases/s', 'off: cases/s', 'on / off', 'events delivered (on)'],
      [
        [
          d.throughput.cases,
          d.throughput.concurrency,
          fmt(d.throughput.on.casesPerSecond, 2),
          fmt(d.throughput.off.casesPerSecond, 2),
          fmt(d.throughput.ratio, 3),
          d.throughput.on.eventsDelivered,
        ],
      ],
    ),
    '',
    'Where the cost goes: each event is one local activity in its case (recorded in order, so a case with',
    'many steps waits on that chain before it closes) and, on its endpoint, a signal, a read of the',
    "endpoint's page of the feed and one delivery activity, each a round trip through the server; all of it",
    'competes for the same two cores as the cases. Delivering a page of events per activity (progress kept',
    'in heartbeats) would take most of those round trips away.',
  ].join('\n');
}

export function renderSbcRules(r: PartResult): string {
  const d = r.data as {
    setup: Record<
      string,
      { calls: number; meanMs: number; p50Ms: number; p95Ms: number; p99Ms: number; failedRuns: number }
    >;
    added: { sbcRulesOffMs: number; sbcRulesOnMs: number; rulesMs: number };
    load: {
      offeredPerSecond: number;
      calls: number;
      admitted: number;
      refused: number;
      admittedPerSecond: number;
      admittedPerSecondMax?: number;
      answeredShare?: number;
      setupP50Ms: number;
      setupP95Ms: number;
    }[];
  };
  return [
    ...heading('### Calling rules on the SBC', r),
    'Call set-up (INVITE to 180 Ringing, SIPp, whole milliseconds per call) from the platform: direct,',
    "and through Kamailio's platform listener with the ownership checks on every call: rules off (an",
    'own trunk line: the instance, caller and route look-ups and the blocklist) and on (a supplier line:',
    'the same plus hours, blind areas of the callee, the concurrency profile and the atomic per-callee',
    'claim), interleaved in one run.',
    '',
    table(
      ['path', 'calls', 'mean ms', 'p50 ms', 'p95 ms', 'p99 ms'],
      Object.entries(d.setup).map(([name, s]) => [name, s.calls, fmt(s.meanMs, 2), s.p50Ms, s.p95Ms, s.p99Ms]),
    ),
    '',
    `Added by the SBC: ${fmt(d.added.sbcRulesOffMs, 2)} ms with the rules off, ${fmt(d.added.sbcRulesOnMs, 2)} ms with them on; the rules themselves: ${fmt(d.added.rulesMs, 2)} ms per call set-up (mean).`,
    '',
    'Calls admitted with the rules on, at rising offered rates: admitted and refused as the SBC',
    'accounted them; admitted / s is the median (and busiest) second of answered calls in its',
    "accounting; answered is the share the caller's SIPp saw answered (SIPp caller, SBC and callee",
    'share the CPUs, so past saturation calls time out):',
    '',
    table(
      ['offered / s', 'calls', 'admitted', 'refused', 'admitted / s', 'answered', 'set-up p50 ms', 'set-up p95 ms'],
      d.load.map((l) => [
        l.offeredPerSecond,
        l.calls,
        l.admitted,
        l.refused,
        `${l.admittedPerSecond}${l.admittedPerSecondMax !== undefined ? ` (max ${l.admittedPerSecondMax})` : ''}`,
        l.answeredShare === undefined ? '–' : `${fmt(l.answeredShare * 100, 0)}%`,
        l.setupP50Ms,
        l.setupP95Ms,
      ]),
    ),
    ...renderHostile(),
  ].join('\n');
}

/**
 * The hostile-SIP suite's attempts per attack and how many were relayed (goal: 0), from
 * bench/results/sbc-hostile.json (`RECORD_FIGURES=1 npx vitest run test/integration/sbc-hostile.test.ts`).
 */
function renderHostile(): string[] {
  let h: { at: string; command: string; totalAttempts: number; attempts: Record<string, number>; relayed: number };
  try {
    h = JSON.parse(readFileSync(path.join(RESULTS_DIR, 'sbc-hostile.json'), 'utf8')) as typeof h;
  } catch {
    return [];
  }
  return [
    '',
    `Attacks on the SBC (the hostile-SIP suite, ${h.at.slice(0, 16).replace('T', ' ')} UTC; reproduce: \`${h.command}\`):`,
    `${h.totalAttempts} attempts, ${h.relayed} relayed to the platform or a third host.`,
    '',
    table(
      ['attack', 'attempts'],
      Object.entries(h.attempts).map(([attack, n]) => [attack, n]),
    ),
  ];
}
