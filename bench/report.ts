/**
 * Where figures go: each part of a run is written as JSON under bench/results/ (one file per
 * part and profile, replaced by the next run of that part and profile), and BENCHMARKS.md is
 * rendered from every file there, so a run of one part leaves the others' figures in place.
 */
import type { WebhooksResult } from './webhooks';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeShape } from './history';

export const ROOT = path.join(__dirname, '..');
export const RESULTS_DIR = path.join(__dirname, 'results');
export const BENCHMARKS_MD = path.join(ROOT, 'BENCHMARKS.md');

export interface RunInfo {
  date: string;
  commit: string;
  node: string;
  temporalCli: string;
  machine: { nproc: number; memoryGiB: number; cpu: string; os: string; loadAverage1m?: number };
  profile: string;
  command: string;
  params: Record<string, unknown>;
  durationSeconds?: number;
}

export interface PartResult<T = any> {
  part: 'throughput' | 'latency' | 'history' | 'scale' | 'chaos' | 'profile' | 'topology' | 'sbc-rules' | 'webhooks';
  run: RunInfo;
  data: T;
}

export function runInfo(
  profile: string,
  command: string,
  params: Record<string, unknown>,
  temporalCli: string | undefined,
): RunInfo {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    commit: tryRun('git', ['rev-parse', '--short', 'HEAD']) ?? 'unknown',
    node: process.version,
    temporalCli: temporalCli ? (tryRun(temporalCli, ['--version']) ?? 'unknown') : 'not used',
    machine: {
      nproc: os.availableParallelism(),
      memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
      cpu: `${cpus[0]?.model.trim() ?? 'unknown'}`,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      // Other work on the machine while the bench ran shows here (1-minute load average, at the end).
      loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
    },
    profile,
    command,
    params,
  };
}

