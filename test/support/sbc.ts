/**
 * The real SBC for a test file: Kamailio on its own loopback /24 with a fresh database, a SIPp
 * contact center behind it, the platform's probe address in its group 2, and the environment
 * the product needs to use it (in-process and in worker processes alike).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { KamailioSipGateway } from '../../activities/sip-gateway-kamailio';
import type { Carrier } from '../../domain/carriers';
import { dropSbcDatabase } from '../../sbc/schema';
import { startSbc, type RunningSbc, type SbcOptions } from '../../sbc/start';
import { startSippServer, type SippServer } from './sipp';

export interface TestSbc {
  sbc: RunningSbc;
  databaseUrl: string;
  pool: pg.Pool;
  gateway: KamailioSipGateway;
  address: { ip: string; sipPort: number; rpcPort: number };
  /** The platform's listener (TCP): calls out go there, with X-Instance-Id. */
  platform: { ip: string; port: number };
  /** Where the SBC sends the calls it admits (TCP). */
  contactCenter: { ip: string; port: number };
  probe: string;
  sipDomain: string;
  /** Environment for the stack: kamailio mode on this SBC, its addresses told to customers. */
  env: Record<string, string>;
  /** Stops Kamailio and starts it again on the same database: what it counted stays. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The 400 operator's carrier over the provider's interconnect, for purchased and own-400 numbers. */
export function operatorCarrier(at: { ip: string; port: number }): Carrier {
  return {
    name: 'pstn',
    ip: at.ip,
    port: at.port,
    transport: 'udp',
    origins: ['purchased', 'own-400'],
    prefixes: ['+86'],
  };
}

export interface TestSbcOptions {
  sipDomain?: string;
  carriers?: Carrier[];
  keepAliveSeconds?: number;
  /** The contact center's SIPp scenario (default: it answers every call) and its extra arguments. */
  contactCenterScenario?: string;
  contactCenterArgs?: string[];
  /** A contact center the file runs itself at this address (TCP), in place of the SIPp one. */
  contactCenter?: { ip: string; port: number };
}

/** `net` is the first three octets of a loopback /24 no other test file uses, e.g. `127.0.72`. */
export async function startTestSbc(net: string, options: TestSbcOptions | string = {}): Promise<TestSbc> {
  const o = typeof options === 'string' ? { sipDomain: options } : options;
  const sipDomain = o.sipDomain ?? 'sip.test';
  const address = { ip: `${net}.1`, sipPort: 5060, rpcPort: 5071 };
  const platformListener = { ip: `${net}.1`, port: 5061 };
  const contactCenter = o.contactCenter ?? { ip: `${net}.4`, port: 5060 };
  const probe = `${net}.5`;
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/onboarding_sbc_${randomUUID().slice(0, 8)}`;
  // The contact center behind the SBC speaks TCP with it, as the platform does.
  const platform: SippServer | undefined = o.contactCenter
    ? undefined
    : await startSippServer(o.contactCenterScenario ?? 'uas-answer.xml', {
        ...contactCenter,
        args: ['-t', 't1', ...(o.contactCenterArgs ?? [])],
      });
  const sbcOptions: SbcOptions = {
    onLog: process.env.SBC_LOG ? (line) => process.stderr.write(`${line}\n`) : undefined,
    databaseUrl,
    sipIp: address.ip,
    sipPort: address.sipPort,
    rpcIp: address.ip,
    rpcPort: address.rpcPort,
    sipDomain,
    platformUri: `sip:${contactCenter.ip}:${contactCenter.port};transport=tcp`,
    // The contact center and the platform's probe address make up group 2.
    platformAddresses: [contactCenter.ip, probe],
    platformListener,
    carriers: o.carriers ?? [],
    keepAliveSeconds: o.keepAliveSeconds ?? 30,
  };
  const sbc = await startSbc(sbcOptions).catch(async (err: unknown) => {
    await platform?.stop();
    throw err;
  });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const gateway = new KamailioSipGateway({ pool, rpcUrl: sbc.rpcUrl, sipDomain });
  const sbcAddress = `${address.ip}:${address.sipPort}`;
  const started: TestSbc = {
    sbc,
    databaseUrl,
    pool,
    gateway,
    address,
    platform: platformListener,
    contactCenter,
    probe,
    sipDomain,
    env: {
      SIP_GATEWAY_MODE: 'kamailio',
      SIP_DOMAIN: sipDomain,
      SBC_SIP_HOST: address.ip,
      SBC_SIP_PORT: String(address.sipPort),
      SBC_DATABASE_URL: databaseUrl,
      SBC_RPC_URL: sbc.rpcUrl,
      SBC_PLATFORM_HOST: platformListener.ip,
      SBC_PLATFORM_PORT: String(platformListener.port),
      SIP_PROBE_ADDRESS: probe,
      SIP_REGISTRAR: sbcAddress,
      SIP_PROVIDER_INBOUND: sbcAddress,
      SIP_PROVIDER_INBOUND_IPS: sbcAddress,
      SIP_PROVIDER_OUTBOUND: sbcAddress,
    },
    async restart() {
      await started.sbc.stop();
      started.sbc = await startSbc(sbcOptions);
    },
    async stop() {
      await started.sbc.stop();
      await platform?.stop();
      await pool.end();
      await dropSbcDatabase(databaseUrl);
    },
  };
  return started;
}
