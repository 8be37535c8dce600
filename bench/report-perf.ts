/** Sections of BENCHMARKS.md for the workflow layer's parts: throughput, latency, history, scale and the profile. */
import type { CpuPerCase } from './cpu';
import type { PartResult } from './report';
import {
  EARLIER_BENCH,
  columnTable,
  fmt,
  heading,
  mib,
  perMiB,
  profileLabel,
  samplesLine,
  shapeLine,
  table,
} from './report-format';

const CPU_GROUPS: [keyof CpuPerCase, string][] = [
  ['temporal', 'Temporal server'],
  ['worker', 'worker process'],
  ['api', 'API process'],
  [
    'benchProcess',
    'bench process (billing and platform sandboxes, SMTP sink, drivers, approver; the API too in runs before it had its own process)',
  ],
  ['postgres', 'PostgreSQL'],
  ['other', 'the rest of the machine (Kamailio, SIPp, the OS)'],
  ['machine', '**whole machine**'],
];

/** CPU per measured case by process, product against baseline: the machine's time each case costs. */
type CpuKind = { kind: string; cpu: { product: CpuPerCase; baseline: CpuPerCase } };
function cpuByProcess(kinds: { kind: string; cpu?: CpuKind['cpu'] }[]): string[] {
  const measured = kinds.filter((k): k is CpuKind => k.cpu !== undefined);
  if (!measured.length) return [];
  const cell = (k: CpuKind, g: keyof CpuPerCase) => `${fmt(k.cpu.product[g], 0)} / ${fmt(k.cpu.baseline[g], 0)}`;
  const bound = (k: CpuKind) => {
    const p = k.cpu.product;
    const b = k.cpu.baseline;
    // Were the worker free beyond the baseline's worker, the machine's CPU per case would be this.
    const workerFree = p.machine - (p.worker - b.worker);
    return `${fmt(b.machine / p.machine, 2)} (worker at the baseline's cost: ${fmt(b.machine / workerFree, 2)})`;
  };
  return [
    'CPU per measured case by process, ms (product / baseline), from `/proc` over each timed window:',
    '',
    table(
      ['process', ...measured.map((k) => `\`${k.kind}\``)],
      [
        ...CPU_GROUPS.map(([g, label]) => [label, ...measured.map((k) => cell(k, g))]),
        [
          'baseline / product CPU per case: the throughput ratio the machine allows when CPU-bound',
          ...measured.map(bound),
        ],
      ],
    ),
    '',
  ];
}

export function renderThroughput(r: PartResult): string {
  const kinds = r.data.kinds as any[];
  const earlier = kinds.some((k) => k.baseline.opensWithUpdate === undefined);
  return [
    ...heading(`### Throughput (${profileLabel(r)})`, r),
    columnTable(kinds, [
      ['kind', (k) => `\`${k.kind}\``],
      ['cases', (k) => k.cases],
      ['concurrency', (k) => k.concurrency],
      ['product cases/s', (k) => `${fmt(k.product.casesPerSecond, 2)} (${fmt(k.product.seconds)} s)`],
      ['baseline cases/s', (k) => `${fmt(k.baseline.casesPerSecond, 2)} (${fmt(k.baseline.seconds)} s)`],
      ['product / baseline', (k) => `**${fmt(k.ratio, 3)}**`],
      [
        'shape copied by the baseline',
        (k) =>
          `${shapeLine(k.shape)}${k.baseline.opensWithUpdate ? `; opened with update-with-start \`${k.baseline.opensWithUpdate}\`` : ''}${
            k.baselineSleeps && Object.keys(k.baselineSleeps).length
              ? `; sleeps ${Object.entries(k.baselineSleeps as Record<string, number>)
                  .map(([n, ms]) => `\`${n}\` ${fmt(ms / 1000, 1)} s`)
                  .join(', ')}`
              : ''
          }`,
      ],
      [
        'worker RSS max: product / baseline',
        (k) =>
          k.workerRssMaxBytes
            ? `${mib(k.workerRssMaxBytes)}${k.baseline.workerRssMaxBytes ? ` / ${mib(k.baseline.workerRssMaxBytes)}` : ''}`
            : '–',
      ],
      [
        'memory samples taken / failed: product; baseline',
        (k) =>
          k.memorySamples
            ? `${k.memorySamples.taken} / ${k.memorySamples.failed}${k.baseline.memorySamples ? `; ${k.baseline.memorySamples.taken} / ${k.baseline.memorySamples.failed}` : ''}`
            : '–',
      ],
    ]),
    '',
    ...cpuByProcess(kinds),
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