function tryRun(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export function writeResult(result: PartResult, name = `${result.part}.${result.run.profile}`): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

function readResults(): PartResult[] {
  let files: string[] = [];
  try {
    files = readdirSync(RESULTS_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
  // Files without a part (the hostile suite's figures) are read by the section that shows them.
  return files
    .map((f) => JSON.parse(readFileSync(path.join(RESULTS_DIR, f), 'utf8')) as PartResult)
    .filter((r) => typeof r.part === 'string');
}

// --- rendering -------------------------------------------------------------------------------

const fmt = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits);
const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;

function profileLabel(r: PartResult): string {
  return r.run.profile === 'full' ? '`--full`' : 'default sizes';
}

function runLine(r: RunInfo): string {
  return [
    `Run ${r.date.slice(0, 16).replace('T', ' ')} UTC, commit \`${r.commit}\`, profile \`${r.profile}\`${r.durationSeconds ? `, ${fmt(r.durationSeconds / 60)} min` : ''}.`,
    `Machine: ${r.machine.nproc} CPUs (${r.machine.cpu}), ${r.machine.memoryGiB} GiB, ${r.machine.os}; Node ${r.node}; Temporal CLI: ${r.temporalCli.replace(/\n/g, ' ')}${r.machine.loadAverage1m !== undefined ? `; load average (1 min) at the end ${r.machine.loadAverage1m}` : ''}.`,
    `Reproduce: \`${r.command}\``,
  ].join('  \n');
}

function table(header: string[], rows: (string | number)[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** A shape as copied by the baseline; results written before the baseline copied whole shapes had batches only. */
function shapeLine(shape: any): string {
  const steps = (shape?.steps ?? []) as Record<string, unknown>[];
  if (steps.some((st) => 'activities' in st)) {
    return `${shape.activities} activities in ${steps.filter((st) => 'activities' in st).length} batches, ${shape.updates} update(s) (batches and updates only)`;
  }
  return describeShape({ steps: steps as never[] });
}

/** Results written by the bench before the baseline copied whole shapes and the latency rows ran interleaved. */
const EARLIER_BENCH =
  'Measured with the bench of that commit, before the workflow refactor: its baseline copied activity batches and updates only (started with `workflow.start`, worker cache fixed at 1,000), its latency rows ran one block after another without warm-up, and its scale part measured the product alone. Kept for the before-and-after comparison.';

function renderThroughput(r: PartResult): string {
  const kinds = r.data.kinds as any[];
  const earlier = kinds.some((k) => k.baseline.opensWithUpdate === undefined);
  const rows = kinds.map((k) => [
    `\`${k.kind}\``,
    k.cases,
    k.concurrency,
    `${fmt(k.product.casesPerSecond, 2)} (${fmt(k.product.seconds)} s)`,
    `${fmt(k.baseline.casesPerSecond, 2)} (${fmt(k.baseline.seconds)} s)`,
    `**${fmt(k.ratio, 3)}**`,
    `${shapeLine(k.shape)}${k.baseline.opensWithUpdate ? `; opened with update-with-start \`${k.baseline.opensWithUpdate}\`` : ''}${
      k.baselineSleeps && Object.keys(k.baselineSleeps).length
        ? `; sleeps ${Object.entries(k.baselineSleeps as Record<string, number>)
            .map(([n, ms]) => `\`${n}\` ${fmt(ms / 1000, 1)} s`)
            .join(', ')}`
        : ''
    }`,
    k.workerRssMaxBytes
      ? `${mib(k.workerRssMaxBytes)}${k.baseline.workerRssMaxBytes ? ` / ${mib(k.baseline.workerRssMaxBytes)}` : ''}`
      : '–',
    k.memorySamples
      ? `${k.memorySamples.taken} / ${k.memorySamples.failed}${k.baseline.memorySamples ? `; ${k.baseline.memorySamples.taken} / ${k.baseline.memorySamples.failed}` : ''}`
      : '–',
  ]);
  return [
    `### Throughput (${profileLabel(r)})`,
    '',
    runLine(r.run),
    '',
    table(
      [
        'kind',
        'cases',
        'concurrency',
        'product cases/s',
        'baseline cases/s',
        'product / baseline',
        'shape copied by the baseline',
        'worker RSS max: product / baseline',
        'memory samples taken / failed: product; baseline',
      ],
      rows,
    ),
    '',
    ...(earlier ? [EARLIER_BENCH, ''] : []),
    'Product: each case uploads its documents and starts through the HTTP API; the automatic approver',
    'polls `GET /v1/onboardings?awaiting=support` and takes the support step through the API; the',
    'bench waits for the workflow to close. Baseline: `bench/baseline-workflow.ts` on the same server',
    'in the same run, on a worker of its own with the same sticky cache, replaying a recorded history',
    'of the product case (`bench/history.ts`): the same commands in the same workflow tasks (activities,',
    'timers started and cancelled, search-attribute upserts, children), each task after what woke it',
    '(activities closed, timers fired, children started, updates and signals), with no-op bodies. It',
    'is started as the API starts a case (update-with-start when the case opens with one, same memo',
    'and search attributes); the bench sends its other updates at once (each accepted, and answered',
    'when the workflow reaches it) and its signals after the start. Activities whose time is the',
    "outside world's sleep in the baseline as long as the longest of the product's warm-up cases took:",
    "for `sip-trunk`, `placeTestCall` (the outbound test call ringing at the customer's gateway, then",
    'cancelled). Rates are over the measured cases after warm-up cases.',
    '',
    "A `sip-trunk` case also needs the enterprise's side, played by the bench: its own customer",
    'gateway (SIPp on a loopback address of its own, answering OPTIONS and ringing on the outbound',
    'test call), `confirm-whitelist` through the API once the whitelist email is in, and the inbound',
    "test call from the gateway's address through the real SBC (Kamailio on PostgreSQL, with a SIPp",
    'contact center behind it) once the inbound-test email is in. The baseline waits for none of the',
    "enterprise's side (emails, the inbound call and the SBC's call records polled once a second).",
  ].join('\n');
}

function renderLatency(r: PartResult): string {
  const rows = (r.data.rows as any[]).map((x) => [
    x.label,
    x.samples,
    fmt(x.p50Ms),
    fmt(x.p99Ms),
    x.ratioTo ? `${fmt(x.ratioP50, 1)}× / ${fmt(x.ratioP99, 1)}×` : '',
    x.ratioTo ?? '',
  ]);
  return [
    `### API latency (${profileLabel(r)})`,
    '',
    runLine(r.run),
    '',
    table(['operation', 'samples', 'p50 ms', 'p99 ms', 'ratio p50 / p99', 'ratio to'], rows),
    '',
    ...(r.data.warmup === undefined ? [EARLIER_BENCH, ''] : []),
    `Concurrency ${r.data.concurrency}${r.data.warmup !== undefined ? `, after ${r.data.warmup} warm-up requests of each operation; the operations run interleaved (in rotation, not one block after another), so each row sees the same load` : ''}.`,
    'Every start is a fresh case; every read is of a case started before the timed requests and',
    'waiting for review. Over HTTP with keep-alive to the API in the bench process.',
    '`POST /v1/onboardings` pre-checks the documents and starts the workflow with update-with-start',
    "(`opened`), answered once the worker has run the first task, so the answer shows the case's",
    'stage and what it awaits; `GET /v1/onboardings/{id}` describes the case (tenant check) and then',
    'queries it. The raw rows make the Temporal calls alone, without HTTP, validation or rendering.',
  ].join('\n');
}

function renderHistory(r: PartResult): string {
  const rows = (r.data.kinds as any[]).map((k) => [
    `\`${k.kind}\``,
    k.stats.cases,
    `${k.stats.eventsMin} / ${fmt(k.stats.eventsMean)} / ${k.stats.eventsMax}`,
    k.stats.largestPayload.bytes,
    `${k.stats.largestPayload.eventType} \`${k.stats.largestPayload.field}\``,
    k.stats.historyBytesMax,
    `${k.shape.activities} activities, ${k.shape.updates} updates, ${k.shape.signals} signals, ${k.shape.timers} timers, ${k.shape.childWorkflows} children, ${k.shape.searchAttributeUpserts} SA upserts`,
  ]);
  return [
    `### History (${profileLabel(r)})`,
    '',
    runLine(r.run),
    '',
    table(
      [
        'kind',
        'cases',
        'events min / mean / max',
        'largest payload (bytes)',
        'in',
        'largest history (bytes, protobuf)',
        'per case',
      ],
      rows,
    ),
    '',
    'From the histories of the throughput cases (the happy path: approved at the first review).',
  ].join('\n');
}

const perMiB = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(2)} MiB`;
const samplesLine = (c: { taken: number; failed: number } | undefined) =>
  c ? `${c.taken} taken, ${c.failed} failed` : '–';

function renderScale(r: PartResult): string {
  const d = r.data;
  const b = d.baseline;
  const perCached = d.perCachedBytes ?? (d.rss.waitingMean - d.rss.idle) / Math.min(d.cases, d.maxCachedWorkflows);
  const rows: (string | number)[][] = [
    ['cases open at once, waiting on approval', d.cases, b ? d.cases : '–'],
    [
      'started in',
      `${fmt(d.startSeconds)} s through the API, uploads + POST (${fmt(d.cases / d.startSeconds, 1)} cases/s, concurrency ${d.concurrency})`,
      b ? `${fmt(b.startSeconds)} s, update-with-start (${fmt(d.cases / b.startSeconds, 1)} cases/s)` : '–',
    ],
    ['worker RSS idle, before any case', mib(d.rss.idle), b ? mib(b.rss.idle) : '–'],
    [
      'worker RSS while all wait (max / mean of samples)',
      `${mib(d.rss.waitingMax)} / ${mib(d.rss.waitingMean)}`,
      b ? `${mib(b.rss.waitingMax)} / ${mib(b.rss.waitingMean)}` : '–',
    ],
    ...(d.heapUsed
      ? [
          [
            'worker V8 heap used: idle / while all wait',
            `${mib(d.heapUsed.idle)} / ${mib(d.heapUsed.waitingMax)}`,
            b ? `${mib(b.heapUsed.idle)} / ${mib(b.heapUsed.waitingMax)}` : '–',
          ],
        ]
      : []),
    ['worker RSS while approving (max)', mib(d.rss.approvingMax), '–'],
    ['worker `maxCachedWorkflows`', d.maxCachedWorkflows, b ? d.maxCachedWorkflows : '–'],
    [
      'RSS above idle while waiting ÷ min(cases, cache size)',
      `**${perMiB(perCached)}**`,
      b ? `**${perMiB(b.perCachedBytes)}**` : '–',
    ],
    [
      'all approved and completed in',
      `${fmt(d.approveSeconds)} s through the API (${fmt(d.cases / d.approveSeconds, 1)} cases/s)`,
      b ? `${fmt(b.approveSeconds)} s, \`${b.parkedOn}\` update (${fmt(d.cases / b.approveSeconds, 1)} cases/s)` : '–',
    ],
    [
      'approve request p50 / p99',
      `${fmt(d.approveP50Ms)} / ${fmt(d.approveP99Ms)} ms`,
      b ? `${fmt(b.approveP50Ms)} / ${fmt(b.approveP99Ms)} ms` : '–',
    ],
    ...(d.reference
      ? [
          [
            `approve request p50 / p99 with ${d.reference.cases} open (same worker, after)`,
            `${fmt(d.reference.approveP50Ms)} / ${fmt(d.reference.approveP99Ms)} ms`,
            '–',
          ],
        ]
      : []),
    ['completed / lost / failed', `${d.completed} / ${d.lost} / ${d.failed}`, '–'],
    ['emails received (2 per case expected)', `${d.emails} / ${d.cases * 2}`, '–'],
    ...(d.memorySamples
      ? [
          [
            'memory samples while waiting',
            samplesLine(d.memorySamples.productWaiting),
            samplesLine(d.memorySamples.baselineWaiting),
          ],
          ['memory samples while approving', samplesLine(d.memorySamples.productApproving), '–'],
        ]
      : []),
  ];
  return [
    `### Scale (${profileLabel(r)}${d.cases !== 10_000 && r.run.profile === 'full' ? `, ${d.cases} cases` : ''})`,
    '',
    runLine(r.run),
    '',
    table(['', 'product (enterprise verification)', 'baseline of the same shape'], rows),
    '',
    ...(b ? [] : [EARLIER_BENCH, '']),
    'Cases start through the API (five uploads and a POST each) and wait for review; the bench',
    "samples the worker process's `process.memoryUsage()` once a second for 15 s, then approves every",
    'case through the API and waits until visibility counts all of them completed, then lists them to',
    `check that none is missing or failed. Then ${d.reference?.cases ?? 100} more cases are opened and approved the same way: the`,
    'approval latency with few cases open, for the ratio. Then, in the same run and on the same',
    "server, the baseline: as many baseline workflows of the verification's recorded shape, started",
    'with update-with-start on a worker of their own with the same `maxCachedWorkflows`, parked on',
    "the `approve` update; its worker's memory is sampled the same way, then every one is sent its",
    'update. RSS includes the workflow threads, where the workflows run.',
    '`maxCachedWorkflows` (`WORKER_MAX_CACHED_WORKFLOWS`, `--cache` here, for both workers) bounds it;',
    "past the cache, a workflow's next task replays its history.",
  ].join('\n');
}

