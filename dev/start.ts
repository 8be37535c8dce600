/**
 * `npm start`: the development profile on one machine.
 *
 * Starts the Temporal dev server, a mail inbox, the billing and contact-center sandboxes, the SBC (Kamailio, when it is
 * installed and PostgreSQL answers; otherwise the worker and API use the `manual` SIP gateway),
 * the worker and the API, one after the other, each once the previous one is ready, under the
 * supervisor in `supervisor.ts`.
 *
 * The services are data (`developmentServices`): a new one is one more entry.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../config';
import { ensurePayloadKeysFile } from '../config/payload-encryption';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { sbcAvailability } from '../sbc/start';
import { ensurePrerequisites } from './prerequisites';
import {
  ensureSearchAttributes,
  localHost,
  log,
  portOf,
  ROOT,
  supervise,
  tsEntry,
  type ServiceSpec,
} from './supervisor';
import { resolveTemporalCli } from './temporal-cli';

export { supervise, type ReadinessProbe, type ServiceSpec } from './supervisor';

/** Which SIP gateway the worker and API use, and whether the local SBC runs for it. */
export interface SipGatewayPlan {
  mode: Config['sipGateway']['mode'];
  runSbc: boolean;
}

/**
 * Kamailio mode when Kamailio is installed and PostgreSQL answers; otherwise `manual`, with the
 * reason. A mode set in SIP_GATEWAY_MODE is kept (kamailio then must be able to run).
 */
export async function planSipGateway(
  config: Config,
  explicit = process.env.SIP_GATEWAY_MODE,
): Promise<SipGatewayPlan & { reason?: string }> {
  if (explicit && explicit !== 'kamailio')
    return { mode: config.sipGateway.mode, runSbc: false, reason: `SIP_GATEWAY_MODE=${explicit}` };
  const available = await sbcAvailability(config.sipGateway.sbc.databaseUrl);
  if (available.ok) return { mode: 'kamailio', runSbc: true };
  if (explicit === 'kamailio')
    throw new Error(`SIP_GATEWAY_MODE=kamailio, but the SBC cannot run: ${available.reason}`);
  return { mode: 'manual', runSbc: false, reason: available.reason };
}

/** What the supervisor says about the SIP gateway it chose. */
export function sipGatewayLine(config: Config, sip: SipGatewayPlan & { reason?: string }): string {
  return sip.runSbc
    ? `SIP gateway: kamailio (the local SBC on ${config.sipGateway.sbc.sipHost}:${config.sipGateway.sbc.sipPort})`
    : `SIP gateway: ${sip.mode}, no local SBC (${sip.reason})${sip.mode === 'manual' ? '; SBC changes are recorded for a person to apply' : ''}`;
}

export function developmentServices(
  config: Config,
  temporalCli: string,
  sip: SipGatewayPlan = { mode: config.sipGateway.mode, runSbc: false },
): ServiceSpec[] {
  return [
    temporalDevServer(config, temporalCli),
    ...supportServices(config, sip),
    workerService(sip),
    apiService(config, sip),
  ];
}

/** The Temporal CLI's dev server (SQLite in DATA_DIR) with its UI, the namespace and the search attributes. */
export function temporalDevServer(config: Config, temporalCli: string): ServiceSpec {
  const temporalPort = portOf(config.temporal.address, 7233);
  const { namespace } = config.temporal;
  return {
    name: 'temporal',
    command: temporalCli,
    args: [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(temporalPort),
      '--ui-port',
      String(config.temporal.uiPort),
      '--db-filename',
      config.temporal.dbFile,
      '--namespace',
      namespace,
      '--log-level',
      'warn',
      // Histories are ciphertext; the UI decodes them through the API's codec endpoint, for support staff.
      '--ui-codec-endpoint',
      `${config.api.publicUrl}/codec`,
      ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ],
    ready: { kind: 'tcp', host: '127.0.0.1', port: temporalPort },
    readyTimeoutMs: 90_000,
    ports: [temporalPort, config.temporal.uiPort],
    // start-dev skips attributes that already exist (even with another type), so check what is there.
    afterReady: (signal) =>
      ensureSearchAttributes(
        temporalCli,
        `127.0.0.1:${temporalPort}`,
        namespace,
        `Remove ${config.temporal.dbFile} to start with a fresh local Temporal (this deletes local workflow history).`,
        signal,
      ),
    // At warn level its shutdown logs every internal poller that loses its connection.
    quietWhenStopping: true,
    links: [
      ['Temporal UI', config.temporal.uiUrl],
      ['Temporal gRPC', `${config.temporal.address} (namespace ${namespace})`],
    ],
  };
}

