/**
 * SIP probes from the platform as activities: OPTIONS to a customer's gateway and a test call
 * through it, from the platform's signalling address. Results are kept small and serialisable
 * for the case's history.
 */
import { sendOptions, type OptionsResult } from '../sip/options';
import { testCall, type TestCallResult as CallResult } from '../sip/test-call';

export interface SipProbeDeps {
  /** The local address probes and test calls leave from. */
  localAddress: string;
  optionsTimeoutMs?: number;
  /**
   * The SBC's platform listener test calls go through (TCP: the platform's way out, where it names
   * the instance calling and the SBC checks the caller is that instance's); without one, calls go
   * straight out.
   */
  via?: { host: string; port: number };
}

/** An OPTIONS probe as a case records it. */
export type ProbeResult =
  | { outcome: 'answered'; code: number; reason: string; rttMs: number; sent: string; from: string }
  | { outcome: 'timeout'; attempts: number; sent: string; from: string }
  | { outcome: 'unreachable'; attempts: number; sent: string; from: string; error: string };

/** A test call with its verdict and a one-line summary for steps and reports. */
export type TestCallResult = CallResult & { passed: boolean; summary: string };

export function createSipProbeActivities(deps: SipProbeDeps) {
  return {
    async sendOptions(input: { host: string; port: number; transport: 'udp' | 'tcp' }): Promise<ProbeResult> {
      const result: OptionsResult = await sendOptions({
        ...input,
        localAddress: deps.localAddress,
        timeoutMs: deps.optionsTimeoutMs ?? 8_000,
      });
      if (result.outcome === 'answered')
        return {
          outcome: 'answered',
          code: result.code,
          reason: result.reason,
          rttMs: result.rttMs,
          sent: result.sent,
          from: result.from,
        };
      if (result.outcome === 'timeout')
        return { outcome: 'timeout', attempts: result.attempts, sent: result.sent, from: result.from };
      return {
        outcome: 'unreachable',
        attempts: 1,
        sent: `OPTIONS sip:${input.host}:${input.port};transport=${input.transport}`,
        from: result.from ?? deps.localAddress,
        error: result.error,
      };
    },

    async placeTestCall(input: {
      host: string;
      port: number;
      transport: 'udp' | 'tcp';
      callee: string;
      caller?: string;
      /** The instance the call is placed for (the SBC takes its numbers as callers only). */
      instanceId?: string;
      /** To user, where it is not the Request-URI's (see `TestCallOptions.to`). */
      to?: string;
      domain?: string;
    }): Promise<TestCallResult> {
      const direct = { host: input.host, port: input.port, transport: input.transport };
      const result = await testCall({
        target: deps.via ? { ...deps.via, transport: 'tcp' } : direct,
        ...(deps.via && input.instanceId ? { headers: [['X-Instance-Id', input.instanceId]] } : {}),
        callee: input.callee,
        caller: input.caller,
        ...(input.to ? { to: input.to } : {}),
        // Through the SBC, the Request-URI names the gateway the SBC must route to.
        ...(input.domain ? { domain: input.domain } : deps.via ? { domain: `${input.host}:${input.port}` } : {}),
        localAddress: deps.localAddress,
        ringMs: 1_000,
        timeoutMs: 20_000,
      });
      const passed = result.outcome === 'answered' || result.outcome === 'cancelled';
      return { ...result, passed, summary: summarise(result) };
    },
  };
}

function summarise(r: CallResult): string {
  const parts: string[] = [r.outcome];
  if (r.timings.ringingMs !== undefined) parts.push(`ringing after ${r.timings.ringingMs} ms`);
  if (r.finalCode) parts.push(`final ${r.finalCode} ${r.finalReason ?? ''}`.trim());
  if ('code' in r.teardown && r.teardown.code) parts.push(`${r.teardown.method} ${r.teardown.code}`);
  else if (r.teardown.method !== 'none') parts.push(`${r.teardown.method} sent`);
  parts.push(`${r.timings.totalMs} ms in all`);
  if (r.error) parts.push(r.error);
  return parts.join(', ');
}

export type SipProbeActivities = ReturnType<typeof createSipProbeActivities>;
