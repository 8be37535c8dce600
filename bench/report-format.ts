/** Formatting shared by the sections of BENCHMARKS.md: numbers, run lines, tables. */
import { describeShape } from './history';
import type { PartResult, RunInfo } from './report';

export const fmt = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits);
export const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;

export function profileLabel(r: PartResult): string {
  return r.run.profile === 'full' ? '`--full`' : 'default sizes';
}

export function runLine(r: RunInfo): string {
  return [
    `Run ${r.date.slice(0, 16).replace('T', ' ')} UTC, commit \`${r.commit}\`, profile \`${r.profile}\`${r.durationSeconds ? `, ${fmt(r.durationSeconds / 60)} min` : ''}.`,
    `Machine: ${r.machine.nproc} CPUs (${r.machine.cpu}), ${r.machine.memoryGiB} GiB, ${r.machine.os}; Node ${r.node}; Temporal CLI: ${r.temporalCli.replace(/\n/g, ' ')}${r.machine.loadAverage1m !== undefined ? `; load average (1 min) at the end ${r.machine.loadAverage1m}` : ''}.`,
    `Reproduce: \`${r.command}\``,
  ].join('  \n');
}

/** A section's title and the line that says which run its figures come from. */
export function heading(title: string, r: PartResult): string[] {
  return [title, '', runLine(r.run), ''];
}

export function table(header: string[], rows: (string | number)[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** A table of these items, each column its header beside how an item's cell reads. */
export function columnTable<T>(items: T[], columns: [header: string, cell: (item: T) => string | number][]): string {
  return table(
    columns.map(([header]) => header),
    items.map((item) => columns.map(([, cell]) => cell(item))),
  );
}

/** A shape as copied by the baseline; results written before the baseline copied whole shapes had batches only. */
export function shapeLine(shape: any): string {
  const steps = (shape?.steps ?? []) as Record<string, unknown>[];
  if (steps.some((st) => 'activities' in st)) {
    return `${shape.activities} activities in ${steps.filter((st) => 'activities' in st).length} batches, ${shape.updates} update(s) (batches and updates only)`;
  }
  return describeShape({ steps: steps as never[] });
}

/** Results written by the bench before the baseline copied whole shapes and the latency rows ran interleaved. */
export const EARLIER_BENCH =
  'Measured with the bench of that commit, before the workflow refactor: its baseline copied activity batches and updates only (started with `workflow.start`, worker cache fixed at 1,000), its latency rows ran one block after another without warm-up, and its scale part measured the product alone. Kept for the before-and-after comparison.';

export const perMiB = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(2)} MiB`;
export const samplesLine = (c: { taken: number; failed: number } | undefined) =>
  c ? `${c.taken} taken, ${c.failed} failed` : '–';
