/**
 * Where figures go: each part of a run is written as JSON under bench/results/ (one file per
 * part and profile, replaced by the next run of that part and profile), and BENCHMARKS.md is
 * rendered from every file there, so a run of one part leaves the others' figures in place.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderChaos, renderSbcRules, renderTopology, renderWebhooks } from './report-other';
import { fmt, mib, perMiB, table } from './report-format';
import { renderHistory, renderLatency, renderProfile, renderScale, renderThroughput } from './report-perf';

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
  // Runs before the sampled burst compared the whole back-to-back drain with the reference burst.
  const atScale: number = d?.sample?.approveP99Ms ?? d?.approveP99Ms;
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
    d?.reference && atScale / d.reference.approveP99Ms,
    2,
    true,
    d?.reference
      ? `${fmt(atScale / d.reference.approveP99Ms, 2)}x (${fmt(atScale, 0)} vs ${fmt(d.reference.approveP99Ms, 0)} ms${d.sample ? `, bursts of ${d.sample.cases}` : ', all approved back to back'})`
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
  // A GET is one describe: the server's own describe in the same run is its floor.
  const get = first('GET /v1/onboardings/{id}');
  const describe = find('raw describe (the Temporal call of a GET)');
  row(
    '`GET /v1/onboardings/{id}` p50 / p99 <= 30 / 100 ms, concurrency 8',
    get && Math.max(get.p50Ms / 30, get.p99Ms / 100),
    1,
    true,
    get
      ? `${fmt(get.p50Ms)} / ${fmt(get.p99Ms)} ms${describe ? ` (raw describe in the same run: ${fmt(describe.p50Ms)} / ${fmt(describe.p99Ms)} ms)` : ''}`
      : '',
    lat,
  );
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
