/**
 * Calls between the public network and the contact center, on the real SBC, with what `npm start`
 * runs around it: the public-network simulator behind a carrier interconnect (callees that answer,
 * callers placed by `npm run call`'s code) and the contact-center sandbox's SIP side, which answers
 * only its instances' numbers. A purchased number is called in from the carrier and answered; a
 * 400 number landed on a fixed line is forwarded there; a number the SBC routes but no instance
 * holds is refused by the platform; calls out from a purchased line leave through the carrier and
 * are answered on the public network.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KamailioSipGateway } from '../../activities/sip-gateway-kamailio';
import { placeCall } from '../../dev/call';
import { startContactCenterSip } from '../../sandboxes/contact-center/sip';
import type { ContactCenterData } from '../../sandboxes/contact-center/store';
import { dropSbcDatabase } from '../../sbc/schema';
import { startSbc, type RunningSbc } from '../../sbc/start';
import { startAnswerer, type Answerer } from '../../sip/answerer';
import { testCall } from '../../sip/test-call';
import { loopbackNet } from '../support/net';

const NET = loopbackNet(100);
const SBC = { ip: `${NET}.1`, sipPort: 5060, rpcPort: 5071 };
const LISTENER = { ip: `${NET}.1`, port: 5061 };
const PUBLIC_NETWORK = { host: `${NET}.2`, port: 5092 };
const CONTACT_CENTER_SIP = { host: `${NET}.4`, port: 5094 };
const DATABASE = `postgres://postgres@127.0.0.1:5432/onboarding_sbc_pstn_${randomUUID().slice(0, 8)}`;
const INSTANCE = 'cc-pstn';
const PURCHASED = '+862066005001';
const FIXED_LINE = '+862066005002';
const OWN_400 = '4008123456';
/** Routed by the SBC, but bound to no instance on the platform. */
const UNBOUND = '+862066005003';

let sbc: RunningSbc;
let pool: pg.Pool;
let gateway: KamailioSipGateway;
let contactCenter: Answerer;
let publicNetwork: Answerer;
const answeredOnPublicNetwork: string[] = [];

beforeAll(async () => {
  const bound = Object.fromEntries([PURCHASED, FIXED_LINE].map((number) => [number, { number, instanceId: INSTANCE }]));
  contactCenter = await startContactCenterSip({
    ...CONTACT_CENTER_SIP,
    data: () => ({ numbers: bound }) as unknown as ContactCenterData,
  });
  publicNetwork = await startAnswerer({
    ...PUBLIC_NETWORK,
    transport: 'udp',
    decide: () => ({ answer: true }),
    onEvent: (e) => e.kind === 'answered' && answeredOnPublicNetwork.push(e.callId),
  });
  sbc = await startSbc({
    databaseUrl: DATABASE,
    sipIp: SBC.ip,
    sipPort: SBC.sipPort,
    rpcIp: SBC.ip,
    rpcPort: SBC.rpcPort,
    sipDomain: 'sip.test',
    platformUri: `sip:${CONTACT_CENTER_SIP.host}:${CONTACT_CENTER_SIP.port};transport=tcp`,
    platformAddresses: [CONTACT_CENTER_SIP.host, `${NET}.5`],
    platformListener: LISTENER,
    carriers: [
      {
        name: 'public-network',
        ip: PUBLIC_NETWORK.host,
        port: PUBLIC_NETWORK.port,
        transport: 'udp',
        origins: ['purchased', 'own-400'],
        prefixes: ['+86'],
      },
    ],
  });
  pool = new pg.Pool({ connectionString: DATABASE, max: 4 });
  gateway = new KamailioSipGateway({ pool, rpcUrl: sbc.rpcUrl, sipDomain: 'sip.test' });
  const owner = { instanceId: INSTANCE, enterpriseId: 'ent-pstn' };
  await gateway.assignNumbers({
    ...owner,
    numbers: [PURCHASED, UNBOUND],
    origin: 'purchased',
    reference: 'case-pstn-1',
  });
  await gateway.assignNumbers({
    ...owner,
    numbers: [FIXED_LINE],
    origin: 'own-400',
    carries400: OWN_400,
    reference: 'case-pstn-2',
  });
}, 60_000);

afterAll(async () => {
  await sbc?.stop();
  await contactCenter?.close();
  await publicNetwork?.close();
  await pool?.end();
  await dropSbcDatabase(DATABASE);
});

const from = (to: string) =>
  placeCall({
    from: '13800138000',
    to,
    holdMs: 500,
    sbc: { host: SBC.ip, port: SBC.sipPort, databaseUrl: DATABASE },
    localAddress: PUBLIC_NETWORK.host,
  });

describe('the public network and the contact center around the SBC', () => {
  it('rings a purchased number from the carrier; the contact center answers it', async () => {
    const { result } = await from('020-6600-5001');
    expect(result.outcome).toBe('answered');
    expect(result.teardown).toMatchObject({ method: 'BYE', code: 200 });
    const call = await pool.query(`SELECT direction, number, end_reason FROM sbc_call WHERE callid = $1`, [
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
    const reasons = await pool.query(
      `SELECT callee, reason FROM acc WHERE method = 'INVITE' AND sip_code = '404' ORDER BY id`,
    );
    expect(reasons.rows.map((r: { reason: string }) => r.reason)).toEqual(['to-platform', 'not-your-number']);
  });

  it('takes a purchased line’s call out through the carrier, answered on the public network', async () => {
    const call = await testCall({
      target: { host: LISTENER.ip, port: LISTENER.port, transport: 'tcp' },
      localAddress: `${NET}.5`,
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
