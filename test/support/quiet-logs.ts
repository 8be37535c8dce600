/**
 * Worker logs in tests: kept in memory while a test runs and printed only when it fails, so a
 * green run prints no worker lines and a red one shows what the worker did around the failure.
 * `TEST_WORKER_LOG=all` streams every line instead (as a worker outside tests logs).
 */
import { inspect } from 'node:util';
import { afterEach, beforeEach } from 'vitest';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

/** The last lines kept: a long test's log is cut from its start. */
const KEEP = 2_000;
const lines: string[] = [];

function line(entry: LogEntry): string {
  const at = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  return `${at} [${entry.level}] ${entry.message}${entry.meta ? ` ${inspect(entry.meta, { breakLength: Infinity, depth: 4 })}` : ''}`;
}

// One runtime per process; files sharing a process (isolate: false) install it once.
const installed = globalThis as { quietWorkerLogs?: boolean };
if (process.env.TEST_WORKER_LOG !== 'all' && !installed.quietWorkerLogs) {
  installed.quietWorkerLogs = true;
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry) => {
      lines.push(line(entry));
      if (lines.length > KEEP) lines.splice(0, lines.length - KEEP);
    }),
  });
}

// Lines logged before a test (its file's start-up) belong to it; a passing test's are dropped.
beforeEach(({ onTestFailed, task }) => {
  onTestFailed(() => {
    if (lines.length === 0) return;
    process.stderr.write(`\n--- worker log for "${task.name}" (last ${lines.length} lines) ---\n`);
    process.stderr.write(`${lines.join('\n')}\n--- end of worker log ---\n`);
  });
});

afterEach(({ task }) => {
  if (task.result?.state !== 'fail') lines.length = 0;
});
