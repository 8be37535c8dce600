/**
 * `npm run cluster`: the production topology on one machine. A real Temporal server (the version
 * the pinned CLI embeds, built with Go) on the local PostgreSQL with SQL visibility, the Temporal
 * UI, two worker processes and two API processes sharing the product's own database, and the
 * sandboxes, mail inbox and SBC as `npm start` runs them.
 *
 * Every port is `npm start`'s default plus 100, so both run side by side; each is an environment
 * variable as for `npm start` (set ones win). State: DATA_DIR (default `.data/cluster`) and the
 * PostgreSQL databases `temporal`, `temporal_visibility`, `onboarding_cluster` and the SBC's
 * `onboarding_sbc_cluster`. A second run finds the schemas in place and only applies what a newer
 * server version adds. Ctrl-C stops everything.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../config';
import { ensurePayloadKeysFile } from '../config/payload-encryption';
import { defaultLayout, serverConfig, uiConfig, writeConfig, type ClusterLayout } from './cluster-config';
import { ensureDatabase, ensureNamespace, setupTemporalSchemas } from './cluster-databases';
import { ensurePrerequisites, POSTGRES } from './prerequisites';
import {
  apiService,
  planSipGateway,
  sipGatewayLine,
  supportServices,
  workerService,
  type SipGatewayPlan,
} from './start';
import { ensureSearchAttributes, log, portOf, setLogName, supervise, type ServiceSpec } from './supervisor';
import { resolveTemporalCli } from './temporal-cli';
import {
  resolveClusterTools,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_UI_VERSION,
  type ClusterTools,
} from './temporal-server';

export * from './cluster-config';
export * from './cluster-databases';

/** The cluster's defaults: `npm start`'s ports plus 100, its own data directory and databases. */
export const CLUSTER_ENV: Readonly<Record<string, string>> = {
  DATA_DIR: '.data/cluster',
  TEMPORAL_ADDRESS: '127.0.0.1:7333',
  TEMPORAL_UI_PORT: '8333',
  TEMPORAL_UI_URL: 'http://localhost:8333',
  API_PORT: '3100',
  SMTP_PORT: '1125',
  MAIL_WEB_PORT: '1180',
  BILLING_PORT: '4110',
  BILLING_URL: 'http://localhost:4110',
  CONTACT_CENTER_PORT: '4120',
  CONTACT_CENTER_URL: 'http://localhost:4120',
  SBC_SIP_PORT: '5180',
  SBC_RPC_PORT: '5171',
  // The SBC pair: the first's DMQ listener, and the second's SIP address (its platform listener
  // and DMQ on the next ports, its JSON-RPC on SBC_RPC_PORT + 1: \`secondSbcEnv\`).
  SBC_DMQ_PORT: '5183',
  SBC_PEER: '127.0.0.1:5185',
  PSTN_SIM_PORT: '5192',
  CONTACT_CENTER_SIP_PORT: '5194',
  SBC_DATABASE_URL: `postgres://postgres@${POSTGRES.host}:${POSTGRES.port}/onboarding_sbc_cluster`,
  // Documents and the email ledger shared by both workers and both APIs.
  DATABASE_URL: `postgres://postgres@${POSTGRES.host}:${POSTGRES.port}/onboarding_cluster`,
};

/** `npm start`'s environment with the cluster's defaults under whatever is set. */
export function clusterEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...CLUSTER_ENV, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) };
}

// ---------------------------------------------------------------------------------------------
// Services

export interface ClusterPlan {
  config: Config;
  env: NodeJS.ProcessEnv;
  layout: ClusterLayout;
  tools: ClusterTools;
  cli: string;
  sip: SipGatewayPlan;
  /** Where the server's and the UI's configuration files are written. */
  dirs: { server: string; ui: string };
}

/** The server's command line, its configuration being `<dir>/cluster.yaml` (`writeConfig(dir, 'cluster', …)`). */
export function serverArgs(dir: string): string[] {
  return ['--root', dir, '--config', '.', '--env', 'cluster', '--allow-no-auth', 'start'];
}