function renderProfile(r: PartResult): string {
  const d = r.data;
  const cats = [...new Set([...Object.keys(d.product.byCategory), ...Object.keys(d.baseline.byCategory)])]
    .filter((c) => c !== 'idle')
    .sort((x, y) => (d.product.byCategory[y] ?? 0) - (d.product.byCategory[x] ?? 0));
  const per = (w: any, c: string) => `${fmt((w.byCategory[c] ?? 0) / w.workflowTasks, 2)}`;
  const rows = [
    [
      'cases (started, approved, closed) / seconds',
      `${d.product.cases} / ${fmt(d.product.seconds)} s`,
      `${d.baseline.cases} / ${fmt(d.baseline.seconds)} s`,
    ],
    ['workflow tasks (from the histories)', d.product.workflowTasks, d.baseline.workflowTasks],
    ['worker CPU, all threads (ms)', fmt(d.product.busyMs, 0), fmt(d.baseline.busyMs, 0)],
    [
      '**worker CPU per workflow task (ms)**',
      `**${fmt(d.product.cpuMsPerWorkflowTask, 2)}**`,
      `**${fmt(d.baseline.cpuMsPerWorkflowTask, 2)}**`,
    ],
    ['worker CPU per case (ms)', fmt(d.product.cpuMsPerCase, 1), fmt(d.baseline.cpuMsPerCase, 1)],
    ...(d.product.busyByThread
      ? [
          [
            '… main thread (activities, SDK worker side) per task (ms)',
            fmt(d.product.busyByThread.main / d.product.workflowTasks, 2),
            fmt(d.baseline.busyByThread.main / d.baseline.workflowTasks, 2),
          ],
          [
            '… workflow thread per task (ms)',
            fmt(d.product.busyByThread.workflow / d.product.workflowTasks, 2),
            fmt(d.baseline.busyByThread.workflow / d.baseline.workflowTasks, 2),
          ],
        ]
      : []),
    ...cats.map((c) => [`… by frame: ${c} (ms per task)`, per(d.product, c), per(d.baseline, c)]),
  ];
  return [
    "### Where the worker's time goes (`node --cpu-prof`)",
    '',
    runLine(r.run),
    '',
    table(['', 'product worker (enterprise verification)', 'baseline worker (same shape)'], rows),
    '',
    `Concurrency ${d.concurrency}. Each worker ran under \`node --cpu-prof\` (one profile per thread: the`,
    'main thread runs activities and the SDK, the workflow thread runs the bundle); self time of each',
    'sample, summed by where the frame lives. `native` is time outside JavaScript on these threads',
    "(V8's compiler, libuv, the SDK core's bridge calls); the SDK core's own Rust threads are not in",
    "these profiles. The baseline's activities are no-ops; the product's send email over SMTP and",
    'call the billing sandbox over HTTP.',
  ].join('\n');
}

