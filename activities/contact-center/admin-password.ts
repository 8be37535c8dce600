/**
 * The administrator's password: generated, set in the platform and emailed inside one activity,
 * never returned.
 */
import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { AdminPasswordEmailData } from '../../emails/kinds/contact-center-instance';
import type { EmailLedger } from '../../storage/email-ledger';
import { generateSipPassword } from '../sip-credentials';
import { CONTACT_CENTER_FAILURES, seg, type ContactCenterClient, type ContactCenterInstance } from './client';

/** Letters and digits, at least one of each case and a digit, as the console requires. */
export function generateAdminPassword(length = 20): string {
  for (;;) {
    // Redrawn rather than patched, so every qualifying password stays equally likely.
    const password = generateSipPassword(length);
    if (/[a-z]/.test(password) && /[A-Z]/.test(password) && /\d/.test(password)) return password;
  }
}

/** The email that hands the password over; `sendEmail` renders it with its template. */
export interface AdminPasswordEmail {
  dedupKey: string;
  to: string;
  caseId: string;
  data: AdminPasswordEmailData;
  /** Recorded in the email ledger; never secrets. */
  meta: Record<string, string>;
}

export interface AdminPasswordDeps {
  client: ContactCenterClient;
  /** Sends once per `dedupKey` and records it in `ledger` with `meta`. */
  sendEmail: (email: AdminPasswordEmail) => Promise<unknown>;
  ledger: EmailLedger;
  /** Where the administrator signs in (CONTACT_CENTER_CONSOLE_URL). */
  consoleUrl: string;
}

export interface IssuedAdminPassword {
  instanceId: string;
  adminEmail: string;
  /** The platform's count of passwords set for the administrator; absent when delivered earlier. */
  passwordVersion?: number;
  passwordSetAt?: string;
  state: 'issued' | 'delivered-earlier';
}

export function createAdminPasswordActivities(deps: AdminPasswordDeps) {
  return {
    /**
     * Generates a password, sets it in the platform and emails it to the administrator with the
     * sign-in address. Returns no secret. The email ledger remembers the delivery, so a retry
     * after the email went out does not rotate the password the administrator already has; a
     * retry before it sets a fresh one (the earlier one was never seen by anyone).
     */
    async issueAdminPassword(input: {
      caseId: string;
      instanceId: string;
      /** Who the case says administers the instance; the platform must agree. */
      adminEmail: string;
      /** 0 for the first password, n for the n-th re-issue; each with its own `dedupKey`. */
      reissue: number;
      dedupKey: string;
    }): Promise<IssuedAdminPassword> {
      // One issuance at a time per email, on every worker: a second attempt (a retry after a
      // timeout) waits, then finds the delivery instead of setting a password no one receives.
      return deps.ledger.exclusive(input.dedupKey, async () => {
        const delivered = await deps.ledger.find(input.dedupKey);
        if (delivered) {
          return {
            instanceId: input.instanceId,
            adminEmail: delivered.meta?.adminEmail ?? input.adminEmail,
            state: 'delivered-earlier',
          };
        }
        const instance = await deps.client.request<ContactCenterInstance>(
          'GET',
          `/v1/instances/${seg(input.instanceId)}`,
        );
        if (instance.admin.email.toLowerCase() !== input.adminEmail.toLowerCase()) {
          throw ApplicationFailure.create({
            type: CONTACT_CENTER_FAILURES.rejected,
            message: `instance ${input.instanceId} is administered by another email than the case names; no password was set`,
            nonRetryable: true,
          });
        }
        const password = generateAdminPassword();
        // Every attempt sets a new password, so each is its own operation with its own key.
        const set = await deps.client.request<{ email: string; passwordVersion: number; passwordSetAt: string }>(
          'PUT',
          `/v1/instances/${seg(input.instanceId)}/admin/password`,
          { body: { password }, idempotencyKey: `${input.dedupKey}/set/${randomBytes(8).toString('hex')}` },
        );
        await deps.sendEmail({
          dedupKey: input.dedupKey,
          to: set.email,
          caseId: input.caseId,
          meta: { instanceId: input.instanceId, adminEmail: set.email, passwordVersion: String(set.passwordVersion) },
          data: {
            caseId: input.caseId,
            centerName: instance.centerName,
            adminName: instance.admin.name,
            adminEmail: set.email,
            password,
            consoleUrl: deps.consoleUrl,
            instanceId: input.instanceId,
            reissue: input.reissue,
          },
        });
        return {
          instanceId: input.instanceId,
          adminEmail: set.email,
          passwordVersion: set.passwordVersion,
          passwordSetAt: set.passwordSetAt,
          state: 'issued',
        };
      });
    },
  };
}

export type AdminPasswordActivities = ReturnType<typeof createAdminPasswordActivities>;