export function temporalServerService(plan: ClusterPlan): ServiceSpec {
  const { config, layout, tools, cli } = plan;
  const frontend = portOf(config.temporal.address, 7233);
  const { namespace } = config.temporal;
  const p = layout.serverPorts;
  return {
    name: 'temporal',
    command: tools.server,
    args: serverArgs(plan.dirs.server),
    ready: { kind: 'tcp', host: layout.host, port: frontend },
    readyTimeoutMs: 90_000,
    ports: [frontend, p.http, p.history, p.matching, p.worker, p.metrics, ...p.membership],
    afterReady: async (signal) => {
      await ensureNamespace(cli, `${layout.host}:${frontend}`, namespace, layout.namespaceRetention, signal);
      await ensureSearchAttributes(
        cli,
        `${layout.host}:${frontend}`,
        namespace,
        `Drop the databases ${layout.databases.persistence} and ${layout.databases.visibility} to start afresh (this deletes the cluster's workflow history).`,
        signal,
      );
    },
    // Its shutdown logs every internal poller that loses its connection.
    quietWhenStopping: true,
    links: [
      ['Temporal gRPC', `${config.temporal.address} (namespace ${namespace}, server ${TEMPORAL_SERVER_VERSION})`],
      [
        'Temporal on PostgreSQL',
        `${POSTGRES.host}:${POSTGRES.port} databases ${layout.databases.persistence}, ${layout.databases.visibility}`,
      ],
      ['Temporal metrics', `http://${layout.host}:${p.metrics}/metrics`],
    ],
  };
}

export function temporalUiService(plan: ClusterPlan): ServiceSpec {
  const { config } = plan;
  return {
    name: 'temporal-ui',
    command: plan.tools.ui,
    args: ['--root', plan.dirs.ui, '--config', '.', '--env', 'cluster', 'start'],
    ready: { kind: 'http', url: `http://127.0.0.1:${config.temporal.uiPort}/api/v1/settings` },
    readyTimeoutMs: 30_000,
    ports: [config.temporal.uiPort],
    links: [['Temporal UI', `${config.temporal.uiUrl} (ui-server ${TEMPORAL_UI_VERSION})`]],
  };
}

/** The second SBC of the pair: the peer the first one names, paired back with the first. */
export function secondSbcEnv(config: Config): Record<string, string> | undefined {
  const sbc = config.sipGateway.sbc;
  const pair = sbc.pair;
  if (!pair) return undefined;
  return {
    SBC_SIP_HOST: pair.peer.host,
    SBC_SIP_PORT: String(pair.peer.sipPort),
    SBC_PLATFORM_HOST: pair.peer.host,
    SBC_PLATFORM_PORT: String(pair.peer.platformPort),
    SBC_DMQ_PORT: String(pair.peer.dmqPort),
    SBC_RPC_PORT: String(sbc.rpcPort + 1),
    SBC_RPC_URL: `http://${sbc.rpcHost}:${sbc.rpcPort + 1}/RPC`,
    SBC_PEER: `${sbc.sipHost}:${sbc.sipPort}`,
    SBC_PEER_PLATFORM_PORT: String(sbc.platformListener.port),
    SBC_PEER_DMQ_PORT: String(pair.dmq.port),
  };
}

/** The SBC services: the first as `npm start` runs it, and the second of the pair beside it. */
function sbcPair(config: Config, env: NodeJS.ProcessEnv, support: ServiceSpec[]): ServiceSpec[] {
  const first = support.find((s) => s.name === 'sbc');
  const own = secondSbcEnv(config);
  if (!first || !own) return [];
  const second = loadConfig({ ...env, ...own }).sipGateway.sbc;
  return [
    {
      ...first,
      name: 'sbc-2',
      env: { ...first.env, ...own },
      ready: { kind: 'tcp', host: second.rpcHost, port: second.rpcPort },
      ports: [second.sipPort, second.rpcPort],
      links: [
        ['SBC 2 (Kamailio) SIP', `udp/tcp ${second.sipHost}:${second.sipPort}, paired over DMQ with SBC 1`],
        [
          'SBC 2 platform listener',
          `tcp ${second.platformListener.host}:${second.platformListener.port} (not published)`,
        ],
        ['SBC 2 JSON-RPC', second.rpcUrl],
      ],
    },
  ];
}

