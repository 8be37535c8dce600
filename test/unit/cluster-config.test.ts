/**
 * `npm run cluster`'s topology as data: what it starts, on which ports, with which server
 * configuration, and what the prerequisites check asks of the machine for it.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import {
  CLUSTER_ENV,
  clusterEnv,
  clusterServices,
  defaultLayout,
  serverConfig,
  uiConfig,
  type ClusterPlan,
} from '../../dev/cluster';
import { decide, type Survey } from '../../dev/prerequisites';
import { developmentServices } from '../../dev/start';
import { READY } from './surveys';

function plan(env: NodeJS.ProcessEnv = {}, sbc = true): ClusterPlan {
  const merged = clusterEnv(env);
  const config = loadConfig(merged);
  return {
    config,
    env: merged,
    layout: defaultLayout(7333),
    tools: { server: '/cache/temporal-server', sqlTool: '/cache/temporal-sql-tool', ui: '/cache/temporal-ui-server' },
    cli: '/cache/temporal',
    sip: { mode: sbc ? 'kamailio' : 'manual', runSbc: sbc },
    dirs: { server: '/data/temporal', ui: '/data/temporal-ui' },
  };
}

describe('npm run cluster', () => {
  it('starts the server, its UI, the support services, two workers and two APIs, in that order', () => {
    const services = clusterServices(plan());
    expect(services.map((s) => s.name)).toEqual([
      'temporal',
      'temporal-ui',
      'mail',
      'billing',
      'contact-center',
      'sbc',
      'public-network',
      'sbc-2',
      'worker-1',
      'worker-2',
      'api-1',
      'api-2',
    ]);
    const temporal = services[0]!;
    expect(temporal.command).toBe('/cache/temporal-server');
    expect(temporal.args).toEqual([
      '--root',
      '/data/temporal',
      '--config',
      '.',
      '--env',
      'cluster',
      '--allow-no-auth',
      'start',
    ]);
    expect(temporal.afterReady).toBeTypeOf('function');
    expect(services[1]!.command).toBe('/cache/temporal-ui-server');
  });

  it('runs an SBC pair, each paired with the other, and publishes both addresses to enterprises', () => {
    const p = plan();
    const sbc2 = clusterServices(p).find((s) => s.name === 'sbc-2')!;
    expect(sbc2.env).toMatchObject({
      SBC_SIP_PORT: '5185',
      SBC_PLATFORM_PORT: '5187',
      SBC_DMQ_PORT: '5188',
      SBC_RPC_PORT: '5172',
      SBC_PEER: '127.0.0.1:5180',
      SBC_PEER_PLATFORM_PORT: '5182',
      SBC_PEER_DMQ_PORT: '5183',
    });
    const first = p.config.sipGateway.sbc.pair!;
    const second = loadConfig({ ...p.env, ...sbc2.env }).sipGateway.sbc.pair!;
    // Each names the other's DMQ listener as its own is.
    expect(first.peer.dmqPort).toBe(second.dmq.port);
    expect(second.peer.dmqPort).toBe(first.dmq.port);
    expect(p.config.sipGateway.provider).toMatchObject({
      inboundIps: ['127.0.0.1:5180', '127.0.0.1:5185'],
      outbound: ['127.0.0.1:5180', '127.0.0.1:5185'],
    });
    // Without a local SBC there is no second one either.
    expect(clusterServices(plan({}, false)).map((s) => s.name)).not.toContain('sbc-2');
    // One of a pair needs both settings.
    expect(() => loadConfig({ SBC_DMQ_PORT: '5083' })).toThrow(/SBC_PEER/);
  });

  it("uses no port of npm start's, and no port twice", () => {
    const cluster = clusterServices(plan()).flatMap((s) => s.ports);
    const dev = developmentServices(loadConfig({}), '/usr/bin/temporal', { mode: 'kamailio', runSbc: true }).flatMap(
      (s) => s.ports,
    );
    expect(cluster.filter((p) => dev.includes(p))).toEqual([]);
    expect(new Set(cluster).size).toBe(cluster.length);
    // The default ports of what only the cluster has are in its list too.
    expect(cluster).toEqual(expect.arrayContaining([7333, 8333, 3100, 3101, 8300]));
  });

  it('gives each API its own port and each worker its own metrics endpoint, all on the shared database', () => {
    const services = clusterServices(plan());
    const apis = services.filter((s) => s.name.startsWith('api-'));
    expect(apis.map((s) => s.env?.API_PORT)).toEqual(['3100', '3101']);
    expect(apis.map((s) => s.ready)).toEqual([
      { kind: 'http', url: 'http://127.0.0.1:3100/healthz' },
      { kind: 'http', url: 'http://127.0.0.1:3101/healthz' },
    ]);
    const workers = services.filter((s) => s.name.startsWith('worker-'));
    expect(workers.map((s) => s.env?.WORKER_METRICS_ADDRESS)).toEqual(['127.0.0.1:9101', '127.0.0.1:9102']);
    for (const s of [...apis, ...workers]) expect(s.env?.SIP_GATEWAY_MODE, s.name).toBe('kamailio');
    expect(plan().config.database?.url).toBe(CLUSTER_ENV.DATABASE_URL);
    expect(plan().config.sipGateway.sbc.databaseUrl).toMatch(/\/onboarding_sbc_cluster$/);
  });

  it('lets set variables win over its defaults', () => {
    const p = plan({ API_PORT: '4300', TEMPORAL_ADDRESS: '127.0.0.1:7400', DATA_DIR: '/tmp/c' });
    const services = clusterServices(p);
    // Each API with its metrics listener on a port of its own.
    expect(services.filter((s) => s.name.startsWith('api-')).map((s) => s.ports)).toEqual([
      [4300, 4300 + 6464],
      [4301, 4301 + 6464],
    ]);
    expect(services[0]!.ready).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 7400 });
    expect(p.config.dataDir).toBe('/tmp/c');
    // An empty variable is unset, as for every other process.
    expect(clusterEnv({ API_PORT: '' }).API_PORT).toBe('3100');
  });

  it('configures the server on PostgreSQL for persistence and SQL visibility, loopback only', () => {
    const p = plan();
    const server = serverConfig(p.config, p.layout) as {
      persistence: {
        defaultStore: string;
        visibilityStore: string;
        datastores: Record<string, { sql: { pluginName: string; databaseName: string; connectAddr: string } }>;
      };
      services: Record<string, { rpc: { grpcPort: number; bindOnLocalHost: boolean } }>;
      clusterMetadata: { clusterInformation: { active: { rpcAddress: string } } };
    };
    const stores = server.persistence.datastores;
    expect(stores[server.persistence.defaultStore]!.sql).toMatchObject({
      pluginName: 'postgres12',
      databaseName: 'temporal',
      connectAddr: '127.0.0.1:5432',
    });
    expect(stores[server.persistence.visibilityStore]!.sql).toMatchObject({
      pluginName: 'postgres12',
      databaseName: 'temporal_visibility',
    });
    expect(server.services.frontend!.rpc.grpcPort).toBe(7333);
    for (const [name, s] of Object.entries(server.services)) expect(s.rpc.bindOnLocalHost, name).toBe(true);
    expect(server.clusterMetadata.clusterInformation.active.rpcAddress).toBe('127.0.0.1:7333');
    expect(uiConfig(p.config)).toMatchObject({
      temporalGrpcAddress: '127.0.0.1:7333',
      host: '127.0.0.1',
      port: 8333,
      defaultNamespace: 'default',
      // Histories decode through the first API's codec endpoint with the support user's session.
      codec: { endpoint: 'http://localhost:3100/codec', includeCredentials: true },
    });
  });
});

describe('prerequisites for the cluster', () => {
  const ready: Survey = { ...READY, clusterTools: 'found' };

  it('is ready with the tools built, and stops without Go to build them', () => {
    expect(decide(ready, { purpose: 'cluster' })).toEqual({ kind: 'ready' });
    const stop = decide({ ...ready, clusterTools: 'missing' }, { purpose: 'cluster' });
    expect(stop).toMatchObject({ kind: 'stop', command: expect.stringContaining('Go') });
    // npm start does not need them.
    expect(decide({ ...ready, clusterTools: 'missing' }, { purpose: 'start' })).toEqual({ kind: 'ready' });
  });

  it('installs ca-certificates for Go to fetch the server sources, and no SIPp', () => {
    const plan = decide(
      { ...ready, clusterTools: 'buildable', caCertificates: false, sipp: false },
      { purpose: 'cluster' },
    );
    expect(plan).toMatchObject({ kind: 'setup', packages: [{ name: 'ca-certificates' }] });
  });
});
