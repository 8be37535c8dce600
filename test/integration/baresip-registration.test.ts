/**
 * Registration mode proven with a real SIP phone (baresip), not only SIPp: it registers with the
 * credentials from the registration email, answers the platform's outbound test call and places
 * the inbound one, all through the real SBC, and the case completes on what the SBC saw.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/harness';
import { startBaresip, type Baresip } from '../support/baresip';
import { loopbackNet } from '../support/net';
import { approvedRegistration, useSipOnboarding } from '../support/sip';

const sip = useSipOnboarding(
  loopbackNet(151),
  { host: 6, port: 5066 },
  { SIP_REGISTRATION_REMINDER: '5s', SIP_REGISTRATION_DEADLINE: '2m', SIP_INBOUND_TEST_WINDOW: '60s' },
);
const { net: NET, gateway: PHONE, sbc, h, stageWhen } = sip;
let phone: Baresip | undefined;

afterAll(async () => {
  await phone?.stop();
});

describe('a real SIP phone in registration mode (baresip)', () => {
  it('registers with the emailed credentials, answers the outbound test call and places the inbound one through the SBC', async () => {
    const { id, account } = await approvedRegistration(sip, ['020-66004451'], 'generic');
    await stageWhen(id, 'awaiting-registration');

    phone = await startBaresip({
      account: { ...account, registrar: `${sbc.address.ip}:${sbc.address.sipPort}`, transport: 'udp' },
      listen: `${PHONE.ip}:${PHONE.port}`,
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