/** The whole topology, in start order. */
export function clusterServices(plan: ClusterPlan): ServiceSpec[] {
  const { config, layout, sip } = plan;
  const workers = Array.from({ length: layout.workers }, (_, i) => {
    const metrics = `127.0.0.1:${layout.workerMetricsPort + i}`;
    const worker = workerService(sip, `worker-${i + 1}`, { WORKER_METRICS_ADDRESS: metrics });
    return { ...worker, links: [[`Worker ${i + 1} metrics`, `http://${metrics}/metrics`]] as [string, string][] };
  });
  const apis = Array.from({ length: layout.apis }, (_, i) => {
    const port = config.api.port + i;
    const own = { API_PORT: String(port), API_PUBLIC_URL: i === 0 ? config.api.publicUrl : `http://localhost:${port}` };
    const api = apiService(loadConfig({ ...plan.env, ...own }), sip, `api-${i + 1}`, own);
    return {
      ...api,
      links: api.links.map(([label, value]) => [`${label} ${i + 1}`, value] as [string, string]),
    };
  });
  const support = supportServices(config, sip);
  return [
    temporalServerService(plan),
    temporalUiService(plan),
    ...support,
    ...sbcPair(config, plan.env, support),
    ...workers,
    ...apis,
  ];
}

async function main(): Promise<void> {
  const started = Date.now();
  setLogName('cluster');
  const env = clusterEnv();
  const config = loadConfig(env);
  const layout = defaultLayout(portOf(config.temporal.address, 7233));
  await ensurePrerequisites({ purpose: 'cluster', log });
  fs.mkdirSync(config.dataDir, { recursive: true });
  // One payload key for both workers and both APIs, made before any of them starts.
  const { keysFile, generateIfMissing } = config.payloadEncryption;
  if (keysFile && generateIfMissing && ensurePayloadKeysFile(keysFile)) log(`payload key generated in ${keysFile}`);

  const buildStarted = Date.now();
  const tools = await resolveClusterTools({ log });
  const cli = await resolveTemporalCli();
  log(
    `Temporal server ${TEMPORAL_SERVER_VERSION}, SQL tool and UI ${TEMPORAL_UI_VERSION} ready (${seconds(buildStarted)})`,
  );

  const schemaStarted = Date.now();
  await setupTemporalSchemas(tools.sqlTool, layout);
  if (config.database) await ensureDatabase(config.database.url);
  log(
    `schemas current in ${layout.databases.persistence} and ${layout.databases.visibility} (postgres12, SQL visibility) (${seconds(schemaStarted)})`,
  );

  const dirs = { server: path.join(config.dataDir, 'temporal'), ui: path.join(config.dataDir, 'temporal-ui') };
  writeConfig(dirs.server, 'cluster', serverConfig(config, layout));
  writeConfig(dirs.ui, 'cluster', uiConfig(config));

  const sip = await planSipGateway(config, env.SIP_GATEWAY_MODE);
  log(sipGatewayLine(config, sip));
  const plan: ClusterPlan = { config, env, layout, tools, cli, sip, dirs };
  await supervise(clusterServices(plan), config, {
    env,
    name: 'cluster',
    title: () =>
      `Telephony onboarding cluster: Temporal ${TEMPORAL_SERVER_VERSION} on PostgreSQL, ${layout.workers} workers, ${layout.apis} APIs (up in ${seconds(started)})`,
  });
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
