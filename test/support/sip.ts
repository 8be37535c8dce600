/**
 * What the SIP tests on the real SBC share: a customer's gateway registering with SIPp, SIPp
 * servers running for a file's tests, a call from a gateway's signalling address through the SBC,
 * the credentials a registration email carries, and the preamble of a SIP onboarding case through
 * the API.
 */
import { testCall } from '../../sip/test-call';
import { caseApi, type CaseApi } from './api';
import { useSbcHarness, useStarted, useVerifiedInstance, type Harness } from './harness';
import type { TestInstance } from './fixtures';
import type { TestSbc } from './sbc';
import { runSipp, startSippServer, type SippServer } from './sipp';
import { eventually, type ReceivedEmail } from './stack';

export interface SipAccount {
  username: string;
  realm: string;
  password: string;
}

/** One REGISTER from `from` to the registrar at `registrar` (ip:port) as `account`; SIPp's exit code 0 is accepted. */
export function registerWithSipp(
  from: { ip: string; port: number },
  registrar: string,
  account: SipAccount,
  o: { expires: number; userAgent: string },
) {
  return runSipp('register.xml', {
    ip: from.ip,
    port: from.port,
    remote: registrar,
    args: [
      ...['-au', account.username, '-ap', account.password, '-s', account.username],
      ...['-key', 'realm', account.realm, '-key', 'expires', String(o.expires), '-key', 'ua', o.userAgent],
    ],
    timeoutMs: 5_000,
  });
}

/** A SIPp server (UAS, see `startSippServer`) running for the file's tests. */
export function useSippServer(scenario: string, at: Parameters<typeof startSippServer>[1]): SippServer {
  return useStarted(
    () => startSippServer(scenario, at),
    (server) => server.stop(),
  );
}

/** An INVITE over UDP from a customer's gateway (its signalling address) to the SBC, from 13800138000. */
export function callFrom(
  sbc: { ip: string; sipPort: number },
  from: { ip: string; port: number },
  callee: string,
  extra: Partial<Parameters<typeof testCall>[0]> = {},
) {
  return testCall({
    target: { host: sbc.ip, port: sbc.sipPort, transport: 'udp' },
    localAddress: from.ip,
    localPort: from.port,
    callee,
    caller: '13800138000',
    timeoutMs: 5_000,
    ...extra,
  });
}

/** The account a registration email carries. */
export function credentialsFrom(mail: ReceivedEmail): SipAccount {
  const field = (label: string) => new RegExp(`${label}：(\\S+)`).exec(mail.text)![1]!;
  return { username: field('用户名'), password: field('密码'), realm: field('域（realm）') };
}

/** The first registration-credentials email of case `id` (the `nth` one, counting from 0, after rotations). */
export function credentialsMail(h: Harness, id: string, nth = 0): Promise<ReceivedEmail> {
  return eventually(
    () => h.mail.forCase(id).filter((m) => m.event === 'sip-credentials')[nth],
    15_000,
    nth === 0 ? 'credentials email' : 'rotated credentials',
  );
}

export interface SipOnboarding extends CaseApi {
  /** The file's loopback /24, and the customer's gateway on it. */
  net: string;
  gateway: { ip: string; port: number };
  sbc: TestSbc;
  h: Harness;
  /** The first enterprise's verified instance. */
  instance: TestInstance & { customerId: string };
}

/**
 * The preamble of a SIP onboarding test on the real SBC: the file's SBC on its loopback /24 `net`,
 * a harness with `env` on it, the first enterprise verified with an instance, the customer's
 * gateway at host `gatewayHost` of the /24 on `gatewayPort`, and the case API.
 */
export function useSipOnboarding(
  net: string,
  gateway: { host: number; port: number },
  env: Record<string, string>,
): SipOnboarding {
  const { sbc, h } = useSbcHarness(net, env);
  const instance = useVerifiedInstance(h);
  return { net, gateway: { ip: `${net}.${gateway.host}`, port: gateway.port }, sbc, h, instance, ...caseApi(() => h) };
}

/** A registration-mode case of the first enterprise for `numbers`, its outbound test call to 13900139000. */
export function registrationCase(s: SipOnboarding, numbers: string[], gatewayVendor: string) {
  return {
    kind: 'sip-registration',
    enterpriseId: s.h.enterprises.a,
    instanceId: s.instance.instanceId,
    numbers,
    transport: 'udp',
    gatewayVendor,
    contact: { name: '王工', phone: '13800138000', email: 'noc@example.cn' },
    // The outbound test call goes From the main number To this callee, through the registered gateway.
    testCallee: '13900139000',
  };
}

/** Starts a registration case, has support approve it and reads the emailed credentials. */
export async function approvedRegistration(s: SipOnboarding, numbers: string[], gatewayVendor: string) {
  const id = await s.start(registrationCase(s, numbers, gatewayVendor));
  await s.stageWhen(id, 'awaiting-review');
  await s.act(id, 'approve', s.h.tokens.support);
  const mail = await credentialsMail(s.h, id);
  return { id, mail, account: credentialsFrom(mail) };
}
