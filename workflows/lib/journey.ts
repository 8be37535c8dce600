/**
 * What an enterprise's journey keeps in view: its cases' latest reports, its instances, its
 * milestones, and who is holding it up. The journey (enterprise-onboarding.ts) follows it stage
 * by stage; nothing here starts or holds up a case.
 */
import { condition, continueAsNew, upsertSearchAttributes } from '@temporalio/workflow';
import type { CaseReport, VerifiedEnterprise } from '../../contract/case';
import type { EnterpriseOnboardingInput, JourneyMilestones } from '../../contract/inputs';
import type { JourneySummary } from '../../domain/journey';
import type { journeySummary, workingNumbers } from '../../domain/journey-summary';
import { StalledOnKey } from '../../domain/search-attributes';
import { isoAt, now, type OnboardingCase, type Wait } from './case';

/** Steps carried across continue-as-new. */
const CARRIED_STEPS = 20;

/** How the journey names the cases it follows; any other kind gives number access. */
export const RELATION: Partial<Record<CaseReport['kind'], string>> = {
  'enterprise-real-name': 'real-name verification',
  'enterprise-verification': 'verification',
  'contact-center-instance': 'contact-center instance',
  'number-subscription': 'numbers in service',
};

export type JourneyStage =
  'verifying-real-name' | 'verifying' | 'creating-instance' | 'awaiting-number-access' | 'ready';

/** The domain's pure rules for the picture (the workflow imports them; this helper only their types). */
export interface JourneyRules {
  journeySummary: typeof journeySummary;
  workingNumbers: typeof workingNumbers;
}

export class Journey {
  readonly id: string;
  readonly enterpriseId: string;
  readonly milestones: JourneyMilestones;
  readonly cases = new Map<string, CaseReport>();
  readonly instances: Map<string, { instanceId: string; centerName?: string; caseId?: string }>;
  verified: VerifiedEnterprise | undefined;
  /** The approved real-name verification: enough for the instance (seed 002 step 3). */
  realNamed: VerifiedEnterprise | undefined;
  contactEmail: string;
  companyName: string;
  /** Reports handled by this run: enough of them and the journey continues as new. */
  reportsThisRun = 0;
  private changed = 0;
  private stalledOn: JourneySummary['stalledOn'] = null;
  private reminders = 0;
  private lastReminder = 0;
  private readonly toldSupport = new Set<string>();
  /** When each of the journey's own waits began: a wait is stalled by its age, not by the last report. */
  private readonly ownSince = new Map<string, string>();

  constructor(
    readonly c: OnboardingCase<'enterprise-onboarding'>,
    private readonly input: EnterpriseOnboardingInput,
    private readonly rules: JourneyRules,
  ) {
    this.id = c.state.id;
    this.enterpriseId = input.enterpriseId;
    this.milestones = { startedAt: isoAt(now()), ...input.milestones };
    this.instances = new Map(input.instances.map((i) => [i.instanceId, { ...i }]));
    this.contactEmail = input.contactEmail;
    this.companyName = input.companyName;
  }

  /** A case's latest report: links it, and moves the milestones it reaches. */
  take(r: CaseReport): void {
    const { c, milestones } = this;
    const before = this.cases.get(r.caseId);
    if (before && (before.at > r.at || (before.at === r.at && before.seq >= r.seq))) return;
    this.cases.set(r.caseId, r);
    c.relate(r.caseId, r.kind, RELATION[r.kind] ?? 'number access');
    if (r.kind === 'enterprise-verification' && r.status === 'completed' && r.verified) {
      this.verified = r.verified;
      this.approved(r, r.verified, 'verifiedAt', 'verified');
    }
    if (r.kind === 'enterprise-real-name' && r.status === 'completed' && r.verified) {
      this.realNamed = r.verified;
      this.approved(r, r.verified, 'realNamedAt', 'real-named');
    }
    if (r.kind === 'contact-center-instance' && r.instanceId && r.inService) {
      this.instances.set(r.instanceId, {
        ...this.instances.get(r.instanceId),
        instanceId: r.instanceId,
        caseId: r.caseId,
      });
      if (!milestones.instanceAt) {
        milestones.instanceAt = isoAt(r.at);
        c.step('contact center created', 'done', `${r.instanceId} (${r.caseId})`);
        c.emit('journey.milestone', {
          milestone: 'instance',
          at: milestones.instanceAt,
          caseId: r.caseId,
          instanceId: r.instanceId,
        });
      }
    }
    if (!before) c.step('case linked', 'done', `${r.kind} ${r.caseId}`);
    else if (before.status === 'running' && r.status !== 'running')
      c.step(`case ${r.status}`, 'done', `${r.kind} ${r.caseId}`);
    this.changed++;
  }

