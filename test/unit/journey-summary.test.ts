import { describe, expect, it } from 'vitest';
import { journeySummary, workingNumbers, type ReportedCase } from '../../domain/journey-summary';

const report = (r: Partial<ReportedCase> & Pick<ReportedCase, 'caseId' | 'kind'>): ReportedCase => ({
  status: 'running',
  stage: 's',
  at: 1,
  seq: 1,
  ...r,
});
const isNumberAccess = (kind: string) =>
  !['enterprise-verification', 'enterprise-real-name', 'contact-center-instance'].includes(kind);

describe('the journey summary', () => {
  it('keeps a number working by the latest word of its cases, in report order', () => {
    const bought = report({
      caseId: 'p1',
      kind: 'number-subscription',
      inService: true,
      numbers: ['020-1', '020-2'],
      at: 1,
    });
    const released = report({
      caseId: 'p1',
      kind: 'number-subscription',
      status: 'completed',
      inService: false,
      numbers: ['020-2'],
      at: 2,
    });
    const failed = report({
      caseId: 'p2',
      kind: 'number-purchase',
      status: 'failed',
      inService: true,
      numbers: ['020-3'],
      at: 3,
    });
    // Listed out of order: the later release still wins.
    expect(workingNumbers([released, bought, failed])).toEqual([{ number: '020-1', caseId: 'p1' }]);
    const sameMoment = report({
      caseId: 'p3',
      kind: 'sip-trunk',
      inService: true,
      numbers: ['020-4'],
      at: 5,
      seq: 2,
      instanceId: 'cc-1',
    });
    const earlierSeq = report({ caseId: 'p3', kind: 'sip-trunk', inService: false, numbers: ['020-4'], at: 5, seq: 1 });
    expect(workingNumbers([sameMoment, earlierSeq])).toEqual([{ number: '020-4', caseId: 'p3', instanceId: 'cc-1' }]);
  });

  it('marks milestones from their times and the cases behind them', () => {
    const cases = [
      report({ caseId: 'v', kind: 'enterprise-verification', status: 'completed' }),
      report({ caseId: 'i', kind: 'contact-center-instance' }),
      report({ caseId: 'n', kind: 'number-purchase' }),
    ];
    const s = journeySummary({
      milestones: { startedAt: 't0', verifiedAt: 't1' },
      cases,
      instances: [],
      stalledOn: 'support',
      isNumberAccess,
    });
    const byName = Object.fromEntries(s.milestones.map((m) => [m.name, m]));
    // An approved qualification counts as real-named.
    expect(byName['real-named']).toEqual({ name: 'real-named', status: 'done', at: 't1', caseIds: [] });
    expect(byName['verified']).toMatchObject({ status: 'done', caseIds: ['v'] });
    expect(byName['instance-created']).toMatchObject({ status: 'in-progress', caseIds: ['i'] });
    expect(byName['number-access']).toMatchObject({ status: 'in-progress', caseIds: ['n'] });
    expect(byName['ready']).toMatchObject({ status: 'not-started', caseIds: [] });
    expect(s.stalledOn).toBe('support');
    expect(s.cases.map((c) => c.id)).toEqual(['v', 'i', 'n']);
  });

  it('is ready once a number works, naming the cases that brought the numbers', () => {
    const s = journeySummary({
      milestones: { startedAt: 't0', realNamedAt: 't1', verifiedAt: 't2', instanceAt: 't3', readyAt: 't4' },
      cases: [report({ caseId: 'n', kind: 'number-subscription', inService: true, numbers: ['020-1'] })],
      instances: [{ instanceId: 'cc-1' }],
      stalledOn: null,
      isNumberAccess,
    });
    const byName = Object.fromEntries(s.milestones.map((m) => [m.name, m]));
    expect(byName['real-named']).toMatchObject({ status: 'done', at: 't1' });
    expect(byName['instance-created']).toMatchObject({ status: 'done', at: 't3' });
    expect(byName['number-access']).toMatchObject({ status: 'done' });
    expect(byName['ready']).toEqual({ name: 'ready', status: 'done', at: 't4', caseIds: ['n'] });
    expect(s.numbers).toEqual([{ number: '020-1', caseId: 'n' }]);
  });
});
