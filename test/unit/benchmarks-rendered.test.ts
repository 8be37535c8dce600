/**
 * BENCHMARKS.md is what `bench/results/*.json` render to (plus the labelled hand-written analysis
 * in bench/analysis.md): a figure edited by hand, or results committed without rendering, fail.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCHMARKS_MD, renderBenchmarks } from '../../bench/report';

const dir = mkdtempSync(path.join(os.tmpdir(), 'benchmarks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('BENCHMARKS.md', () => {
  it('is exactly what the committed results render (npx tsx bench/report.ts writes it)', () => {
    const rendered = path.join(dir, 'BENCHMARKS.md');
    renderBenchmarks(rendered);
    const lines = (file: string) => readFileSync(file, 'utf8').split('\n');
    const want = lines(rendered);
    const have = lines(BENCHMARKS_MD);
    const firstDifference = want.findIndex((line, i) => line !== have[i]);
    expect(
      firstDifference === -1 && want.length === have.length
        ? 'same'
        : `line ${firstDifference + 1}: rendered ${JSON.stringify(want[firstDifference])}, committed ${JSON.stringify(have[firstDifference])}`,
    ).toBe('same');
  });

  it('labels the hand-written analysis and renders the hostile-SIP figures', () => {
    const text = readFileSync(BENCHMARKS_MD, 'utf8');
    expect(text).toContain('**Written by hand** (`bench/analysis.md`)');
    const hostile = JSON.parse(
      readFileSync(path.join(path.dirname(BENCHMARKS_MD), 'bench', 'results', 'sbc-hostile.json'), 'utf8'),
    ) as { totalAttempts: number; relayed: number };
    expect(text).toContain(`${hostile.totalAttempts} attempts, ${hostile.relayed} relayed`);
  });
});
