/**
 * The SMTP server is down while cases run: approvals still take effect (mail never holds up a
 * process), cases wait for their mail before closing, and once the server is back on the same
 * port every email arrives, once.
 */
import { expect, it } from 'vitest';
import { sleep } from '../../bench/util';
import type { OnboardingResource } from '../../domain/onboarding';
import { Answers, approver, chaosRun, checkEmails, context, onboard, pool, scenario } from './support';

const ENTERPRISES = Number(process.env.CHAOS_SMTP_ENTERPRISES ?? 20);
const DOWN_MS = Number(process.env.CHAOS_SMTP_DOWN_MS ?? 30_000);

const run = chaosRun('m', ENTERPRISES);

it(
  'delivers every email once the SMTP server is back, without holding up approvals',
  async () => {
    await scenario(
      `SMTP down for ${DOWN_MS / 1000} s (stopped, then restarted on the same port) during ${ENTERPRISES} verifications`,
      async () => {
        const ctx = context(run.stack);
        const auto = approver(ctx);
        const port = run.stack.mail.port;
        await run.stack.mail.stop();
        auto.start();
        const answers = new Answers();
        const began = Date.now();
        const onboarding = pool(run.list.length, 20, (i) =>
          onboard(ctx, run.list[i]!, i, answers, { purchase: false }),
        );

        // While it is down: every case is approved and waits in `approving` for its mail; none closes.
        const ids = run.list.map((e) => `verification-${e.id}`);
        const approvedWhileDown = await (async () => {
          for (;;) {
            const states = await Promise.all(
              ids.map((id) => ctx.api.call<OnboardingResource>('GET', `/v1/onboardings/${id}`, ctx.supportToken)),
            );
            const approved = states.filter(
              (s) => s.status === 200 && s.body.steps.some((st) => st.name === 'approve'),
            ).length;
            if (approved === ids.length || Date.now() - began > DOWN_MS - 2_000)
              return { approved, closed: states.filter((s) => s.status === 200 && s.body.status !== 'running').length };
            await sleep(500);
          }
        })();
        await sleep(Math.max(0, DOWN_MS - (Date.now() - began)));
        const receivedWhileDown = run.stack.mail.messages.length;
        expect(approvedWhileDown.approved).toBe(ENTERPRISES);
        expect(approvedWhileDown.closed).toBe(0);
        expect(receivedWhileDown).toBe(0);

        await run.stack.mail.start(port);
        const back = Date.now();
        const onboarded = await onboarding;
        const allIn = Math.round((Date.now() - back) / 1000);
        await auto.stop();
        expect(onboarded.filter((o) => o.verificationStatus !== 'COMPLETED')).toEqual([]);
        const emails = checkEmails(
          run.stack,
          onboarded.map((o) => ({ id: o.verification, kind: 'enterprise-verification' })),
        );
        expect(emails.wrong).toEqual([]);
        // Exactly one delivery per transition: a second delivery of the same message fails the run.
        expect(emails.repeats).toBe(0);
        return [
          `while down: ${approvedWhileDown.approved}/${ENTERPRISES} approved, ${approvedWhileDown.closed} closed, ${receivedWhileDown} emails`,
          `after restart on port ${port}: all ${emails.distinct} emails (${emails.expected} transitions, ${emails.repeats} repeated) in and every case completed within ${allIn} s`,
        ].join('; ');
      },
    );
  },
  10 * 60_000,
);
