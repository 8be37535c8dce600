/**
 * `npm run bench`: throughput against a baseline workflow, API latency against raw Temporal
 * calls, history sizes, and scale (thousands of cases waiting at once), on a stack of its own.
 * Figures go to bench/results/*.json and BENCHMARKS.md (see report.ts).
 *
 *   npm run bench                         # every part, default sizes (a few minutes)
 *   npm run bench -- --full               # the full sizes
 *   npm run bench -- --only scale --full  # one part
 *   npm run bench -- --n 20 --kinds enterprise-verification --no-write
 *   npm run bench -- --only topology      # dev server vs the cluster's server with 1 and 2 workers
 *   npm run bench -- --only webhooks      # event delay with 100 cases in flight; webhooks on vs off
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflows, startTemporalServer } from '../test/support/stack';
import { fetchHistory, historyStats } from './history';
import { driverFor } from './kinds';
import { latency, latencyEnterprises } from './latency';
import { log, options } from './options';
import { renderBenchmarks, runInfo, writeResult, type PartResult, type RunInfo } from './report';
import { scale } from './scale';
import { benchContext, benchStack, enterprises } from './stack';
import { throughput, type ThroughputKind } from './throughput';
import { topology } from './topology';
import { webhooks } from './webhooks';
import { pool, round, runMain, stopOnFatal } from './util';

async function main(): Promise<void> {
  const o = options();
  const began = Date.now();
  const command =
    `npm run bench --${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`.replace(/ --$/, '');
  const params = { ...o, parts: o.parts.join(','), kinds: o.kinds.join(',') } as Record<string, unknown>;
  delete params.write;
  log(`profile ${o.profile}: ${JSON.stringify(params)}`);

  const server = await startTemporalServer();
  stopOnFatal(() => server.stop());
  const info = (): RunInfo => ({
    ...runInfo(o.profile, command, params, server.executable),
    durationSeconds: (Date.now() - began) / 1000,
  });
  const tag = Date.now().toString(36);
  const results: PartResult[] = [];
  // Each part is kept as soon as it is measured, so a later part failing loses only itself.
  const record = (r: PartResult) => {
    results.push(r);
    if (o.write) writeResult(r);
  };
  const bundles: string[] = [];
  const stopServices: (() => Promise<void>)[] = [];
  try {
    const [productBundle, baselineBundle] = await Promise.all([
      bundleWorkflows(),
      bundleWorkflows(path.join(__dirname, 'baseline-workflow.ts'), 'baseline-bundle'),
    ]);
    bundles.push(productBundle, baselineBundle);
    const wantsMain = o.parts.some((p) => p !== 'scale' && p !== 'topology' && p !== 'webhooks');
    if (wantsMain) {
      const needThroughput = o.parts.includes('throughput') || o.parts.includes('history');
      const tpEnts = needThroughput ? o.n + o.warmup : 0;
      const latEnts = o.parts.includes('latency') ? latencyEnterprises(o) : 0;
      const { list, tokens } = enterprises(tag, 't', tpEnts + latEnts);
      const services = needThroughput
        ? await Promise.all(o.kinds.map(driverFor).flatMap((d) => (d.services ? [d.services()] : [])))
        : [];
      stopServices.push(...services.map((s) => s.stop));
      const stack = await benchStack(
        o,
        server,
        productBundle,
        tokens,
        Object.assign({}, ...services.map((s) => s.env)),
      );
      const ctx = benchContext(stack);
      try {
        let tp: ThroughputKind[] = [];
        if (needThroughput) {
          tp = await throughput(o, server, stack, ctx, list.slice(0, tpEnts), { baseline: baselineBundle });
          if (o.parts.includes('throughput')) {
            record({ part: 'throughput', run: info(), data: { kinds: tp.map(({ ids: _ids, ...k }) => k) } });
          }
        }
        if (o.parts.includes('history')) {
          log("history: reading the throughput cases' histories");
          const kinds = [];
          for (const k of tp) {
            const histories = await pool(Math.min(k.ids.length, 200), 8, (i) => fetchHistory(stack.client, k.ids[i]!));
            kinds.push({ kind: k.kind, stats: historyStats(histories), shape: k.shape });
          }
          record({ part: 'history', run: info(), data: { kinds } });
        }
        if (o.parts.includes('latency')) {
          record({ part: 'latency', run: info(), data: await latency(o, stack, ctx, list.slice(tpEnts)) });
        }
      } finally {
        await stack.stop();
      }
    }
    if (o.parts.includes('scale')) {
      record({ part: 'scale', run: info(), data: await scale(o, server, productBundle, baselineBundle, tag) });
    }
    if (o.parts.includes('topology')) {
      record({ part: 'topology', run: info(), data: await topology(o, server, productBundle, tag, log) });
    }
    if (o.parts.includes('webhooks')) {
      record({ part: 'webhooks', run: info(), data: await webhooks(o, server, productBundle, tag, log) });
    }
  } finally {
    for (const stop of stopServices) await stop();
    await server.stop();
    await Promise.all(bundles.map((b) => rm(path.dirname(b), { recursive: true, force: true })));
  }
  for (const r of results) {
    r.run.durationSeconds = (Date.now() - began) / 1000;
    process.stdout.write(`${JSON.stringify({ part: r.part, data: r.data }, null, 2)}\n`);
    if (o.write) writeResult(r);
  }
  if (o.write) {
    renderBenchmarks();
    log('wrote bench/results/ and BENCHMARKS.md');
  }
  log(`done in ${round((Date.now() - began) / 60_000)} min`);
}

runMain(main);
