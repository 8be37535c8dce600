/**
 * The journey's picture, computed from what its cases last reported: which numbers work, and the
 * milestones with the cases behind them. Pure: the journey workflow keeps the reports and calls it.
 */
import type { JourneySummary } from './journey';

/** What the picture needs of a case's latest report (a `CaseReport` has all of it). */
export interface ReportedCase {
  caseId: string;
  kind: string;
  status: JourneySummary['cases'][number]['status'];
  stage: string;
  /** When it reported, and its report's sequence, to order reports of the same moment. */
  at: number;
  seq: number;
  numbers?: string[] | undefined;
  inService?: boolean | undefined;
  instanceId?: string | undefined;
}

/** When the journey reached each milestone (ISO times). */
export interface MilestoneTimes {
  startedAt: string;
  realNamedAt?: string | undefined;
  verifiedAt?: string | undefined;
  instanceAt?: string | undefined;
  readyAt?: string | undefined;
}

/** Numbers in service now, by the latest word of the cases that brought them in or took them out. */
export function workingNumbers(cases: readonly ReportedCase[]): JourneySummary['numbers'] {
  const working = new Map<string, JourneySummary['numbers'][number]>();
  const reports = cases.filter((r) => r.numbers?.length).sort((a, b) => a.at - b.at || a.seq - b.seq);
  for (const r of reports) {
    const live = r.inService === true && r.status !== 'failed' && r.status !== 'cancelled';
    for (const n of r.numbers!) {
      if (live) working.set(n, { number: n, caseId: r.caseId, ...(r.instanceId ? { instanceId: r.instanceId } : {}) });
      else working.delete(n);
    }
  }
  return [...working.values()];
}

type MilestoneStatus = 'done' | 'in-progress' | 'not-started';
const status = (done: string | undefined, started: boolean): MilestoneStatus =>
  done ? 'done' : started ? 'in-progress' : 'not-started';

export function journeySummary(input: {
  milestones: MilestoneTimes;
  cases: readonly ReportedCase[];
  instances: JourneySummary['instances'];
  stalledOn: JourneySummary['stalledOn'];
  /** Whether a kind brings number access (the kinds that are not the journey's own steps). */
  isNumberAccess: (kind: string) => boolean;
}): JourneySummary {
  const { milestones, cases } = input;
  const numbers = workingNumbers(cases);
  const ofKind = (kind: string) => cases.filter((r) => r.kind === kind);
  const verification = ofKind('enterprise-verification');
  const realNameCases = ofKind('enterprise-real-name');
  const instanceCases = ofKind('contact-center-instance');
  const access = cases.filter((r) => input.isNumberAccess(r.kind));
  // An approved qualification counts as real-named (it covered both before they were apart).
  const realNamedAt = milestones.realNamedAt ?? milestones.verifiedAt;
  return {
    milestones: [
      { name: 'registered', status: 'done', at: milestones.startedAt, caseIds: [] },
      {
        name: 'real-named',
        status: status(realNamedAt, realNameCases.length > 0),
        ...(realNamedAt ? { at: realNamedAt } : {}),
        caseIds: realNameCases.map((r) => r.caseId),
      },
      {
        name: 'verified',
        status: status(milestones.verifiedAt, verification.length > 0),
        ...(milestones.verifiedAt ? { at: milestones.verifiedAt } : {}),
        caseIds: verification.map((r) => r.caseId),
      },
      {
        name: 'instance-created',
        status: status(milestones.instanceAt, instanceCases.length > 0 || input.instances.length > 0),
        ...(milestones.instanceAt ? { at: milestones.instanceAt } : {}),
        caseIds: instanceCases.map((r) => r.caseId),
      },
      {
        name: 'number-access',
        status: numbers.length > 0 ? 'done' : access.length > 0 ? 'in-progress' : 'not-started',
        caseIds: access.map((r) => r.caseId),
      },
      {
        name: 'ready',
        status: numbers.length > 0 ? 'done' : 'not-started',
        ...(milestones.readyAt ? { at: milestones.readyAt } : {}),
        caseIds: [...new Set(numbers.map((n) => n.caseId))],
      },
    ],
    instances: input.instances,
    numbers,
    cases: cases.map((r) => ({ id: r.caseId, kind: r.kind, status: r.status, stage: r.stage })),
    stalledOn: input.stalledOn,
  };
}
