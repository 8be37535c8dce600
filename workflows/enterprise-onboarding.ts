/**
 * The enterprise's journey, from sign-up to calls (the seed's flow chart): one case per
 * enterprise, at `journey-<enterpriseId>`, for the life of the enterprise.
 *
 * Seed 002's order (journeys started with `realName`): verifying-real-name (starts the real-name
 * case) -> creating-instance (once it passes) -> verifying (the qualification review) -> numbers.
 * Journeys started before real-name was its own case keep the older order:
 * verifying (starts the verification, or follows the one the enterprise has) -> creating-instance
 * (creates the contact center once verification passes, or waits for the enterprise to) ->
 * awaiting-number-access (the enterprise chooses purchases, own 400, SIP trunk or registration,
 * third-party lines, any number of them over time) -> ready (the instance has a working number).
 *
 * Each case reports to the journey as it moves (`case-report`); the journey never holds a case
 * up, it only keeps the picture: who must act next and by when, the instance, the working numbers.
 * It reminds the enterprise when a wait on it stalls and support when a case misses its SLA, and
 * continues as new every so many reports, carrying its summary.
 */
import {
  ChildWorkflowCancellationType,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  upsertSearchAttributes,
  condition,
} from '@temporalio/workflow';
import { caseReportSignal, journeyAttachedSignal, type CaseReport, type VerifiedEnterprise } from '../contract/case';
import type { EnterpriseOnboardingInput, JourneyMilestones } from '../contract/inputs';
import type { JourneySummary } from '../domain/journey';
import { journeySummary, workingNumbers as numbersWorking } from '../domain/journey-summary';
import { StalledOnKey } from '../domain/search-attributes';
import { isoAt, now, type Wait } from './lib/case';
import { openCase } from './lib/open-case';
import { childCase } from './lib/children';
import { contactCenterInstance } from './contact-center-instance';
import { enterpriseVerification } from './enterprise-verification';
import { enterpriseRealName } from './enterprise-real-name';

/** Steps carried across continue-as-new. */
const CARRIED_STEPS = 20;

/**
 * The cases a journey starts stand on their own: cancelling the journey leaves them running (the
 * enterprise cancels them itself). Journeys from before this asked their cases to cancel too.
 */
function standsAlone(): { cancellationType?: ChildWorkflowCancellationType } {
  return patched('journey-cancel-leaves-cases') ? { cancellationType: ChildWorkflowCancellationType.ABANDON } : {};
}

const RELATION: Partial<Record<CaseReport['kind'], string>> = {
  'enterprise-real-name': 'real-name verification',
  'enterprise-verification': 'verification',
  'contact-center-instance': 'contact-center instance',
  'number-subscription': 'numbers in service',
};