export function renderLatency(r: PartResult): string {
  const rows = (r.data.rows as any[]).map((x) => [
    x.label,
    x.samples,
    fmt(x.p50Ms),
    fmt(x.p99Ms),
    x.ratioTo ? `${fmt(x.ratioP50, 1)}× / ${fmt(x.ratioP99, 1)}×` : '',
    x.ratioTo ?? '',
  ]);
  return [
    ...heading(`### API latency (${profileLabel(r)})`, r),
    table(['operation', 'samples', 'p50 ms', 'p99 ms', 'ratio p50 / p99', 'ratio to'], rows),
    '',
    ...(r.data.warmup === undefined ? [EARLIER_BENCH, ''] : []),
    `Concurrency ${r.data.concurrency}${r.data.warmup !== undefined ? `, after ${r.data.warmup} warm-up requests of each operation; the operations run interleaved (in rotation, not one block after another), so each row sees the same load` : ''}.`,
    'Every start is a fresh case; every read is of a case started before the timed requests and',
    `waiting for review. Over HTTP with keep-alive to the API ${r.data.api === 'process' ? 'in its own process, as `npm start` and compose run it' : 'in the bench process'}.`,
    '`POST /v1/onboardings` pre-checks the documents and starts the workflow with `workflow.start`,',
    'answering with the opening its kind declares (no worker in the way); `GET /v1/onboardings/{id}`',
    "is one describe: the case's state is in its memo (tenant check and state from the same answer).",
    'The raw rows make the Temporal calls alone, without HTTP, validation or rendering; the update-with-start',
    'and query rows are what a POST and a GET cost when they waited for a worker.',
  ].join('\n');
}

export function renderHistory(r: PartResult): string {
  return [
    ...heading(`### History (${profileLabel(r)})`, r),
    columnTable(r.data.kinds as any[], [
      ['kind', (k) => `\`${k.kind}\``],
      ['cases', (k) => k.stats.cases],
      ['events min / mean / max', (k) => `${k.stats.eventsMin} / ${fmt(k.stats.eventsMean)} / ${k.stats.eventsMax}`],
      ['largest payload (bytes)', (k) => k.stats.largestPayload.bytes],
      ['in', (k) => `${k.stats.largestPayload.eventType} \`${k.stats.largestPayload.field}\``],
      ['largest history (bytes, protobuf)', (k) => k.stats.historyBytesMax],
      [
        'per case',
        (k) =>
          `${k.shape.activities} activities, ${k.shape.updates} updates, ${k.shape.signals} signals, ${k.shape.timers} timers, ${k.shape.childWorkflows} children, ${k.shape.searchAttributeUpserts} SA upserts`,
      ],
    ]),
    '',
    'From the histories of the throughput cases (the happy path: approved at the first review).',
  ].join('\n');
}

