/**
 * `npm run chaos`: bundles the workflows once and, when every file has run, renders what the
 * scenarios recorded into bench/results/chaos.default.json and BENCHMARKS.md.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { renderBenchmarks, RESULTS_DIR, runInfo, writeResult } from '../../bench/report';
import { resolveTemporalCli } from '../../dev/temporal-cli';
import { bundleWorkflows } from '../support/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    chaosBundlePath: string;
    chaosResultsFile: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const began = Date.now();
  const resultsFile = path.join(os.tmpdir(), `chaos-results-${process.pid}.jsonl`);
  rmSync(resultsFile, { force: true });
  const bundlePath = await bundleWorkflows();
  project.provide('chaosBundlePath', bundlePath);
  project.provide('chaosResultsFile', resultsFile);
  return async () => {
    rmSync(path.dirname(bundlePath), { recursive: true, force: true });
    if (!existsSync(resultsFile) || process.env.CHAOS_NO_WRITE === '1') return;
    const scenarios = readFileSync(resultsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as unknown);
    const params = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('CHAOS_')));
    const run = {
      ...runInfo('default', chaosCommand(), params, await resolveTemporalCli()),
      durationSeconds: (Date.now() - began) / 1000,
    };
    writeResult({ part: 'chaos', run, data: { scenarios: [...scenarios, ...carriedOver(scenarios)] } });
    renderBenchmarks();
    rmSync(resultsFile, { force: true });
  };
}

interface ChaosScenario {
  name: string;
  outcome: string;
  figures: string;
  /** Set on a scenario kept from an earlier run (this run did not include its file). */
  ranIn?: { date: string; commit: string };
}

/**
 * A run of some of the files (`npm run chaos -- test/chaos/x.test.ts`) keeps the other scenarios'
 * figures from the run that last measured them, each marked with that run.
 */
function carriedOver(scenarios: unknown[]): ChaosScenario[] {
  const file = path.join(RESULTS_DIR, 'chaos.default.json');
  if (!existsSync(file)) return [];
  const previous = JSON.parse(readFileSync(file, 'utf8')) as {
    run: { date: string; commit: string };
    data: { scenarios: ChaosScenario[] };
  };
  const names = new Set((scenarios as ChaosScenario[]).map((s) => s.name));
  return previous.data.scenarios
    .filter((s) => !names.has(s.name))
    .map((s) => ({ ...s, ranIn: s.ranIn ?? { date: previous.run.date, commit: previous.run.commit } }));
}

/** `npm run chaos`, with the files when the run was given some. */
function chaosCommand(): string {
  const files = process.argv.slice(2).filter((a) => /^test\/chaos\/.*\.test\.ts$/.test(a));
  return files.length ? `npm run chaos -- ${files.join(' ')}` : 'npm run chaos';
}
