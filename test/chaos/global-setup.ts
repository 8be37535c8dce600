/**
 * `npm run chaos`: bundles the workflows once and, when every file has run, renders what the
 * scenarios recorded into bench/results/chaos.default.json and BENCHMARKS.md.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { renderBenchmarks, runInfo, writeResult } from '../../bench/report';
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
      ...runInfo('default', 'npm run chaos', params, await resolveTemporalCli()),
      durationSeconds: (Date.now() - began) / 1000,
    };
    writeResult({ part: 'chaos', run, data: { scenarios } });
    renderBenchmarks();
    rmSync(resultsFile, { force: true });
  };
}
