/**
 * Own fixed lines over a SIP trunk: whitelisting both ways, connectivity, test calls both ways,
 * numbers assigned to the instance.
 *
 * (a carrier without SIP trunking: awaiting-gateway until the enterprise has a gateway that does)
 * -> awaiting-review -> allowlisting (gateway on the SBC allowlist) -> awaiting-customer-whitelist
 * (the enterprise allows the provider's addresses) -> connectivity-check (OPTIONS with backoff;
 * connectivity-failed waits for retry-connectivity) -> test-calls (outbound rings the test
 * callee; inbound seen in the SBC's call records, or confirmed by support) -> assigning-numbers ->
 * a pass/fail report. Failure or cancel removes what was added.
 */
import { patched, sleep } from '@temporalio/workflow';
import type { SipTrunkInput } from '../contract/inputs';
import type { ProbeResult, TestCallResult } from '../activities/sip-probe';
import { gateway, sipProbe } from './lib/activities';
import { isoAt, now, type OnboardingCase } from './lib/case';
import {
  applySbcChange,
  type Check,
  holdOwnNumbers,
  inboundTest,
  openSipCase,
  outboundChecked,
  ownNumbersHeld,
  sipEnding,
  sipNumbersInService,
  sipReview,
} from './lib/sip';
import type { SipTrunkResult } from '../domain/sip';

export async function sipTrunk(input: SipTrunkInput): Promise<SipTrunkResult> {
  const { request, timings } = input;
  const { ip, port, transport } = request.gateway;
  const target = `${ip}:${port}/${transport}`;
  const { c, checks, to, base } = openSipCase('sip-trunk', input);
  const trunk: TrunkCase = { c, input, checks, to, base, target };

  return c.run(sipEnding(c, { to, base, kindLabel: 'SIP中继对接 / SIP trunk', checks }), async () => {
    // A carrier that cannot trunk: the enterprise first puts in a gateway that can (loose routing,
    // same-path signalling) and says so; review waits for it.
    if (request.carrierSupportsSipTrunk === false && patched('gateway-readiness')) await gatewayReady(trunk);

    await sipReview(c, {
      to,
      base,
      mode: 'trunk',
      summary: `gateway ${target}, ${input.numbers.e164.length} number(s)`,
      remindEveryMs: timings.reviewSlaMs,
      reminder: (n) => `reminder ${n}: gateway ${target}`,
    });

    await allowlistGateway(trunk);
    await customerWhitelist(trunk);
    await connectivityChecked(trunk);

    // Test calls: outbound through the gateway to the test callee, then inbound from the gateway.
    c.enter('test-calls');
    await outboundTestCall(trunk);
    await inboundTest(c, checks, {
      to,
      base,
      numbers: input.numbers.e164,
      formatted: input.numbers.display,
      sourceIp: ip,
      from: target,
      windowMs: timings.inboundTestWindowMs,
    });

    await assignNumbers(trunk);
    const result: SipTrunkResult = {
      passed: true,
      gateway: target,
      numbers: input.numbers.display,
      instanceId: request.instanceId,
      checks,
    };
    return result;
  });
}

/** The case and what each of its steps reads. */
interface TrunkCase {
  c: OnboardingCase<'sip-trunk'>;
  input: SipTrunkInput;
  /** The pass/fail report so far. */
  checks: Check[];
  to: string;
  base: { caseId: string; companyName: string };
  /** The gateway, `ip:port/transport`. */
  target: string;
}

/** The enterprise says its new gateway can trunk; reminded until it does. */
async function gatewayReady({ c, input, to, base, target }: TrunkCase): Promise<void> {
  const { mail } = c;
  await c.awaitAction('awaiting-gateway', [{ action: 'confirm-gateway-ready', role: 'enterprise' }], {
    onEnter: () => mail.send('gateway-needed', to, 'trunk-gateway-needed', { ...base, gateway: target }),
    remindEveryMs: input.timings.whitelistReminderMs,
    onReminder: (n) =>
      mail.send(`gateway-reminder/${n}`, to, 'trunk-gateway-needed', { ...base, gateway: target, reminder: n }),
  });
  c.step('gateway ready', 'done', `the enterprise confirmed ${target} supports loose routing and same-path signalling`);
}

/**
 * The gateway's address goes on the SBC allowlist for this case; its numbers come off sale
 * (cases approved before the hold existed go on without it).
 */
async function allowlistGateway({ c, input, target }: TrunkCase): Promise<void> {
  const { request } = input;
  const { ip, port, transport } = request.gateway;
  const numbers = input.numbers.e164;
  c.enter('allowlisting');
  if (ownNumbersHeld()) await holdOwnNumbers(c, numbers);
  c.undo.add('remove the allowlist entry', () =>
    gateway.disallowGateway.executeWithOptions({ summary: `compensate: remove ${ip}:${port} from the allowlist` }, [
      { ip, port, reference: c.state.id },
    ]),
  );
  // The gateway may dial the case's numbers (its test calls) and, once assigned, the instance's.
  const entry = await gateway.allowGateway.executeWithOptions({ summary: `allowlist ${target}` }, [
    {
      ip,
      port,
      transport,
      reference: c.state.id,
      instanceId: request.instanceId,
      enterpriseId: c.state.enterpriseId,
      numbers,
    },
  ]);
  await applySbcChange(
    c,
    entry.state,
    'allowlisting',
    'allowlist-gateway',
    `add ${ip}:${port} (${transport}) to allowlist group 1 for case ${c.state.id}`,
  );
  c.step('gateway allowlisted', 'done', `${target} (${entry.state})`);
}

