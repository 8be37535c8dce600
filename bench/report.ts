/**
 * Where figures go: each part of a run is written as JSON under bench/results/ (one file per
 * part and profile, replaced by the next run of that part and profile), and BENCHMARKS.md is
 * rendered from every file there, so a run of one part leaves the others' figures in place.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
  part: 'throughput' | 'latency' | 'history' | 'scale' | 'chaos';
  run: RunInfo;
  data: T;
}

export function runInfo(profile: string, command: string, params: Record<string, unknown>, temporalCli: string | undefined): RunInfo {
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
    files = readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return files.map((f) => JSON.parse(readFileSync(path.join(RESULTS_DIR, f), 'utf8')) as PartResult);
}

// --- rendering -------------------------------------------------------------------------------

const fmt = (n: number | null | undefined, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits));
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
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function renderThroughput(r: PartResult): string {
  const rows = (r.data.kinds as any[]).map((k) => [
    `\`${k.kind}\``,
    k.cases,
    k.concurrency,
    `${fmt(k.product.casesPerSecond, 2)} (${fmt(k.product.seconds)} s)`,
    `${fmt(k.baseline.casesPerSecond, 2)} (${fmt(k.baseline.seconds)} s)`,
    `**${fmt(k.ratio, 3)}**`,
    `${k.shape.activities} activities in ${k.shape.steps.filter((s: any) => 'activities' in s).length} batches, ${k.shape.updates} update(s)`,
    k.workerRssMaxBytes ? mib(k.workerRssMaxBytes) : '–',
  ]);
  return [
    `### Throughput (${profileLabel(r)})`,
    '',
    runLine(r.run),
    '',
    table(['kind', 'cases', 'concurrency', 'product cases/s', 'baseline cases/s', 'product / baseline', 'shape copied by the baseline', 'worker RSS max'], rows),
    '',
    'Product: each case uploads its documents and starts through the HTTP API; the automatic approver',
    'polls `GET /v1/onboardings?awaiting=support` and takes the support step through the API; the',
    'bench waits for the workflow to close. Baseline: `bench/baseline-workflow.ts` on the same server',
    'in the same run, started with `client.workflow.start`, with the same activity batches (no-op',
    'activities) and updates (empty, sent at once; accepted when the workflow reaches them), read from',
    'a recorded history of the product case. Rates are over the measured cases after warm-up cases.',
    '',
    'A `sip-trunk` case also needs the enterprise\'s side, played by the bench: its own customer',
    'gateway (SIPp on a loopback address of its own, answering OPTIONS and ringing on the outbound',
    'test call), `confirm-whitelist` through the API once the whitelist email is in, and the inbound',
    'test call from the gateway\'s address through the real SBC (Kamailio on PostgreSQL, with a SIPp',
    'contact center behind it) once the inbound-test email is in. Its product figure includes the',
    'outbound test call ringing for 3 s and the SBC\'s call records polled once a second; the',
    'baseline has neither, which is most of the gap for that kind.',
  ].join('\n');
}

function renderLatency(r: PartResult): string {
  const rows = (r.data.rows as any[]).map((x) => [x.label, x.samples, fmt(x.p50Ms), fmt(x.p99Ms), x.ratioTo ? `${fmt(x.ratioP50, 1)}× / ${fmt(x.ratioP99, 1)}×` : '', x.ratioTo ?? '']);
  return [
    `### API latency (${profileLabel(r)})`,
    '',
    runLine(r.run),
    '',
    table(['operation', 'samples', 'p50 ms', 'p99 ms', 'ratio p50 / p99', 'ratio to'], rows),
    '',
    `Concurrency ${r.data.concurrency}; every request is a fresh case (POST) or an existing one (GET),`,
    'over HTTP with keep-alive to the API in the bench process. `POST /v1/onboardings` pre-checks the',
    'documents, starts the workflow, then describes it and queries `state` until the worker has run',
    'its first task; `GET /v1/onboardings/{id}` describes the case twice (tenant check, then read) and',
    'queries it. The composite rows make the same Temporal calls without HTTP, validation or rendering.',
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
    table(['kind', 'cases', 'events min / mean / max', 'largest payload (bytes)', 'in', 'largest history (bytes, protobuf)', 'per case'], rows),
    '',
    'From the histories of the throughput cases (the happy path: approved at the first review).',
  ].join('\n');
}

function renderScale(r: PartResult): string {
  const d = r.data;
  const rows: (string | number)[][] = [
    ['cases open at once, waiting on approval', d.cases],
    ['started through the API (uploads + POST) in', `${fmt(d.startSeconds)} s (${fmt(d.cases / d.startSeconds, 1)} cases/s, concurrency ${d.concurrency})`],
    ['worker RSS idle, before any case', mib(d.rss.idle)],
    ['worker RSS while all wait (max / mean of samples)', `${mib(d.rss.waitingMax)} / ${mib(d.rss.waitingMean)}`],
    ...(d.heapUsed
      ? [
          ['worker V8 heap used: idle / while all wait / while approving (max)', `${mib(d.heapUsed.idle)} / ${mib(d.heapUsed.waitingMax)} / ${mib(d.heapUsed.approvingMax)}`],
          ['worker external + array buffers: idle / while all wait (max)', `${mib(d.external.idle)} / ${mib(d.external.waitingMax)}`],
        ]
      : []),
    ['worker RSS while approving (max)', mib(d.rss.approvingMax)],
    ['worker `maxCachedWorkflows`', d.maxCachedWorkflows],
    ['RSS above idle while waiting ÷ min(cases, cache size)', `${((d.rss.waitingMean - d.rss.idle) / Math.min(d.cases, d.maxCachedWorkflows) / 1024 ** 2).toFixed(2)} MiB`],
    ['all approved through the API and completed in', `${fmt(d.approveSeconds)} s (${fmt(d.cases / d.approveSeconds, 1)} cases/s)`],
    ['approve request p50 / p99', `${fmt(d.approveP50Ms)} / ${fmt(d.approveP99Ms)} ms`],
    ['completed / lost / failed', `${d.completed} / ${d.lost} / ${d.failed}`],
    ['emails received (2 per case expected)', `${d.emails} / ${d.cases * 2}`],
  ];
  return [
    `### Scale (${profileLabel(r)})`,
    '',
    runLine(r.run),
    '',
    table(['', ''], rows),
    '',
    'Cases start through the API (five uploads and a POST each) and wait for review; the bench',
    'samples the worker process\'s `process.memoryUsage()` once a second, then approves every case',
    'through the API and waits until visibility counts all of them completed, then lists them to',
    'check that none is missing or failed. RSS includes the workflow thread, where the workflows',
    'run; the main thread\'s V8 heap stays small, so the growth is there. It is live memory, not',
    'garbage (a worker whose heap is capped at 400 MB runs out of it before 500 cases are cached):',
    'each cached workflow evaluates the bundle\'s modules afresh in the reusable V8 context, zod',
    'and libphonenumber-js\'s metadata included.',
    '`maxCachedWorkflows` (`WORKER_MAX_CACHED_WORKFLOWS`, `--cache` here) bounds it; past the cache,',
    'a workflow\'s next task replays its history, hence the slower approval rate at 10,000 cases.',
  ].join('\n');
}

function renderChaos(r: PartResult): string {
  const rows = (r.data.scenarios as any[]).map((s) => [s.name, s.outcome, s.figures]);
  return ['### Chaos (`npm run chaos`)', '', runLine(r.run), '', table(['scenario', 'outcome', 'figures'], rows)].join('\n');
}

const RENDER: Record<PartResult['part'], (r: PartResult) => string> = {
  throughput: renderThroughput,
  latency: renderLatency,
  history: renderHistory,
  scale: renderScale,
  chaos: renderChaos,
};

export function renderBenchmarks(file = BENCHMARKS_MD): void {
  const results = readResults();
  const byPart = (part: PartResult['part']) => results.filter((r) => r.part === part).sort((a, b) => (a.run.profile < b.run.profile ? -1 : 1));
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
    'at the full sizes; `--only throughput,latency,history,scale` picks parts, and `--n`,',
    '`--concurrency`, `--latency-requests`, `--latency-concurrency`, `--scale`, `--scale-concurrency`,',
    '`--kinds`, `--warmup` and `--cache` (or `BENCH_N`, `BENCH_CONCURRENCY`, ... in the environment)',
    'override sizes and the worker\'s sticky cache.',
    '',
    '## Performance',
    '',
    section('throughput'),
    '',
    section('latency'),
    '',
    section('history'),
    '',
    section('scale'),
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