export function renderScale(r: PartResult): string {
  const d = r.data;
  const b = d.baseline;
  const drained = d.cases - (d.sample?.cases ?? 0);
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
    ...(d.sample
      ? [
          [
            `approve request p50 / p99, ${d.sample.cases} approvals spread over the ${d.cases} open`,
            `**${fmt(d.sample.approveP50Ms)} / ${fmt(d.sample.approveP99Ms)} ms**`,
            '–',
          ],
        ]
      : []),
    [
      d.sample ? `the other ${drained} approved back to back and completed in` : 'all approved and completed in',
      `${fmt(d.approveSeconds)} s through the API (${fmt(drained / d.approveSeconds, 1)} cases/s)`,
      b ? `${fmt(b.approveSeconds)} s, \`${b.parkedOn}\` update (${fmt(d.cases / b.approveSeconds, 1)} cases/s)` : '–',
    ],
    [
      d.sample ? `approve request p50 / p99 of those ${drained}` : 'approve request p50 / p99',
      `${fmt(d.approveP50Ms)} / ${fmt(d.approveP99Ms)} ms`,
      b ? `${fmt(b.approveP50Ms)} / ${fmt(b.approveP99Ms)} ms` : '–',
    ],
    ...(d.reference
      ? [
          [
            `approve request p50 / p99 with ${d.reference.cases} open (same worker, after)`,
            `**${fmt(d.reference.approveP50Ms)} / ${fmt(d.reference.approveP99Ms)} ms**`,
            '–',
          ],
        ]
      : []),
    ['completed / lost / failed', `${d.completed} / ${d.lost} / ${d.failed}`, '–'],
    ...(d.notAwaited !== undefined
      ? [['approvals answered 409 "not awaited" (the case completed all the same)', d.notAwaited, '–']]
      : []),
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
    ...heading(
      `### Scale (${profileLabel(r)}${d.cases !== 10_000 && r.run.profile === 'full' ? `, ${d.cases} cases` : ''})`,
      r,
    ),
    table(['', 'product (enterprise verification)', 'baseline of the same shape'], rows),
    '',
    ...(b ? [] : [EARLIER_BENCH, '']),
    'Cases start through the API (five uploads and a POST each) and wait for review.',
    ...(d.sample
      ? [
          `First ${d.reference?.cases ?? 100} cases are opened and approved in one burst: the approval latency with few open.`,
          'Then all the cases above are opened; once each awaits review and support has its email, the',
          "bench samples the worker process's `process.memoryUsage()` once a second for 15 s and approves",
          `${d.sample.cases} of them, spread from the first opened (long out of the cache) to the last, at the same`,
          'concurrency, waiting for those to complete: the approval latency with all of them open. The two',
          'bold bursts are the same size at the same concurrency, so their ratio is what the open cases cost',
          'an approval. Then it approves the rest back to back (a throughput figure: later requests queue',
          "behind the earlier approvals' activities and closing tasks), waits until visibility counts every",
          'case completed and lists them to check that none is missing or failed. Then, in the same run and on the same',
        ]
      : [
          "The bench samples the worker process's `process.memoryUsage()` once a second for 15 s, then approves",
          'every case through the API and waits until visibility counts all of them completed, then lists',
          `them to check that none is missing or failed. Then ${d.reference?.cases ?? 100} more cases are opened and approved the`,
          'same way: the approval latency with few cases open, for the ratio. Then, in the same run and on the same',
        ]),
    "server, the baseline: as many baseline workflows of the verification's recorded shape, started",
    'with update-with-start on a worker of their own with the same `maxCachedWorkflows`, parked on',
    "the `approve` update; its worker's memory is sampled the same way, then every one is sent its",
    'update. RSS includes the workflow threads, where the workflows run.',
    ...(d.memoryAfterCollect
      ? [
          "Each worker's idle figure and its waiting window start with a full garbage collection of its main",
          'thread (`--expose-gc`), so what opening left there (uploads, pre-checks, emails) is not counted as',
          "the cache's; the workflow threads collect on their own.",
        ]
      : []),
    '`maxCachedWorkflows` (`WORKER_MAX_CACHED_WORKFLOWS`, `--cache` here, for both workers) bounds it;',
    "past the cache, a workflow's next task replays its history.",
  ].join('\n');
}

export function renderProfile(r: PartResult): string {
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
    ...heading("### Where the worker's time goes (`node --cpu-prof`)", r),
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
