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
  type ChildWorkflowOptions,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import { caseReportSignal, journeyAttachedSignal, type CaseReport } from '../contract/case';
import type { EnterpriseOnboardingInput } from '../contract/inputs';
import type { JourneySummary } from '../domain/journey';
import { isoAt, now } from './lib/case';
import { childCase } from './lib/children';
import { journeySummary, workingNumbers } from '../domain/journey-summary';
import { Journey } from './lib/journey';
import { openCase } from './lib/open-case';
import { contactCenterInstance } from './contact-center-instance';
import { enterpriseVerification } from './enterprise-verification';
import { enterpriseRealName } from './enterprise-real-name';

export async function enterpriseOnboarding(input: EnterpriseOnboardingInput): Promise<JourneySummary> {
  const { enterpriseId } = input;
  const c = openCase('enterprise-onboarding', input, 'verifying', { steps: input.carriedSteps });
  const j = new Journey(c, input, { journeySummary, workingNumbers });
  for (const r of input.known) j.take(r);
  setHandler(caseReportSignal, (r) => {
    // Only this enterprise's cases (a signal sent by hand for another tenant is ignored).
    if (r.caseId === j.id || r.enterpriseId !== enterpriseId) return;
    j.reportsThisRun++;
    j.take(r);
  });

  return c.run(
    {
      kindLabel: '企业开通旅程 / onboarding journey',
      to: () => j.contactEmail,
      companyName: () => j.companyName,
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
            .signal(journeyAttachedSignal, { journeyId: j.id })
            .catch(() => undefined);
      }

      // Seed 002's order for journeys that start with real-name: the instance before the review.
      if (input.realName && patched('journey-real-name-first')) {
        const realNameId = `real-name-${enterpriseId}`;
        if ('start' in input.realName && !j.cases.has(realNameId)) {
          const start = input.realName.start;
          await startOwnCase(
            j,
            {
              kind: 'enterprise-real-name',
              workflowId: realNameId,
              firstStage: 'awaiting-review',
              summary: `real-name verification of ${j.companyName}`,
              relation: 'real-name verification',
            },
            (options) => startChild(enterpriseRealName, { args: [{ ...start, journeyId: j.id }], ...options }),
          );
        }
        await j.follow(
          'verifying-real-name',
          () => {
            const latest = j.cases.get(realNameId);
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
          () => j.realNamed !== undefined || j.verified !== undefined,
        );
        await instance(j, input);
        await qualification(j, input);
      } else {
        await qualification(j, input);
        await instance(j, input);
      }
      return numberAccess(j);
    },
  );
}

/**
 * The cases a journey starts stand on their own: cancelling the journey leaves them running (the
 * enterprise cancels them itself). Journeys from before this asked their cases to cancel too.
 */
function standsAlone(): { cancellationType?: ChildWorkflowCancellationType } {
  return patched('journey-cancel-leaves-cases') ? { cancellationType: ChildWorkflowCancellationType.ABANDON } : {};
}

/**
 * How the journey starts one of its own cases: the case stands on its own, and a journey that
 * continues as new or ends leaves it be.
 */
function ownCase(
  j: Journey,
  o: { kind: CaseReport['kind']; workflowId: string; firstStage: string; summary: string },
): Omit<ChildWorkflowOptions, 'typeInfo'> {
  return {
    parentClosePolicy: ParentClosePolicy.ABANDON,
    ...standsAlone(),
    ...childCase({ ...o, enterpriseId: j.enterpriseId, parentId: j.id }),
  };
}

/**
 * Starts one of the journey's own cases (`start` given its options) and names it on the journey, so
 * readers can follow it.
 */
async function startOwnCase(
  j: Journey,
  o: { kind: CaseReport['kind']; workflowId: string; firstStage: string; summary: string; relation: string },
  start: (options: Omit<ChildWorkflowOptions, 'typeInfo'>) => Promise<unknown>,
): Promise<void> {
  const { relation, ...child } = o;
  await start(ownCase(j, child));
  j.c.relate(o.workflowId, o.kind, relation);
}

/** The qualification review (in journeys from before real-name was its own case, real-name with it). */
async function qualification(j: Journey, input: EnterpriseOnboardingInput): Promise<void> {
  if ('start' in input.verification && !j.cases.has(j.verificationCaseId())) {
    const vid = j.verificationCaseId();
    const start = input.verification.start;
    await startOwnCase(
      j,
      {
        kind: 'enterprise-verification',
        workflowId: vid,
        firstStage: 'awaiting-review',
        summary: `verification of ${j.companyName}`,
        relation: 'verification',
      },
      (options) => startChild(enterpriseVerification, { args: [{ ...start, journeyId: j.id }], ...options }),
    );
  }
  await j.follow(
    'verifying',
    () => {
      const latest = [...j.cases.values()]
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
    () => j.verified !== undefined || j.milestones.verifiedAt !== undefined,
  );
}

/** The contact-center instance: created here once verified, unless the enterprise has one. */
async function instance(j: Journey, input: EnterpriseOnboardingInput): Promise<void> {
  const instanceCaseId = `contact-center-instance-${j.enterpriseId}-journey`;
  const owner = j.verified ?? j.realNamed;
  if (j.instances.size === 0 && input.instance && owner && !j.cases.has(instanceCaseId)) {
    await startChild(contactCenterInstance, {
      args: [{ ...owner, ...input.instance, journeyId: j.id }],
      ...ownCase(j, {
        kind: 'contact-center-instance',
        workflowId: instanceCaseId,
        firstStage: 'creating',
        summary: `contact center ${input.instance.centerName}`,
      }),
    }).catch((err: unknown) => j.c.step('contact center not started', 'failed', String(err)));
    j.c.relate(instanceCaseId, 'contact-center-instance', 'contact-center instance');
  }
  await j.follow(
    'creating-instance',
    () =>
      input.instance ||
      j.cases.has(instanceCaseId) ||
      [...j.cases.values()].some((r) => r.kind === 'contact-center-instance' && r.status === 'running')
        ? []
        : [
            {
              for: 'instance',
              role: 'enterprise',
              detail: 'create the contact center: a contact-center-instance case',
            },
          ],
    () => j.instances.size > 0,
  );
}

/** Number access, for as long as the enterprise is here: ready while a number works. */
async function numberAccess(j: Journey): Promise<never> {
  const { c } = j;
  for (;;) {
    const ready = j.workingNumbers().length > 0;
    if (ready && !j.milestones.readyAt) {
      j.milestones.readyAt = isoAt(now());
      c.step('ready', 'done', `${j.workingNumbers().length} number(s) working`);
      c.emit('journey.milestone', {
        milestone: 'ready',
        at: j.milestones.readyAt,
        numbers: j.workingNumbers().map((n) => n.number),
      });
      c.mail.send('ready', j.contactEmail, 'journey-ready', {
        caseId: j.id,
        companyName: j.companyName,
        instances: [...j.instances.keys()],
        numbers: j.workingNumbers().map((n) => n.number),
      });
    }
    await j.follow(
      ready ? 'ready' : 'awaiting-number-access',
      () =>
        ready || j.numberCases().some((r) => r.status === 'running')
          ? []
          : [
              {
                for: 'number-access',
                role: 'enterprise',
                detail:
                  'choose number access: number-purchase, own-400-landing, sip-trunk, sip-registration or third-party-line',
              },
            ],
      () => j.workingNumbers().length > 0 !== ready,
    );
  }
}