  /** An approved verification names who to tell; its first approval is a milestone. */
  private approved(
    r: CaseReport,
    verified: VerifiedEnterprise,
    at: 'verifiedAt' | 'realNamedAt',
    milestone: 'verified' | 'real-named',
  ): void {
    this.contactEmail = verified.contactEmail;
    this.companyName = verified.companyName;
    if (this.milestones[at]) return;
    this.milestones[at] = isoAt(r.at);
    this.c.step(milestone, 'done', r.caseId);
    this.c.emit('journey.milestone', { milestone, at: this.milestones[at], caseId: r.caseId });
  }

  workingNumbers() {
    return this.rules.workingNumbers([...this.cases.values()]);
  }

  numberCases(): CaseReport[] {
    return [...this.cases.values()].filter((r) => !RELATION[r.kind]);
  }

  verificationCaseId(): string {
    return 'start' in this.input.verification ? `verification-${this.enterpriseId}` : this.input.verification.follow;
  }

  /** What the journey's cases await now, each with its case. */
  private casesAwaiting(): Wait[] {
    return (
      [...this.cases.values()]
        // A case in service waits only on optional actions (a re-issue, a renewal): not the journey's concern.
        .filter((r) => r.status === 'running' && !r.inService)
        .flatMap((r) => r.awaiting.map((a): Wait => ({ ...a, caseId: r.caseId })))
    );
  }

  private summary(): JourneySummary {
    return this.rules.journeySummary({
      milestones: this.milestones,
      cases: [...this.cases.values()],
      instances: [...this.instances.values()],
      stalledOn: this.stalledOn,
      isNumberAccess: (kind) => !RELATION[kind as CaseReport['kind']],
    });
  }

  /**
   * Shows `stage` with the journey's own waits and its cases' waits, and waits until `done`, or
   * until the run has handled enough reports to continue as new. Meanwhile: the enterprise is
   * reminded when a wait on it is older than the stall time (and again every `remindEveryMs`),
   * support is told once of each wait on it past its due time.
   */
  async follow(stage: JourneyStage, own: () => Wait[], done: () => boolean): Promise<void> {
    const { c, id } = this;
    const { timings } = this.input;
    for (;;) {
      const mine = own();
      for (const key of this.ownSince.keys()) if (!mine.some((w) => w.for === key)) this.ownSince.delete(key);
      for (const w of mine) {
        if (!this.ownSince.has(w.for!)) this.ownSince.set(w.for!, isoAt(now()));
        w.since = this.ownSince.get(w.for!);
      }
      const waits = [...mine, ...this.casesAwaiting()];
      const t = now();
      const sinceOf = (w: Wait) => (w.since ? Date.parse(w.since) : t);
      const onEnterprise = waits.filter((w) => w.role === 'enterprise' && t - sinceOf(w) >= timings.stallAfterMs);
      const overdue = waits.filter((w) => w.role === 'support' && w.dueAt && Date.parse(w.dueAt) <= t);
      this.tell(t, onEnterprise, overdue);
      c.state.result = this.summary();
      c.enter(
        stage,
        [],
        waits.sort((a, b) => (a.dueAt ?? '9').localeCompare(b.dueAt ?? '9')),
      );
      if (done()) return;
      if (this.reportsThisRun >= timings.reportsPerRun) await this.carryOn();

      // Wake on the next report, or when a wait will stall or fall due.
      const wakeAt = Math.min(
        ...waits
          .filter((w) => w.role === 'enterprise')
          .map((w) => Math.max(sinceOf(w) + timings.stallAfterMs, this.lastReminder + timings.remindEveryMs)),
        ...waits
          .filter((w) => w.role === 'support' && w.dueAt && !this.toldSupport.has(supportKey(w, id)))
          .map((w) => Date.parse(w.dueAt!)),
      );
      const seen = this.changed;
      await (Number.isFinite(wakeAt)
        ? condition(() => this.changed !== seen, Math.max(wakeAt - now(), 1))
        : condition(() => this.changed !== seen));
    }
  }

