/**
 * Emails from workflows. Sending never holds up the process (an SMTP outage must not stop a
 * reviewer's approval from taking effect), but a case does not close before its emails are out.
 * Emails are started outside cancellation, so a cancelled case still sends what it promised.
 */
import { CancellationScope, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { AttachmentRef, EmailActivities, EmailRequest } from '../../activities/email';
import type { TemplateData, TemplateName } from '../../emails/templates';
import type { Step } from '../../contract/case';

/** The part of a case its emails need: its id, and its steps for a mail given up on. */
export interface CaseLog {
  readonly state: { id: string };
  step(name: string, status: Step['status'], detail?: string): void;
}

const { sendEmail } = proxyActivities<EmailActivities>({
  // An SMTP hand-off takes seconds; a send lost with its worker is retried after this.
  startToCloseTimeout: '30 seconds',
  // No attempt limit: an email waits out an SMTP outage; the ledger makes each attempt safe.
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** A key unique to this run of the case, for emails and other side effects. */
export function runKey(suffix: string): string {
  const { workflowId, runId } = workflowInfo();
  return `${workflowId}/${runId}/${suffix}`;
}

export class Notifier {
  private readonly pending: Promise<void>[] = [];

  constructor(private readonly kase: CaseLog) {}

  /** `event` must be unique within the case for each distinct email (add a round or counter). */
  send<N extends TemplateName>(
    event: string,
    to: 'support' | string,
    template: N,
    data: TemplateData<N>,
    attachments?: AttachmentRef[],
  ): void {
    const request: EmailRequest<N> = {
      dedupKey: runKey(`email/${event}`),
      to,
      template,
      data,
      caseId: this.kase.state.id,
      ...(attachments ? { attachments } : {}),
    };
    const audience = to === 'support' ? 'support' : 'enterprise';
    const sent = CancellationScope.nonCancellable(() =>
      sendEmail.executeWithOptions({ summary: `email ${audience}: ${template}` }, [request]),
    ).then(
      () => undefined,
      (err: unknown) => {
        const reason = messageOf(err);
        this.kase.step(`email ${template} not sent`, 'failed', `to ${to}: ${reason}`);
        // The enterprise never heard: support is told, so a person can reach them another way.
        if (to !== 'support')
          this.send(`undeliverable/${event}`, 'support', 'email-undeliverable', {
            caseId: this.kase.state.id,
            companyName: '',
            template,
            recipient: to,
            reason,
          });
      },
    );
    this.pending.push(sent);
  }

  /** Waits until every email sent so far has been delivered (or given up on). */
  async flush(): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      // A delivery given up on adds one to support: wait for those too.
      for (let done = 0; done < this.pending.length;) {
        const batch = this.pending.slice(done);
        done = this.pending.length;
        await Promise.all(batch);
      }
    });
  }
}

/** The innermost message of an activity failure (the refusal itself, not "Activity task failed"). */
function messageOf(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && (e as { cause?: unknown }).cause instanceof Error) e = (e as { cause?: unknown }).cause;
  return e instanceof Error ? e.message : String(e);
}