function renderChaos(r: PartResult): string {
  // A scenario kept from an earlier run (a run of some of the files) names that run.
  const rows = (r.data.scenarios as any[]).map((s) => [
    s.name,
    s.ranIn ? `${s.outcome} (run ${String(s.ranIn.date).slice(0, 10)}, commit \`${s.ranIn.commit}\`)` : s.outcome,
    s.figures,
  ]);
  return ['### Chaos (`npm run chaos`)', '', runLine(r.run), '', table(['scenario', 'outcome', 'figures'], rows)].join(
    '\n',
  );
}

function renderTopology(r: PartResult): string {
  const rows = r.data.rows as any[];
  const nproc = r.data.nproc as number;
  const cores = (x: number) => fmt(x, 2);
  // The run's own processes: what a case costs, whatever else the machine was doing.
  const own = (row: any): number => row.cpu.temporal + row.cpu.workers + row.cpu.postgres + row.cpu.benchProcess;
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
    '### Throughput by topology (`npm run bench -- --only topology`)',
    '',
    runLine(r.run),
    '',
    'The same kind of case through each topology in one run, each on a stack of its own after a',
    `warm-up, ${r.data.turns ? `then in ${r.data.turns} turns, the topologies in rotating order` : 'one topology after another'}.`,
    'CPU columns are CPU seconds per second of the measured interval (1.00 = one core busy',
    'throughout), from /proc: the Temporal server process, the worker processes, every PostgreSQL',
    'process, the bench process (API, sandboxes, SMTP sink and the client driving the cases), what',
    `else ran on the machine meanwhile, and the whole machine (${nproc} cores). A machine column at`,
    `${nproc}.00 means the run was bound by CPU; "everything else" is how much of it this run did not get.`,
    "CPU s per case is the run's own processes' CPU (Temporal, workers, PostgreSQL, bench process) per",
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

function renderWebhooks(r: PartResult): string {
  const d = r.data as WebhooksResult;
  return [
    '### Events and webhooks',
    '',
    runLine(r.run),
    '',
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

function renderSbcRules(r: PartResult): string {
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
    '### Calling rules on the SBC',
    '',
    runLine(r.run),
    '',
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

const RENDER: Record<PartResult['part'], (r: PartResult) => string> = {
  throughput: renderThroughput,
  latency: renderLatency,
  history: renderHistory,
  scale: renderScale,
  chaos: renderChaos,
  profile: renderProfile,
  topology: renderTopology,
  'sbc-rules': renderSbcRules,
  webhooks: renderWebhooks,
};

/** The latest result of a part that satisfies `ok`. */
function latest(
  results: PartResult[],
  part: PartResult['part'],
  ok: (r: PartResult) => boolean,
): PartResult | undefined {
  return results.filter((r) => r.part === part && ok(r)).sort((x, y) => (x.run.date < y.run.date ? 1 : -1))[0];
}

/** Each performance target of the workflow layer, with the figure that answers it and the run it comes from. */
export function renderTargets(results: PartResult[]): string {
  const rows: string[][] = [];
  const from = (r: PartResult) =>
    `\`${r.run.command}\` (${r.run.date.slice(0, 16).replace('T', ' ')}, \`${r.run.commit}\`, load ${r.run.machine.loadAverage1m ?? '?'})`;
  const row = (
    target: string,
    value: number | undefined,
    limit: number,
    atMost: boolean,
    figure: string,
    r: PartResult | undefined,
  ) => {
    if (!r || value === undefined || Number.isNaN(value)) return rows.push([target, 'not measured', '–', '–']);
    const met = atMost ? value <= limit : value >= limit;
    rows.push([target, figure, met ? 'met' : '**missed**', from(r)]);
  };
  // The largest scale run that measured the baseline beside the product.
  const scales = results.filter((r) => r.part === 'scale' && r.data.baseline);
  const scale = scales.sort((x, y) => y.data.cases - x.data.cases || (x.run.date < y.run.date ? 1 : -1))[0];
  const d = scale?.data;
  row(
    'RSS above idle per cached workflow: product <= 1.3x baseline, same cache, same run',
    d && d.perCachedBytes / d.baseline.perCachedBytes,
    1.3,
    true,
    d
      ? `${fmt(d.perCachedBytes / d.baseline.perCachedBytes, 2)}x (${perMiB(d.perCachedBytes)} vs ${perMiB(d.baseline.perCachedBytes)}, ${d.cases} open, cache ${d.maxCachedWorkflows})`
      : '',
    scale,
  );
  row(
    `${d?.cases ?? 10_000} waiting, default cache: worker RSS <= 1.3x the baseline worker's`,
    d && d.rss.waitingMean / d.baseline.rss.waitingMean,
    1.3,
    true,
    d
      ? `${fmt(d.rss.waitingMean / d.baseline.rss.waitingMean, 2)}x (${mib(d.rss.waitingMean)} vs ${mib(d.baseline.rss.waitingMean)})`
      : '',
    scale,
  );
  row(
    `approval p99 with ${d?.cases ?? 10_000} open <= 2x with ${d?.reference?.cases ?? 100} open`,
    d?.reference && d.approveP99Ms / d.reference.approveP99Ms,
    2,
    true,
    d?.reference
      ? `${fmt(d.approveP99Ms / d.reference.approveP99Ms, 2)}x (${fmt(d.approveP99Ms, 0)} vs ${fmt(d.reference.approveP99Ms, 0)} ms)`
      : '',
    scale,
  );
  row(
    'none lost',
    d && d.lost + d.failed,
    0,
    true,
    d ? `${d.completed} / ${d.cases} completed, ${d.lost} lost, ${d.failed} failed` : '',
    scale,
  );
  const tp = latest(results, 'throughput', (r) =>
    (r.data.kinds as any[]).some((k) => k.baseline.opensWithUpdate !== undefined),
  );
  for (const kind of ['enterprise-verification', 'number-purchase', 'sip-trunk']) {
    const k = (tp?.data.kinds as any[] | undefined)?.find((x) => x.kind === kind);
    row(
      `throughput product / baseline >= 0.8, \`${kind}\`, concurrency 32`,
      k && k.concurrency === 32 ? k.ratio : undefined,
      0.8,
      false,
      k
        ? `${fmt(k.ratio, 3)} (${fmt(k.product.casesPerSecond, 2)} vs ${fmt(k.baseline.casesPerSecond, 2)} cases/s, ${k.cases} cases)`
        : '',
      tp,
    );
  }
  const lat = latest(results, 'latency', (r) => r.data.warmup !== undefined);
  const find = (label: string) => (lat?.data.rows as any[] | undefined)?.find((x) => x.label === label && !x.ratioTo);
  const first = (label: string) => (lat?.data.rows as any[] | undefined)?.find((x) => x.label === label);
  const pair = (a: string, b: string, target: string) => {
    const x = first(a);
    const y = find(b);
    row(
      target,
      x && y ? x.p99Ms / y.p99Ms : undefined,
      1.5,
      true,
      x && y
        ? `${fmt(x.p99Ms / y.p99Ms, 2)}x (${fmt(x.p99Ms)} vs ${fmt(y.p99Ms)} ms, concurrency ${lat!.data.concurrency})`
        : '',
      lat,
    );
  };
  pair(
    'POST /v1/onboardings',
    'raw client.workflow.start',
    '`POST /v1/onboardings` p99 <= 1.5x raw `workflow.start` p99, concurrency 8',
  );
  pair('GET /v1/onboardings/{id}', "raw query('state')", '`GET /v1/onboardings/{id}` p99 <= 1.5x raw query p99');
  return table(['target', 'figure', '', 'run'], rows);
}

/** Hand-written reading of the figures (bench/analysis.md), kept across runs. */
/** The hand-written reading of the figures, labelled as such: it is not rendered from results. */
function analysis(): string {
  let text: string;
  try {
    text = readFileSync(path.join(__dirname, 'analysis.md'), 'utf8').trim();
  } catch {
    return '';
  }
  const label = [
    '> **Written by hand** (`bench/analysis.md`), not rendered from `bench/results/`: it reads the runs it',
    '> names (by their commands and sizes), which may be older than the tables rendered around it.',
  ];
  // Under its own heading, when it has one.
  const [first, ...rest] = text.split('\n');
  return first!.startsWith('#') ? [first!, '', ...label, ...rest].join('\n') : [...label, '', text].join('\n');
}

export function renderBenchmarks(file = BENCHMARKS_MD): void {
  const results = readResults();
  const byPart = (part: PartResult['part']) =>
    results.filter((r) => r.part === part).sort((a, b) => (a.run.profile < b.run.profile ? -1 : 1));
  const section = (part: PartResult['part']) => byPart(part).map(RENDER[part]).join('\n\n') || '_Not run yet._';
  const text = [
    '# Benchmarks',
    '',
    'Figures from `npm run bench` (performance) and `npm run chaos` (reliability), each run on its own',
    'stack: a Temporal dev server (the pinned CLI, in memory unless said otherwise), the worker in a',
    'child process, the API listening on a port, the billing sandbox and an SMTP sink in the bench',
    'process. Everything on one machine, so the bench competes with what it measures; compare ratios',
    'measured in the same run rather than absolute figures across machines. This file is rendered',
    'from `bench/results/*.json` (one file per part and profile) by each run.',
    '',
    '`npm run bench` runs every part at the default sizes (a few minutes); `npm run bench -- --full`',
    'at the full sizes; `--only throughput,latency,history,scale` picks parts (and `topology`, run only',
    'when named), and `--n`,',
    '`--concurrency`, `--latency-requests`, `--latency-concurrency`, `--scale`, `--scale-concurrency`,',
    '`--kinds`, `--warmup` and `--cache` (or `BENCH_N`, `BENCH_CONCURRENCY`, ... in the environment)',
    "override sizes and the worker's sticky cache.",
    '',
    '## Performance',
    '',
    '### Targets of the workflow layer',
    '',
    'Each from the latest run that measured it (the scale figures from the largest run with the',
    'baseline beside the product). Load is the 1-minute load average at the end of that run, on a',
    'machine of 2 CPUs shared with other work.',
    '',
    renderTargets(results),
    '',
    analysis(),
    '',
    section('profile'),
    '',
    section('throughput'),
    '',
    section('latency'),
    '',
    section('history'),
    '',
    section('scale'),
    '',
    section('topology'),
    '',
    section('sbc-rules'),
    '',
    section('webhooks'),
    '',
    '## Reliability',
    '',
    '`npm test` runs `test/integration/reliability-*.test.ts`:',
    '',
    '- `reliability-authz`: the authorisation matrix, about 600 checks: every route of the OpenAPI',
    '  document (each action of the `{action}` enum separately), the served but undocumented',
    '  `GET /v1/catalog/third-party-products` and `GET /v1/sip/provider-addresses`, the billing webhook',
    '  and `/healthz`, for support, admin, enterprise A, enterprise B, no token and a bad token, on',
    "  each tenant's closed verification and running purchase: 401 / 403 / 404 (another tenant's",
    '  case) / 409 or 2xx as appropriate; enterprise listings under every filter hold only their own',
    '  cases, and a tenant filter naming the other tenant is a 403.',
    '- `reliability-hostile`: 1,000 malformed or hostile requests from a seed (`RELIABILITY_SEED`,',
    '  default 20251122): wrong types, missing and unknown fields, huge bodies and headers, bad JSON,',
    '  injection strings in ids, filters and fields, bad tokens and idempotency keys, odd content types',
    '  and encodings, bad multipart, forged webhooks. No 5xx, problem+json for every error, no',
    "  workflow started, the tenant's waiting case unchanged, no listing showing another tenant.",
    '  Malformed multipart bodies (`Unexpected end of form`, `Boundary not found`, a part without a',
    '  name), which this suite first found answering 500, are 400 `Invalid upload`.',
    '',
    'Replay of recorded histories: `test/integration/replay.test.ts`.',
    '',
    section('chaos'),
    '',
  ].join('\n');
  writeFileSync(file, text);
}

if (require.main === module) renderBenchmarks();
