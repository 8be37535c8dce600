/**
 * Calls between the public network and the contact center, on the real SBC, with what `npm start`
 * runs around it: the public-network simulator behind a carrier interconnect (callees that answer,
 * callers placed by `npm run call`'s code) and the contact-center sandbox's SIP side, which answers
 * only its instances' numbers. A purchased number is called in from the carrier and answered; a
 * 400 number landed on a fixed line is forwarded there; a number the SBC routes but no instance
 * holds is refused by the platform; calls out from a purchased line leave through the carrier and
 * are answered on the public network.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { placeCall } from '../../dev/call';
import { startContactCenterSip } from '../../sandboxes/contact-center/sip';
import type { ContactCenterData } from '../../sandboxes/contact-center/store';
import { startAnswerer } from '../../sip/answerer';
import { testCall } from '../../sip/test-call';
import { useStarted, useTestSbc } from '../support/harness';
import { loopbackNet } from '../support/net';
import { operatorCarrier } from '../support/sbc';

const NET = loopbackNet(100);
/** The public network, behind the 400 operator's carrier interconnect. */
const PUBLIC_NETWORK = operatorCarrier({ ip: `${NET}.2`, port: 5092 });
const INSTANCE = 'cc-pstn';
const PURCHASED = '+862066005001';
const FIXED_LINE = '+862066005002';
const OWN_400 = '4008123456';
/** Routed by the SBC, but bound to no instance on the platform. */
const UNBOUND = '+862066005003';
const bound = Object.fromEntries([PURCHASED, FIXED_LINE].map((number) => [number, { number, instanceId: INSTANCE }]));
const answeredOnPublicNetwork: string[] = [];

// The SBC hands the calls it admits to the contact-center sandbox, not to SIPp.
const t = useTestSbc(NET, { contactCenter: { ip: `${NET}.4`, port: 5094 }, carriers: [PUBLIC_NETWORK] });
useStarted(
  () =>
    startContactCenterSip({
      host: t.contactCenter.ip,
      port: t.contactCenter.port,
      data: () => ({ numbers: bound }) as unknown as ContactCenterData,
    }),
  (contactCenter) => contactCenter.close(),
);
useStarted(
  () =>
    startAnswerer({
      host: PUBLIC_NETWORK.ip,
      port: PUBLIC_NETWORK.port,
      transport: 'udp',
      decide: () => ({ answer: true }),
      onEvent: (e) => e.kind === 'answered' && answeredOnPublicNetwork.push(e.callId),
    }),
  (publicNetwork) => publicNetwork.close(),
);

beforeAll(async () => {
  const owner = { instanceId: INSTANCE, enterpriseId: 'ent-pstn' };
  await t.gateway.assignNumbers({
    ...owner,
    numbers: [PURCHASED, UNBOUND],
    origin: 'purchased',
    reference: 'case-pstn-1',
  });
  await t.gateway.assignNumbers({
    ...owner,
    numbers: [FIXED_LINE],
    origin: 'own-400',
    carries400: OWN_400,
    reference: 'case-pstn-2',
  });
});

const from = (to: string) =>
  placeCall({
    from: '13800138000',
    to,
    holdMs: 500,
    sbc: { host: t.address.ip, port: t.address.sipPort, databaseUrl: t.databaseUrl },
    localAddress: PUBLIC_NETWORK.ip,
  });

describe('the public network and the contact center around the SBC', () => {
  it('rings a purchased number from the carrier; the contact center answers it', async () => {
    const { result } = await from('020-6600-5001');
    expect(result.outcome).toBe('answered');
    expect(result.teardown).toMatchObject({ method: 'BYE', code: 200 });
    const call = await t.pool.query(`SELECT direction, number, end_reason FROM sbc_call WHERE callid = $1`, [
      result.callId,
    ]);
    expect(call.rows).toEqual([{ direction: 'inbound', number: PURCHASED, end_reason: 'bye' }]);
  });

  it('forwards a call to an own 400 number to the fixed line it is landed on', async () => {
    const placed = await from(OWN_400);
    expect(placed.landedOn).toBe(FIXED_LINE);
    expect(placed.result.outcome).toBe('answered');
  });

  it('is refused by the platform for a number no instance holds, and by the SBC for a number not ours', async () => {
    expect((await from(UNBOUND)).result).toMatchObject({ outcome: 'rejected', finalCode: 404 });
    expect((await from('02066005999')).result).toMatchObject({ outcome: 'rejected', finalCode: 404 });
    const reasons = await t.pool.query(
      `SELECT callee, reason FROM acc WHERE method = 'INVITE' AND sip_code = '404' ORDER BY id`,
    );
    expect(reasons.rows.map((r: { reason: string }) => r.reason)).toEqual(['to-platform', 'not-your-number']);
  });

  it('takes a purchased line’s call out through the carrier, answered on the public network', async () => {
    const call = await testCall({
      target: { host: t.platform.ip, port: t.platform.port, transport: 'tcp' },
      localAddress: t.probe,
      caller: PURCHASED,
      callee: '13900139000',
      headers: [['X-Instance-Id', INSTANCE]],
      ringMs: 5_000,
      holdMs: 300,
      timeoutMs: 8_000,
    });
    expect(call.outcome).toBe('answered');
    expect(answeredOnPublicNetwork).toContain(call.callId);
  });
});
