/**
 * SIP registration mode, for customer gateways without a public IP: the gateway registers to
 * the provider with a digest account instead of being allowlisted.
 *
 * awaiting-review -> issuing-credentials (account on the SBC; the password goes to the contact by
 * email, never into this history) -> awaiting-registration (watched on the SBC, reminders, a
 * deadline) -> test-calls (outbound through the registered contact; inbound from the gateway,
 * digest-authenticated, seen in call records) -> assigning-numbers -> registered: the account
 * lives as long as the case, `rotate-credentials` issues a new password, cancel deletes it.
 */
import type { SipTimings } from '../config';
import type { SipRegistrationInput } from '../contract/inputs';
import type { Registration } from '../activities/sip-gateway';
import { gateway, sipAccounts, sipProbe, sipWatch } from './lib/activities';
import { isoAt, now, type OnboardingCase } from './lib/case';
import { runKey } from './lib/notify';
import {
  applySbcChange,
  type Check,
  outboundChecked,
  sipNumbersInService,
  sipReview,
  holdOwnNumbers,
  inboundTest,
  openSipCase,
  ownNumbersHeld,
  reportOf,
  sipEnding,
} from './lib/sip';
import type { SipRegistrationView } from '../domain/sip';

/** One watch of the SBC stays well inside its activity's 10-minute timeout; the case loops. */
const WATCH_SLICE_MS = 5 * 60_000;

export async function sipRegistration(input: SipRegistrationInput): Promise<never> {
  const { request, timings } = input;
  const { e164: numbers, display: formatted } = input.numbers;
  const { c, checks, to, base } = openSipCase('sip-registration', input);
  const reg: RegistrationCase = { c, input, checks, to };

  return c.run(sipEnding(c, { to, base, kindLabel: 'SIP注册对接 / SIP registration', checks }), async () => {
    await sipReview(c, {
      to,
      base,
      mode: 'registration',
      summary: `${numbers.length} number(s), ${request.transport.toUpperCase()}, ${request.gatewayVendor}`,
      remindEveryMs: timings.reviewSlaMs,
    });

    const account = await accountIssued(reg);

    // Watch the SBC until the gateway registers.
    const observes = await gateway.sipGatewayObserves.executeWithOptions({ summary: 'what the SBC can observe' }, []);
    const registration = await awaitRegistration(c, to, account, timings, observes.registrations);
    checks.push({
      name: 'registration',
      passed: true,
      detail: `${registration.contact}${registration.received ? ` (from ${registration.received})` : ''}, ${registration.transport ?? 'udp'}, until ${registration.expiresAt}${registration.userAgent ? `, ${registration.userAgent}` : ''}`,
      at: isoAt(now()),
    });

    // Test calls: out through the registered contact, then in from the gateway.
    c.enter('test-calls');
    await outboundTestCall(reg, account, observes.registrations);
    await inboundTest(c, checks, {
      to,
      base,
      numbers,
      formatted,
      from: `${account.username}@${account.realm}`,
      windowMs: timings.inboundTestWindowMs,
    });

    // In service from here: the gateway registers and calls flow, while the case stays open for rotations.
    await sipNumbersInService(
      c,
      checks,
      { to, base, formatted, detail: `${formatted.join(', ')} on ${request.instanceId}` },
      {
        verb: 'assign',
        instanceId: request.instanceId,
        numbers,
        origin: 'own-registration',
        summary: `assign ${numbers.length} number(s) to ${request.instanceId}`,
        platformSummary: `assign ${numbers.length} number(s) in contact center ${request.instanceId}`,
      },
    );
    c.state.result = {
      ...reportOf(true, checks),
      account,
      registrar: input.registrar,
      transport: request.transport,
      numbers: formatted,
      rotations: 0,
    };

    return rotationsServed(reg, account);
  });
}

/** The case and what each of its steps reads. */
interface RegistrationCase {
  c: OnboardingCase<'sip-registration'>;
  input: SipRegistrationInput;
  /** The pass/fail report so far. */
  checks: Check[];
  /** The contact, who gets the password. */
  to: string;
}

interface Account {
  username: string;
  realm: string;
}

/**
 * The digest account on the SBC, its password emailed to the contact; the case's own numbers come
 * off sale first (cases approved before the hold existed go on without it).
 */
async function accountIssued(reg: RegistrationCase): Promise<Account> {
  const { c, input } = reg;
  c.enter('issuing-credentials');
  if (ownNumbersHeld()) await holdOwnNumbers(c, input.numbers.e164);
  c.undo.add('delete the SIP account', async () => {
    const { deleted } = await gateway.deleteSipAccountsOf.executeWithOptions(
      { summary: 'compensate: delete the SIP account' },
      [{ reference: c.state.id }],
    );
    return deleted.length > 0
      ? `deleted ${deleted.map((a) => `${a.username}@${a.realm}`).join(', ')}`
      : 'no account was made';
  });
  const issued = await issueCredentials(reg, 0);
  const account = { username: issued.username, realm: issued.realm };
  if (issued.state !== 'delivered-earlier')
    await applySbcChange(
      c,
      issued.state,
      'issuing-credentials',
      'create-account',
      `create SIP account ${account.username}@${account.realm} (the password is with the customer)`,
    );
  c.step('credentials issued', 'done', `${account.username}@${account.realm}, password emailed to the contact`);
  c.state.result = { account, registrar: input.registrar, transport: input.request.transport };
  return account;
}

