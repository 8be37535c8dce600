/**
 * The real SBC for a test file: Kamailio on its own loopback /24 with a fresh database, a SIPp
 * contact center behind it, the platform's probe address in its group 2, and the environment
 * the product needs to use it (in-process and in worker processes alike).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { KamailioSipGateway } from '../../activities/sip-gateway-kamailio';
import { dropSbcDatabase } from '../../sbc/schema';
import { startSbc, type RunningSbc } from '../../sbc/start';
import { startSippServer, type SippServer } from './sipp';

export interface TestSbc {
  sbc: RunningSbc;
  pool: pg.Pool;
  gateway: KamailioSipGateway;
  address: { ip: string; sipPort: number; rpcPort: number };
  probe: string;
  sipDomain: string;
  /** Environment for the stack: kamailio mode on this SBC, its addresses told to customers. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** `net` is the first three octets of a loopback /24 no other test file uses, e.g. `127.0.72`. */
export async function startTestSbc(net: string, sipDomain = 'sip.test'): Promise<TestSbc> {
  const address = { ip: `${net}.1`, sipPort: 5060, rpcPort: 5071 };
  const contactCenter = { ip: `${net}.4`, port: 5060 };
  const probe = `${net}.5`;
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/onboarding_sbc_${randomUUID().slice(0, 8)}`;
  const platform: SippServer = await startSippServer('uas-answer.xml', contactCenter);
  const sbc = await startSbc({
    databaseUrl,
    sipIp: address.ip,
    sipPort: address.sipPort,
    rpcIp: address.ip,
    rpcPort: address.rpcPort,
    sipDomain,
    platformUri: `sip:${contactCenter.ip}:${contactCenter.port}`,
    // The contact center and the platform's probe address make up group 2.
    platformAddresses: [contactCenter.ip, probe],
  });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const gateway = new KamailioSipGateway({ pool, rpcUrl: sbc.rpcUrl, sipDomain });
  const sbcAddress = `${address.ip}:${address.sipPort}`;
  return {
    sbc,
    pool,
    gateway,
    address,
    probe,
    sipDomain,
    env: {
      SIP_GATEWAY_MODE: 'kamailio',
      SIP_DOMAIN: sipDomain,
      SBC_SIP_HOST: address.ip,
      SBC_SIP_PORT: String(address.sipPort),
      SBC_DATABASE_URL: databaseUrl,
      SBC_RPC_URL: sbc.rpcUrl,
      SIP_PROBE_ADDRESS: probe,
      SIP_REGISTRAR: sbcAddress,
      SIP_PROVIDER_INBOUND: sbcAddress,
      SIP_PROVIDER_INBOUND_IPS: sbcAddress,
      SIP_PROVIDER_OUTBOUND: sbcAddress,
    },
    async stop() {
      await sbc.stop();
      await platform.stop();
      await pool.end();
      await dropSbcDatabase(databaseUrl);
    },
  };
}
