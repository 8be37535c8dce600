/**
 * Email over SMTP. Each email carries a deduplication key chosen by the workflow (case id plus
 * event); a retried activity finds the key in the ledger and does not send again. The key also
 * becomes the Message-ID, so an inbox can tell a duplicate even if the ledger write was lost.
 */
import { createHash } from 'node:crypto';
import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Transporter } from 'nodemailer';
import { renderEmail, type CaseLinks, type TemplateData, type TemplateName } from '../emails/templates';
import type { EmailLedger } from '../storage/email-ledger';

export interface EmailRequest<N extends TemplateName = TemplateName> {
  /** Unique per intended email, e.g. `<caseId>/verification-rejected/2`. */
  dedupKey: string;
  /** `support` for the provider's support mailbox, else an address. */
  to: 'support' | string;
  template: N;
  data: TemplateData<N>;
  caseId: string;
  /** Documents fetched when sending; only their ids travel through workflow history. */
  attachments?: AttachmentRef[];
  /** Recorded with the sent email in the ledger; never secrets. */
  meta?: Record<string, string>;
}

export interface AttachmentRef {
  filename: string;
  source: 'billing-invoice';
  id: string;
}

export interface EmailDeps {
  transport: Pick<Transporter, 'sendMail'>;
  ledger: EmailLedger;
  from: string;
  supportAddress: string;
  links: (caseId: string) => CaseLinks;
  attachment?: (ref: AttachmentRef) => Promise<Buffer>;
}

export function createEmailActivities(deps: EmailDeps) {
  return {
    async sendEmail<N extends TemplateName>(
      req: EmailRequest<N>,
    ): Promise<{ messageId: string; deduplicated: boolean }> {
      const already = await deps.ledger.find(req.dedupKey);
      if (already) return { messageId: already.messageId, deduplicated: true };

      const to = req.to === 'support' ? deps.supportAddress : req.to;
      const { subject, text } = renderEmail(req.template, req.data, deps.links(req.caseId));
      const messageId = `<${createHash('sha256').update(req.dedupKey).digest('hex').slice(0, 32)}@onboarding>`;
      const attachments = await Promise.all(
        (req.attachments ?? []).map(async (ref) => {
          if (!deps.attachment) throw new Error(`no source configured for ${ref.source} attachments`);
          return { filename: ref.filename, content: await deps.attachment(ref) };
        }),
      );
      // The ledger decides who sends when two workers hold the same email (a retry after a timeout).
      const { entry, sent } = await deps.ledger.sendOnce(
        {
          key: req.dedupKey,
          messageId,
          to,
          template: req.template,
          at: new Date().toISOString(),
          ...(req.meta ? { meta: req.meta } : {}),
        },
        () =>
          sendOrRefuse(deps.transport, {
            attachments,
            from: deps.from,
            to,
            subject,
            text,
            messageId,
            headers: { 'X-Onboarding-Case': req.caseId, 'X-Onboarding-Event': req.template },
          }),
      );
      if (!sent) return { messageId: entry.messageId, deduplicated: true };
      log.info('email sent', { template: req.template, caseId: req.caseId });
      return { messageId, deduplicated: false };
    },
  };
}

export type EmailActivities = ReturnType<typeof createEmailActivities>;

/**
 * A permanent refusal (an SMTP 5xx reply: no such mailbox, policy) will not change on retry: it
 * fails the delivery for good (`EmailRejected`), and the case says so. Anything else (a 4xx, the
 * relay unreachable) is retried by Temporal until the relay takes the message.
 */
async function sendOrRefuse(
  transport: EmailDeps['transport'],
  message: Parameters<EmailDeps['transport']['sendMail']>[0],
): Promise<void> {
  try {
    await transport.sendMail(message);
  } catch (err) {
    const code = (err as { responseCode?: number }).responseCode;
    if (typeof code === 'number' && code >= 500 && code < 600) {
      const reply = ((err as { response?: string }).response ?? (err instanceof Error ? err.message : String(err)))
        .replace(/\s+/g, ' ')
        .slice(0, 300);
      throw ApplicationFailure.create({
        type: 'EmailRejected',
        message: `the mail server refused the email permanently: ${reply}`,
        nonRetryable: true,
      });
    }
    throw err;
  }
}