/** The enterprise allows the provider's addresses on its side, by a deadline. */
async function customerWhitelist({ c, input, to, base, target }: TrunkCase): Promise<void> {
  const { mail } = c;
  const { timings } = input;
  const whitelist = { ...base, inbound: input.provider.inbound, outbound: input.provider.outbound, gateway: target };
  const confirmed = await c.awaitAction(
    'awaiting-customer-whitelist',
    [{ action: 'confirm-whitelist', role: 'enterprise' }],
    {
      onEnter: () => mail.send('whitelist', to, 'trunk-whitelist', whitelist),
      remindEveryMs: timings.whitelistReminderMs,
      onReminder: (n) => mail.send(`whitelist-reminder/${n}`, to, 'trunk-whitelist', { ...whitelist, reminder: n }),
      deadlineMs: timings.whitelistDeadlineMs,
    },
  );
  if (!confirmed)
    throw c.fail('WhitelistNotConfirmed', `the provider's addresses were not confirmed as allowed by ${isoAt(now())}`);
}

/**
 * Connectivity: any SIP final response to OPTIONS proves the path; retried with backoff, and
 * again each time the enterprise asks after a round without an answer.
 */
async function connectivityChecked(trunk: TrunkCase): Promise<void> {
  const { c, input, checks, target } = trunk;
  const { ip, port, transport } = input.request.gateway;
  for (let round = 1; ; round++) {
    c.enter('connectivity-check');
    const probe = await optionsWithBackoff(target, ip, port, transport, input.timings.connectivityWindowMs);
    if (probe.outcome === 'answered') {
      checks.push({
        name: 'connectivity (OPTIONS)',
        passed: true,
        detail: `${probe.code} ${probe.reason} in ${probe.rttMs} ms from ${probe.from}`,
        at: isoAt(now()),
        code: probe.code,
        rttMs: probe.rttMs,
      });
      c.step(`connectivity round ${round}`, 'done', `${probe.code} ${probe.reason}, ${probe.rttMs} ms`);
      return;
    }
    c.step(`connectivity round ${round}`, 'failed', `no answer to ${probe.attempts} OPTIONS from ${probe.from}`);
    await connectivityRetried(trunk, round, probe);
  }
}

/** After a round without an answer the enterprise fixes its side and asks again, by a deadline. */
async function connectivityRetried(
  { c, input, to, base, target }: TrunkCase,
  round: number,
  probe: ProbeResult & { attempts: number },
): Promise<void> {
  const { timings } = input;
  const retried = await c.awaitAction('connectivity-failed', [{ action: 'retry-connectivity', role: 'enterprise' }], {
    onEnter: () =>
      c.mail.send(`connectivity-failed/${round}`, to, 'trunk-connectivity-failed', {
        ...base,
        target,
        from: probe.from,
        sent: probe.sent,
        attempts: probe.attempts,
        window: `${Math.round(timings.connectivityWindowMs / 1000)} s`,
        result: 'no SIP response (timeout)',
      }),
    deadlineMs: timings.connectivityRetryDeadlineMs,
  });
  if (!retried) throw c.fail('ConnectivityFailed', `the gateway ${target} never answered OPTIONS`);
}

/** A test call out through the gateway to the test callee. */
async function outboundTestCall({ c, input, checks, target }: TrunkCase): Promise<void> {
  const { request } = input;
  const { ip, port, transport } = request.gateway;
  const outbound: TestCallResult = await sipProbe.placeTestCall.executeWithOptions(
    { summary: `test call to ${input.testCallee} via ${target}` },
    [
      {
        host: ip,
        port,
        transport,
        callee: input.testCallee,
        caller: input.numbers.e164[0] ?? '',
        instanceId: request.instanceId,
      },
    ],
  );
  outboundChecked(c, checks, outbound);
}

/** The gateway's numbers go into service on the instance, bound to the app, with the caller-ID prefix. */
async function assignNumbers({ c, input, checks, to, base }: TrunkCase): Promise<void> {
  const { request } = input;
  const { e164: numbers, display: formatted } = input.numbers;
  const prefix = request.callerIdPrefix;
  await sipNumbersInService(
    c,
    checks,
    {
      to,
      base,
      formatted,
      detail: `${formatted.join(', ')} on ${request.instanceId}${prefix ? ` with caller-ID prefix ${prefix}` : ''}`,
    },
    {
      verb: 'assign',
      instanceId: request.instanceId,
      numbers,
      ...(prefix ? { callerIdPrefix: prefix } : {}),
      origin: 'own-trunk',
      summary: `assign ${numbers.length} number(s) to ${request.instanceId}`,
      platformSummary: `bind ${numbers.length} number(s) to app ${request.boundAppId} in contact center ${request.instanceId}`,
      platformBinding: { appId: request.boundAppId },
    },
  );
}

/** OPTIONS, again and again with doubling pauses, until an answer or the window closes. */
async function optionsWithBackoff(
  target: string,
  host: string,
  port: number,
  transport: 'udp' | 'tcp',
  windowMs: number,
): Promise<ProbeResult & { attempts: number }> {
  const until = now() + windowMs;
  let pause = 1_000;
  let attempts = 0;
  for (;;) {
    const probe = await sipProbe.sendOptions.executeWithOptions({ summary: `OPTIONS to ${target}` }, [
      { host, port, transport },
    ]);
    attempts += probe.outcome === 'timeout' ? probe.attempts : 1;
    if (probe.outcome === 'answered' || now() + pause >= until) return { ...probe, attempts };
    await sleep(pause);
    pause = Math.min(pause * 2, 30_000);
  }
}