  /** Who holds the journey up now; reminds the enterprise, tells support once of each overdue wait. */
  private tell(t: number, onEnterprise: Wait[], overdue: Wait[]): void {
    const { c, id, companyName } = this;
    const nowStalled: JourneySummary['stalledOn'] = overdue.length
      ? 'support'
      : onEnterprise.length
        ? 'enterprise'
        : null;
    if (nowStalled !== this.stalledOn) {
      this.stalledOn = nowStalled;
      upsertSearchAttributes([{ key: StalledOnKey, value: nowStalled }]);
      c.step(nowStalled ? `stalled on ${nowStalled}` : 'back on track', nowStalled ? 'failed' : 'done');
    }
    if (onEnterprise.length && t - this.lastReminder >= this.input.timings.remindEveryMs) {
      this.lastReminder = t;
      this.reminders++;
      c.mail.send(`stalled/${this.reminders}`, this.contactEmail, 'journey-stalled', {
        caseId: id,
        companyName,
        waits: onEnterprise.map(describe),
        reminder: this.reminders,
      });
    }
    for (const w of overdue) {
      const key = supportKey(w, id);
      if (this.toldSupport.has(key)) continue;
      this.toldSupport.add(key);
      c.mail.send(`sla-missed/${this.toldSupport.size}`, 'support', 'journey-sla-missed', {
        caseId: id,
        companyName,
        wait: describe(w),
        dueAt: w.dueAt!,
      });
    }
  }

  /** A fresh run with the picture so far: the cases' latest reports, the instances, the milestones. */
  private async carryOn(): Promise<never> {
    const { c, input } = this;
    await c.mail.flush();
    await c.eventsRecorded();
    return continueAsNew<(input: EnterpriseOnboardingInput) => Promise<JourneySummary>>({
      ...input,
      contactEmail: this.contactEmail,
      companyName: this.companyName,
      verification: { follow: this.verificationCaseId() },
      ...(input.realName ? { realName: { follow: `real-name-${this.enterpriseId}` } } : {}),
      known: [...this.cases.values()].map((r) => (r.status === 'running' ? r : { ...r, awaiting: [] })),
      instances: [...this.instances.values()].map(({ instanceId, centerName }) => ({
        instanceId,
        centerName: centerName ?? '',
      })),
      milestones: this.milestones,
      carriedSteps: c.state.steps.slice(-CARRIED_STEPS),
    });
  }
}

/** Support hears of each overdue wait once: the case, what it awaits, since when. */
function supportKey(w: Wait, journeyId: string): string {
  return `${w.caseId ?? journeyId}/${w.action ?? w.for}/${w.since}`;
}

/** A wait in words, for the reminder emails. */
function describe(w: Wait): string {
  const what = w.action ? `${w.action}` : `${w.for}${w.detail ? `: ${w.detail}` : ''}`;
  return `${w.caseId ? `${w.caseId} ` : ''}${what}${w.dueAt ? ` (due ${w.dueAt})` : ''}`;
}