export async function enterpriseOnboarding(input: EnterpriseOnboardingInput): Promise<JourneySummary> {
  const { enterpriseId, timings } = input;
  const c = openCase('enterprise-onboarding', input, 'verifying', {
    steps: input.carriedSteps,
  });
  const id = c.state.id;
  const milestones: JourneyMilestones = { startedAt: isoAt(now()), ...input.milestones };
  const cases = new Map<string, CaseReport>();
  const instances = new Map(
    input.instances.map((i) => [
      i.instanceId,
      { ...i } as { instanceId: string; centerName?: string; caseId?: string },
    ]),
  );
  let verified: VerifiedEnterprise | undefined;
  /** The approved real-name verification: enough for the instance (seed 002 step 3). */
  let realNamed: VerifiedEnterprise | undefined;
  let contactEmail = input.contactEmail;
  let companyName = input.companyName;
  let reportsThisRun = 0;
  let changed = 0;

  /** A case's latest report: links it, and moves the milestones it reaches. */
  const take = (r: CaseReport): void => {
    const before = cases.get(r.caseId);
    if (before && (before.at > r.at || (before.at === r.at && before.seq >= r.seq))) return;
    cases.set(r.caseId, r);
    c.relate(r.caseId, r.kind, RELATION[r.kind] ?? 'number access');
    if (r.kind === 'enterprise-verification' && r.status === 'completed' && r.verified) {
      verified = r.verified;
      contactEmail = r.verified.contactEmail;
      companyName = r.verified.companyName;
      if (!milestones.verifiedAt) {
        milestones.verifiedAt = isoAt(r.at);
        c.step('verified', 'done', r.caseId);
        c.emit('journey.milestone', { milestone: 'verified', at: milestones.verifiedAt, caseId: r.caseId });
      }
    }
    if (r.kind === 'enterprise-real-name' && r.status === 'completed' && r.verified) {
      realNamed = r.verified;
      contactEmail = r.verified.contactEmail;
      companyName = r.verified.companyName;
      if (!milestones.realNamedAt) {
        milestones.realNamedAt = isoAt(r.at);
        c.step('real-named', 'done', r.caseId);
        c.emit('journey.milestone', { milestone: 'real-named', at: milestones.realNamedAt, caseId: r.caseId });
      }
    }
    if (r.kind === 'contact-center-instance' && r.instanceId && r.inService) {
      instances.set(r.instanceId, { ...instances.get(r.instanceId), instanceId: r.instanceId, caseId: r.caseId });
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
    changed++;
  };
  for (const r of input.known) take(r);
  setHandler(caseReportSignal, (r) => {
    // Only this enterprise's cases (a signal sent by hand for another tenant is ignored).
    if (r.caseId === id || r.enterpriseId !== enterpriseId) return;
    reportsThisRun++;
    take(r);
  });

  const workingNumbers = () => numbersWorking([...cases.values()]);

  const numberCases = () => [...cases.values()].filter((r) => !RELATION[r.kind]);

  /** What the journey's cases await now, each with its case. */
  const casesAwaiting = (): Wait[] =>
    [...cases.values()]
      // A case in service waits only on optional actions (a re-issue, a renewal): not the journey's concern.
      .filter((r) => r.status === 'running' && !r.inService)
      .flatMap((r) => r.awaiting.map((a): Wait => ({ ...a, caseId: r.caseId })));

  const summary = (stalledOn: JourneySummary['stalledOn']): JourneySummary =>
    journeySummary({
      milestones,
      cases: [...cases.values()],
      instances: [...instances.values()],
      stalledOn,
      isNumberAccess: (kind) => !RELATION[kind as CaseReport['kind']],
    });

  /**
   * Shows `stage` with the journey's own waits and its cases' waits, and waits until `done`, or
   * until the run has handled enough reports to continue as new. Meanwhile: the enterprise is
   * reminded when a wait on it is older than the stall time (and again every `remindEveryMs`),
   * support is told once of each wait on it past its due time.
   */
  let stalledOn: JourneySummary['stalledOn'] = null;
  let reminders = 0;
  let lastReminder = 0;
  const toldSupport = new Set<string>();
  /** When each of the journey's own waits began: a wait is stalled by its age, not by the last report. */
  const ownSince = new Map<string, string>();
  const follow = async (
    stage: 'verifying-real-name' | 'verifying' | 'creating-instance' | 'awaiting-number-access' | 'ready',
    own: () => Wait[],
    done: () => boolean,
  ): Promise<void> => {
    for (;;) {
      const mine = own();
      for (const key of ownSince.keys()) if (!mine.some((w) => w.for === key)) ownSince.delete(key);
      for (const w of mine) {
        if (!ownSince.has(w.for!)) ownSince.set(w.for!, isoAt(now()));
        w.since = ownSince.get(w.for!);
      }
      const waits = [...mine, ...casesAwaiting()];
      const t = now();
      const sinceOf = (w: Wait) => (w.since ? Date.parse(w.since) : t);
      const onEnterprise = waits.filter((w) => w.role === 'enterprise' && t - sinceOf(w) >= timings.stallAfterMs);
      const overdue = waits.filter((w) => w.role === 'support' && w.dueAt && Date.parse(w.dueAt) <= t);
      const nowStalled: JourneySummary['stalledOn'] = overdue.length
        ? 'support'
        : onEnterprise.length
          ? 'enterprise'
          : null;
      if (nowStalled !== stalledOn) {
        stalledOn = nowStalled;
        upsertSearchAttributes([{ key: StalledOnKey, value: stalledOn }]);
        c.step(stalledOn ? `stalled on ${stalledOn}` : 'back on track', stalledOn ? 'failed' : 'done');
      }
      if (onEnterprise.length && t - lastReminder >= timings.remindEveryMs) {
        lastReminder = t;
        reminders++;
        c.mail.send(`stalled/${reminders}`, contactEmail, 'journey-stalled', {
          caseId: id,
          companyName,
          waits: onEnterprise.map(describe),
          reminder: reminders,
        });
      }
      for (const w of overdue) {
        const key = `${w.caseId ?? id}/${w.action ?? w.for}/${w.since}`;
        if (toldSupport.has(key)) continue;
        toldSupport.add(key);
        c.mail.send(`sla-missed/${toldSupport.size}`, 'support', 'journey-sla-missed', {
          caseId: id,
          companyName,
          wait: describe(w),
          dueAt: w.dueAt!,
        });
      }
      c.state.result = summary(stalledOn);
      c.enter(
        stage,
        [],
        waits.sort((a, b) => (a.dueAt ?? '9').localeCompare(b.dueAt ?? '9')),
      );
      if (done()) return;
      if (reportsThisRun >= timings.reportsPerRun) await carryOn();

      // Wake on the next report, or when a wait will stall or fall due.
      const wakeAt = Math.min(
        ...waits
          .filter((w) => w.role === 'enterprise')
          .map((w) => Math.max(sinceOf(w) + timings.stallAfterMs, lastReminder + timings.remindEveryMs)),
        ...waits
          .filter(
            (w) =>
              w.role === 'support' && w.dueAt && !toldSupport.has(`${w.caseId ?? id}/${w.action ?? w.for}/${w.since}`),
          )
          .map((w) => Date.parse(w.dueAt!)),
      );
      const seen = changed;
      await (Number.isFinite(wakeAt)
        ? condition(() => changed !== seen, Math.max(wakeAt - now(), 1))
        : condition(() => changed !== seen));
    }
  };

  /** A fresh run with the picture so far: the cases' latest reports, the instances, the milestones. */
  const carryOn = async (): Promise<never> => {
    await c.mail.flush();
    await c.eventsRecorded();
    return continueAsNew<typeof enterpriseOnboarding>({
      ...input,
      contactEmail,
      companyName,
      verification: { follow: verificationCaseId() },
      ...(input.realName ? { realName: { follow: `real-name-${enterpriseId}` } } : {}),
      known: [...cases.values()].map((r) => (r.status === 'running' ? r : { ...r, awaiting: [] })),
      instances: [...instances.values()].map(({ instanceId, centerName }) => ({
        instanceId,
        centerName: centerName ?? '',
      })),
      milestones,
      carriedSteps: c.state.steps.slice(-CARRIED_STEPS),
    });
  };
  const verificationCaseId = () =>
    'start' in input.verification ? `verification-${enterpriseId}` : input.verification.follow;

  return c.run(
    {
      kindLabel: '企业开通旅程 / onboarding journey',
      to: () => contactEmail,
      companyName: () => companyName,
    },
    async () => {
      const firstRun = !input.milestones;
      if (firstRun) {
        c.step(
          'journey started',
          'done',
          'start' in input.verification ? 'with a new verification' : `following ${input.verification.follow}`,
        );
        // Cases that began before the journey report to it from now on.
        for (const r of input.known.filter((k) => k.status === 'running'))
          await getExternalWorkflowHandle(r.caseId)
            .signal(journeyAttachedSignal, { journeyId: id })
            .catch(() => undefined);
      }

      const qualification = async (): Promise<void> => {
        // The qualification review (in journeys from before real-name was its own case, real-name with it).
        if ('start' in input.verification && !cases.has(verificationCaseId())) {
          const vid = verificationCaseId();
          await startChild(enterpriseVerification, {
            args: [{ ...input.verification.start, journeyId: id }],
            // The verification stands on its own: a journey that continues as new or ends leaves it be.
            parentClosePolicy: ParentClosePolicy.ABANDON,
            ...standsAlone(),
            ...childCase({
              kind: 'enterprise-verification',
              enterpriseId,
              workflowId: vid,
              parentId: id,
              firstStage: 'awaiting-review',
              summary: `verification of ${companyName}`,
            }),
          });
          c.relate(vid, 'enterprise-verification', 'verification');
        }
        await follow(
          'verifying',
          () => {
            const latest = [...cases.values()]
              .filter((r) => r.kind === 'enterprise-verification')
              .sort((a, b) => b.at - a.at)[0];
            // Seed 002's order: the enterprise submits its materials once its centre exists.
            if (!latest && input.realName)
              return [
                {
                  for: 'qualification',
                  role: 'enterprise',
                  detail: 'submit the qualification materials: an enterprise-verification',
                },
              ];
            // A verification that failed or was cancelled: the enterprise applies again.
            return latest && latest.status !== 'running' && latest.status !== 'completed'
              ? [
                  {
                    for: 'verification',
                    role: 'enterprise',
                    detail: `${latest.caseId} ${latest.status}: start a new enterprise-verification`,
                  },
                ]
              : [];
          },
          () => verified !== undefined || milestones.verifiedAt !== undefined,
        );
      };
      const instance = async (): Promise<void> => {
        // 2. The contact-center instance: created here once verified, unless the enterprise has one.
        const instanceCaseId = `contact-center-instance-${enterpriseId}-journey`;
        const owner = verified ?? realNamed;
        if (instances.size === 0 && input.instance && owner && !cases.has(instanceCaseId)) {
          await startChild(contactCenterInstance, {
            args: [{ ...owner, ...input.instance, journeyId: id }],
            parentClosePolicy: ParentClosePolicy.ABANDON,
            ...standsAlone(),
            ...childCase({
              kind: 'contact-center-instance',
              enterpriseId,
              workflowId: instanceCaseId,
              parentId: id,
              firstStage: 'creating',
              summary: `contact center ${input.instance.centerName}`,
            }),
          }).catch((err: unknown) => c.step('contact center not started', 'failed', String(err)));
          c.relate(instanceCaseId, 'contact-center-instance', 'contact-center instance');
        }
        await follow(
          'creating-instance',
          () =>
            input.instance ||
            cases.has(instanceCaseId) ||
            [...cases.values()].some((r) => r.kind === 'contact-center-instance' && r.status === 'running')
              ? []
              : [
                  {
                    for: 'instance',
                    role: 'enterprise',
                    detail: 'create the contact center: a contact-center-instance case',
                  },
                ],
          () => instances.size > 0,
        );
      };

      // Seed 002's order for journeys that start with real-name: the instance before the review.
      if (input.realName && patched('journey-real-name-first')) {
        const realNameId = `real-name-${enterpriseId}`;
        if ('start' in input.realName && !cases.has(realNameId)) {
          await startChild(enterpriseRealName, {
            args: [{ ...input.realName.start, journeyId: id }],
            parentClosePolicy: ParentClosePolicy.ABANDON,
            ...standsAlone(),
            ...childCase({
              kind: 'enterprise-real-name',
              enterpriseId,
              workflowId: realNameId,
              parentId: id,
              firstStage: 'awaiting-review',
              summary: `real-name verification of ${companyName}`,
            }),
          });
          c.relate(realNameId, 'enterprise-real-name', 'real-name verification');
        }
        await follow(
          'verifying-real-name',
          () => {
            const latest = cases.get(realNameId);
            return latest && latest.status !== 'running' && latest.status !== 'completed'
              ? [
                  {
                    for: 'real-name',
                    role: 'enterprise',
                    detail: `${realNameId} ${latest.status}: start a new enterprise-real-name`,
                  },
                ]
              : [];
          },
          () => realNamed !== undefined || verified !== undefined,
        );
        await instance();
        await qualification();
      } else {
        await qualification();
        await instance();
      }

      // 3. Number access, for as long as the enterprise is here: ready while a number works.
      for (;;) {
        const ready = workingNumbers().length > 0;
        if (ready && !milestones.readyAt) {
          milestones.readyAt = isoAt(now());
          c.step('ready', 'done', `${workingNumbers().length} number(s) working`);
          c.emit('journey.milestone', {
            milestone: 'ready',
            at: milestones.readyAt,
            numbers: workingNumbers().map((n) => n.number),
          });
          c.mail.send('ready', contactEmail, 'journey-ready', {
            caseId: id,
            companyName,
            instances: [...instances.keys()],
            numbers: workingNumbers().map((n) => n.number),
          });
        }
        await follow(
          ready ? 'ready' : 'awaiting-number-access',
          () =>
            ready || numberCases().some((r) => r.status === 'running')
              ? []
              : [
                  {
                    for: 'number-access',
                    role: 'enterprise',
                    detail:
                      'choose number access: number-purchase, own-400-landing, sip-trunk, sip-registration or third-party-line',
                  },
                ],
          () => workingNumbers().length > 0 !== ready,
        );
      }
    },
  );
}

/** A wait in words, for the reminder emails. */
function describe(w: Wait): string {
  const what = w.action ? `${w.action}` : `${w.for}${w.detail ? `: ${w.detail}` : ''}`;
  return `${w.caseId ? `${w.caseId} ` : ''}${what}${w.dueAt ? ` (due ${w.dueAt})` : ''}`;
}
