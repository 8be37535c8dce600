/**
 * The cluster's layout (its databases, ports and process counts) and the configuration files the
 * Temporal server and UI server are started with.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';
import { POSTGRES } from './prerequisites-policy';
import { portOf } from './supervisor';

export interface ClusterLayout {
  /** The loopback address every server port binds to (its ports are the frontend's and those below). */
  host: string;
  /** Temporal's persistence and visibility databases on the local PostgreSQL. */
  databases: { persistence: string; visibility: string };
  /** The server's other ports: frontend HTTP, history, matching, internal worker, membership, metrics. */
  serverPorts: {
    http: number;
    history: number;
    matching: number;
    worker: number;
    membership: [frontend: number, history: number, matching: number, worker: number];
    metrics: number;
  };
  /** How many worker and API processes; the APIs take consecutive ports from API_PORT. */
  workers: number;
  apis: number;
  /** Each worker's Prometheus port, from this one up. */
  workerMetricsPort: number;
  namespaceRetention: string;
}

export function defaultLayout(frontendPort: number, host = '127.0.0.1'): ClusterLayout {
  return {
    host,
    databases: { persistence: 'temporal', visibility: 'temporal_visibility' },
    serverPorts: {
      http: frontendPort + 10,
      history: frontendPort + 1,
      matching: frontendPort + 2,
      worker: frontendPort + 6,
      membership: [frontendPort - 1000, frontendPort - 999, frontendPort - 998, frontendPort - 994],
      metrics: 8300,
    },
    workers: 2,
    apis: 2,
    workerMetricsPort: 9101,
    namespaceRetention: '168h',
  };
}

/** The server's configuration (JSON is YAML): PostgreSQL for persistence and visibility, loopback ports. */
export function serverConfig(config: Config, layout: ClusterLayout): Record<string, unknown> {
  const frontend = portOf(config.temporal.address, 7233);
  const p = layout.serverPorts;
  const sql = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${POSTGRES.host}:${POSTGRES.port}`,
      connectProtocol: 'tcp',
      user: 'postgres',
      password: '',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const bind = layout.host === '127.0.0.1' ? { bindOnLocalHost: true } : { bindOnIP: layout.host };
  const rpc = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({
    rpc: { grpcPort, membershipPort, ...bind, ...extra },
  });
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      // Fixed for the life of the database: changing it later needs a new one.
      numHistoryShards: 4,
      datastores: {
        default: sql(layout.databases.persistence, 20),
        visibility: sql(layout.databases.visibility, 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: layout.host },
      metrics: {
        prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `${layout.host}:${p.metrics}` },
      },
    },
    services: {
      frontend: rpc(frontend, p.membership[0], { httpPort: p.http }),
      history: rpc(p.history, p.membership[1]),
      matching: rpc(p.matching, p.membership[2]),
      worker: rpc(p.worker, p.membership[3]),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `${layout.host}:${frontend}`,
          httpAddress: `${layout.host}:${p.http}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
  };
}

/** The UI server's configuration: the cluster's frontend, the product's namespace, loopback only. */
export function uiConfig(config: Config): Record<string, unknown> {
  return {
    temporalGrpcAddress: config.temporal.address,
    host: '127.0.0.1',
    port: config.temporal.uiPort,
    publicPath: '',
    enableUi: true,
    defaultNamespace: config.temporal.namespace,
    showTemporalSystemNamespace: false,
    notifyOnNewVersion: false,
    refreshInterval: '1m',
    cors: { cookieInsecure: true, allowOrigins: [], unsafeAllowAllOrigins: false },
    auth: { enabled: false },
    // Histories are ciphertext; the UI decodes them through the API's codec endpoint with the
    // signed-in support user's console session cookie.
    codec: { endpoint: `${config.api.publicUrl}/codec`, includeCredentials: true },
    forwardHeaders: [],
  };
}

export function writeConfig(dir: string, env: string, content: Record<string, unknown>): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, `${env}.yaml`),
    `# Written by npm run cluster (dev/cluster.ts) at every start; edit that file, not this one.\n${JSON.stringify(content, null, 2)}\n`,
  );
}
