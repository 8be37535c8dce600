/**
 * Registration mode proven with a real SIP phone (baresip), not only SIPp: it registers with the
 * credentials from the registration email, answers the platform's outbound test call and places
 * the inbound one, all through the real SBC, and the case completes on what the SBC saw.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { bearer, caseApi, eventually, useSbcHarness, useVerifiedInstance } from '../support/harness';
import { startBaresip, type Baresip } from '../support/baresip';
import { loopbackNet } from '../support/net';

const NET = loopbackNet(151);
const PHONE = `${NET}.6:5066`;

const { sbc, h } = useSbcHarness(NET, {
  SIP_REGISTRATION_REMINDER: '5s',
  SIP_REGISTRATION_DEADLINE: '2m',
  SIP_INBOUND_TEST_WINDOW: '60s',
});
const instance = useVerifiedInstance(h);
let phone: Baresip | undefined;

afterAll(async () => {
  await phone?.stop();
});

const { start, attempt, stageWhen } = caseApi(() => h);

describe('a real SIP phone in registration mode (baresip)', () => {
  it('registers with the emailed credentials, answers the outbound test call and places the inbound one through the SBC', async () => {
    const id = await start({
      kind: 'sip-registration',
      enterpriseId: h.enterprises.a,
      instanceId: instance.instanceId,
      numbers: ['020-66004451'],
      transport: 'udp',
      gatewayVendor: 'generic',
      contact: { name: '王工', phone: '13800138000', email: 'noc@example.cn' },
      testCallee: '13900139000',
    });
    await stageWhen(id, 'awaiting-review');
    await attempt(id, 'approve', h.tokens.support);
    const mail = await eventually(
      () => h.mail.forCase(id).find((m) => m.event === 'sip-credentials'),
      15_000,
      'credentials email',
    );
    const field = (label: string) => new RegExp(`${label}：(\\S+)`).exec(mail.text)![1]!;
    const account = { username: field('用户名'), password: field('密码'), realm: field('域（realm）') };
    await stageWhen(id, 'awaiting-registration');

    phone = await startBaresip({
      account: { ...account, registrar: `${sbc.address.ip}:${sbc.address.sipPort}`, transport: 'udp' },
      listen: PHONE,
      control: { host: `${NET}.6`, port: 4444 },
    });
    // The SBC sees the registration (the case moves on), then the platform's outbound test call
    // reaches the phone, which answers it.
    await stageWhen(id, 'awaiting-inbound-test', 45_000);
    expect(phone.log()).toMatch(/200 OK \(onboarding-sbc\)/);
    expect(phone.log()).toMatch(/answering call on line \d+ from sip:\+862066004451@/);

    // The phone calls the line: digest-authenticated by the SBC, seen in its call records.
    await phone.command('dial', `sip:02066004451@${account.realm}`);
    const registered = await stageWhen(id, 'registered', 45_000).catch((err: Error) => {
      throw new Error(`${err.message}; the phone said:\n${phone!.log()}`);
    });
    expect((registered.result as { passed: boolean }).passed).toBe(true);
    const live = await h.api.get(`/v1/onboardings/${id}`).set(...bearer(h.tokens.entA));
    expect(live.body.registration).toMatchObject({ registered: true, userAgent: expect.stringContaining('baresip') });
  });
});