/** What the worker and the API talk to: mail inbox, sandboxes, and the SBC when it runs. */
export function supportServices(config: Config, sip: SipGatewayPlan): ServiceSpec[] {
  const smtp = config.email.smtp;
  const sbc = config.sipGateway.sbc;
  const sbcService: ServiceSpec[] = sip.runSbc
    ? [
        {
          name: 'sbc',
          ...tsEntry('sbc/start.ts'),
          // It sets up its database first, then starts Kamailio; the JSON-RPC port opens last.
          ready: { kind: 'tcp', host: localHost(sbc.rpcHost), port: sbc.rpcPort },
          readyTimeoutMs: 60_000,
          ports: [sbc.sipPort, sbc.rpcPort],
          links: [
            ['SBC (Kamailio) SIP', `udp/tcp ${sbc.sipHost}:${sbc.sipPort}, realms *.${config.sipGateway.sipDomain}`],
            ['SBC platform listener', `tcp ${sbc.platformListener.host}:${sbc.platformListener.port} (not published)`],
            ['SBC JSON-RPC', sbc.rpcUrl],
          ],
        },
        {
          // Callees on the public network behind the carrier interconnect; `npm run call` calls from it.
          name: 'public-network',
          ...tsEntry('sandboxes/public-network/main.ts'),
          ready: { kind: 'output', pattern: /answering callees/, graceMs: 5_000 },
          readyTimeoutMs: 30_000,
          ports: [],
          links: [
            [
              'Public network (carrier side)',
              `udp ${sbc.pstnSimulator.host}:${sbc.pstnSimulator.port}; npm run call -- --from 13800138000 --to <number>`,
            ],
          ],
        },
      ]
    : [];
  return [
    {
      name: 'mail',
      command: path.join(ROOT, 'node_modules', '.bin', 'maildev'),
      args: [
        '--ip',
        '127.0.0.1',
        '--web-ip',
        '127.0.0.1',
        '--smtp',
        String(smtp.port),
        '--web',
        String(config.email.webPort),
        '--mail-directory',
        path.join(config.dataDir, 'mail'),
      ],
      ready: { kind: 'http', url: `http://127.0.0.1:${config.email.webPort}/healthz` },
      readyTimeoutMs: 30_000,
      ports: [smtp.port, config.email.webPort],
      links: [
        ['Mail inbox', `http://localhost:${config.email.webPort}`],
        ['SMTP', `${smtp.host}:${smtp.port}`],
      ],
    },
    {
      name: 'billing',
      ...tsEntry('sandboxes/billing/main.ts'),
      ready: { kind: 'http', url: `http://${localHost(config.billing.host)}:${config.billing.port}/healthz` },
      readyTimeoutMs: 60_000,
      ports: [config.billing.port],
      links: [['Billing sandbox', config.billing.url]],
    },
    {
      name: 'contact-center',
      ...tsEntry('sandboxes/contact-center/main.ts'),
      ready: {
        kind: 'http',
        url: `http://${localHost(config.contactCenter.host)}:${config.contactCenter.port}/healthz`,
      },
      readyTimeoutMs: 60_000,
      ports: [config.contactCenter.port, sbc.contactCenterSip.port],
      links: [
        ['Contact-center sandbox', config.contactCenter.url],
        ['Contact-center SIP (behind the SBC)', `tcp ${sbc.contactCenterSip.host}:${sbc.contactCenterSip.port}`],
      ],
    },
    ...sbcService,
  ];
}

/** A product process (worker or API) started from `entry`; `env` tells one of several apart. */
function productService(
  entry: string,
  sip: SipGatewayPlan,
  name: string,
  env: NodeJS.ProcessEnv,
): Pick<ServiceSpec, 'name' | 'command' | 'args' | 'env' | 'readyTimeoutMs'> {
  // The worker and the API must use the gateway the supervisor chose.
  return { name, ...tsEntry(entry), env: { SIP_GATEWAY_MODE: sip.mode, ...env }, readyTimeoutMs: 60_000 };
}

/** A worker process (the cluster runs two). */
export function workerService(sip: SipGatewayPlan, name = 'worker', env: NodeJS.ProcessEnv = {}): ServiceSpec {
  return {
    ...productService('worker/main.ts', sip, name, env),
    // It says "worker polling …" (the SDK: "Worker state changed … RUNNING") once it polls.
    ready: { kind: 'output', pattern: /worker (is )?(polling|running|started|ready)|RUNNING/i, graceMs: 5_000 },
    ports: [],
    links: [],
  };
}

/** An API process serving on `config.api.port` (pass that port in `env` too when it is not the default). */
export function apiService(
  config: Config,
  sip: SipGatewayPlan,
  name = 'api',
  env: NodeJS.ProcessEnv = {},
): ServiceSpec {
  return {
    ...productService('api/main.ts', sip, name, env),
    ready: { kind: 'http', url: `http://${localHost(config.api.host)}:${config.api.port}/healthz` },
    ports: [config.api.port, config.metrics.port],
    linksFirst: true,
    links: [
      ['API', config.api.publicUrl],
      ['OpenAPI', `${config.api.publicUrl}/v1/openapi.json`],
      ['Console (sign in with a demo token)', `${config.api.publicUrl}/console/`],
      ['API metrics (internal)', `http://${localHost(config.metrics.host)}:${config.metrics.port}/metrics`],
    ],
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  // Kamailio and PostgreSQL installed or started first (or a stop naming the command); with
  // SKIP_SYSTEM_SETUP=1 nothing is checked and a missing SBC falls back to `manual` below.
  await ensurePrerequisites({ purpose: 'start', log });
  fs.mkdirSync(config.dataDir, { recursive: true });
  // The development payload key, made once in the data directory and shared by the worker and the API.
  const { keysFile, generateIfMissing } = config.payloadEncryption;
  if (keysFile && generateIfMissing && ensurePayloadKeysFile(keysFile)) log(`payload key generated in ${keysFile}`);
  const cli = await resolveTemporalCli();
  const sip = await planSipGateway(config);
  log(sipGatewayLine(config, sip));
  await supervise(developmentServices(config, cli, sip), config);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