/** Issues the credentials (rotation 0) or rotates them; the password leaves only by email. */
function issueCredentials({ c, input, to }: RegistrationCase, rotation: number, account?: Account) {
  const { request } = input;
  const numbers = input.numbers.e164;
  return sipAccounts.issueSipCredentials.executeWithOptions(
    {
      summary: rotation === 0 ? 'create the SIP account and email its password' : `rotate the password (${rotation})`,
    },
    [
      {
        caseId: c.state.id,
        companyName: input.companyName,
        instanceId: request.instanceId,
        enterpriseId: c.state.enterpriseId,
        numbers,
        to,
        transport: request.transport,
        vendor: request.gatewayVendor,
        rotation,
        ...(account ? { account } : {}),
        // The FreeSWITCH file's first test call, in the provider's shape: to the main line.
        ...(request.gatewayVendor === 'freeswitch'
          ? { firstTestCall: { line: numbers[0] ?? '', caller: input.testCallee ?? request.contact.phone } }
          : {}),
        dedupKey: runKey(`email/sip-credentials/${rotation}`),
      },
    ],
  );
}

/** The outbound test call, placed where the SBC can route it to the registered contact. */
async function outboundTestCall(
  { c, input, checks }: RegistrationCase,
  account: Account,
  observable: boolean,
): Promise<void> {
  const { request } = input;
  if (!observable) {
    c.step(
      'outbound test call',
      'done',
      'not placed: this SBC cannot route platform test calls; covered by the inbound test',
    );
    return;
  }
  // Through the SBC, which finds the registered contact by the account in the Request-URI.
  const outbound = await sipProbe.placeTestCall.executeWithOptions(
    { summary: `test call through ${account.username}` },
    [
      {
        host: account.realm,
        port: 0,
        transport: request.transport,
        callee: account.username,
        // From the enterprise's main number To the callee given at the start; the Request-URI
        // names the account, which is how the SBC finds the registered gateway.
        caller: input.numbers.e164[0] ?? '',
        instanceId: request.instanceId,
        ...(input.testCallee ? { to: input.testCallee } : {}),
        domain: account.realm,
      },
    ],
  );
  outboundChecked(c, checks, outbound);
}

/** In service: the account lives with the case; the enterprise may rotate its password, again and again. */
async function rotationsServed(reg: RegistrationCase, account: Account): Promise<never> {
  const { c } = reg;
  for (let rotation = 1; ; rotation++) {
    const rotate = await c.awaitAction('registered', [{ action: 'rotate-credentials', role: 'enterprise' }]);
    c.enter('issuing-credentials');
    const rotated = await issueCredentials(reg, rotation, account);
    c.step(
      `credentials rotated (${rotation})`,
      'done',
      `new password emailed; the old one no longer works${rotate.payload.note ? ` (${rotate.payload.note})` : ''}`,
    );
    if (rotated.state !== 'delivered-earlier')
      await applySbcChange(
        c,
        rotated.state,
        'issuing-credentials',
        `rotate-password-${rotation}`,
        `set a new password for ${account.username}@${account.realm} (sent to the customer)`,
      );
    c.state.result = { ...(c.state.result as SipRegistrationView), rotations: rotation };
  }
}

/**
 * Waits for the gateway to register: watched on the SBC where it can see registrations,
 * confirmed by support where it cannot. Reminds the enterprise, fails at the deadline.
 */
async function awaitRegistration(
  c: OnboardingCase<'sip-registration'>,
  to: string,
  account: { username: string; realm: string },
  timings: SipTimings,
  observable: boolean,
): Promise<Registration> {
  const deadline = now() + timings.registrationDeadlineMs;
  if (!observable) {
    const confirmed = await c.awaitAction(
      'awaiting-registration',
      [{ action: 'confirm-registration', role: 'support' }],
      { deadlineMs: timings.registrationDeadlineMs },
    );
    if (!confirmed)
      throw c.fail(
        'NotRegistered',
        `${account.username}@${account.realm} was not confirmed registered by ${isoAt(deadline)}`,
      );
    return { contact: `confirmed by ${confirmed.actor.name}`, expiresAt: 'unknown (the SBC cannot be read)' };
  }
  // Not an action: the enterprise's gateway registering is what the case waits for.
  c.enter(
    'awaiting-registration',
    [],
    [
      {
        for: 'registration',
        role: 'enterprise',
        dueAt: isoAt(deadline),
        detail: `register ${account.username}@${account.realm}`,
      },
    ],
  );
  let nextReminder = now() + timings.registrationReminderMs;
  for (let reminder = 1; ;) {
    const registration = await sipWatch.awaitRegistration.executeWithOptions(
      { summary: `watch for ${account.username} to register` },
      [{ ...account, maxWaitMs: Math.max(1, Math.min(nextReminder, deadline, now() + WATCH_SLICE_MS) - now()) }],
    );
    if (registration) {
      c.step('gateway registered', 'done', `${registration.contact} until ${registration.expiresAt}`);
      return registration;
    }
    if (now() >= deadline)
      throw c.fail('NotRegistered', `${account.username}@${account.realm} did not register by ${isoAt(deadline)}`);
    if (now() >= nextReminder) {
      c.step(`registration reminder ${reminder}`, 'done', `not registered yet`);
      c.mail.send(`registration-reminder/${reminder}`, to, 'sip-registration-reminder', {
        caseId: c.state.id,
        companyName: '',
        username: account.username,
        realm: account.realm,
        reminder,
        deadline: isoAt(deadline),
      });
      reminder++;
      nextReminder += timings.registrationReminderMs;
    }
  }
}
