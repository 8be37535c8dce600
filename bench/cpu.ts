/** CPU accounting from /proc: what the Temporal server, the workers, PostgreSQL, the bench process and the whole machine used. */
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuShare {
  /** CPU seconds per wall second while the cases ran (1.0 = one core busy throughout). */
  temporal: number;
  workers: number;
  /** The API's process, when it runs apart from the bench process. */
  api: number;
  postgres: number;
  benchProcess: number;
  /** Every process on the machine, from /proc/stat. */
  machine: number;
}

const TICK = 100; // USER_HZ on Linux

/**
 * utime + stime of a process, in seconds (0 once it is gone), with its reaped children's
 * (cutime + cstime): PostgreSQL's backends come and go, and their time moves to the postmaster.
 */
function processCpu(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICK;
  } catch {
    return 0;
  }
}

export function pidsWhere(match: (comm: string, cmdline: string, ppid: number) => boolean): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (match(comm, cmdline, ppid)) out.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** Busy CPU seconds of the whole machine (everything but idle and iowait). */
function machineCpu(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = cpu;
  return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / TICK;
}

export interface CpuGroups {
  temporal: () => number[];
  workers: () => number[];
  api?: () => number[];
}

/** The dev server's process: the CLI's `server start-dev` listening on `port` (found once). */
export function devServerPids(port: number): () => number[] {
  let found: number[] | undefined;
  return () =>
    (found ??= pidsWhere((_comm, cmdline) => cmdline.includes('start-dev') && cmdline.includes(String(port))));
}

/** CPU milliseconds each group used per case between two snapshots; `other` is the rest of the machine (Kamailio, SIPp, the OS). */
export function cpuPerCase(a: ReturnType<typeof cpuSnapshot>, b: ReturnType<typeof cpuSnapshot>, cases: number) {
  // CPU seconds per wall second over `cases / 1000` seconds is CPU milliseconds per case.
  const ms = cpuShare(a, b, cases / 1000);
  const own = ms.temporal + ms.workers + ms.api + ms.postgres + ms.benchProcess;
  return {
    temporal: ms.temporal,
    worker: ms.workers,
    api: ms.api,
    postgres: ms.postgres,
    benchProcess: ms.benchProcess,
    other: Math.max(0, ms.machine - own),
    machine: ms.machine,
  };
}
export type CpuPerCase = ReturnType<typeof cpuPerCase>;

export function cpuSnapshot(groups: CpuGroups) {
  const sum = (pids: number[]) => pids.reduce((s, pid) => s + processCpu(pid), 0);
  const self = process.cpuUsage();
  return {
    temporal: sum(groups.temporal()),
    workers: sum(groups.workers()),
    api: sum(groups.api?.() ?? []),
    postgres: sum(pidsWhere((comm) => comm === 'postgres')),
    benchProcess: (self.user + self.system) / 1e6,
    machine: machineCpu(),
  };
}

/** CPU seconds each group used between two snapshots. */
export function cpuShare(
  a: ReturnType<typeof cpuSnapshot>,
  b: ReturnType<typeof cpuSnapshot>,
  seconds: number,
): CpuShare {
  const share = (k: keyof CpuShare) => Math.max(0, b[k] - a[k]) / seconds;
  return {
    temporal: share('temporal'),
    workers: share('workers'),
    api: share('api'),
    postgres: share('postgres'),
    benchProcess: share('benchProcess'),
    machine: share('machine'),
  };
}
