/** The API process: connects to Temporal and serves HTTP until SIGINT/SIGTERM. */
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config';
import { payloadCodec, productDataConverter } from '../config/payload-encryption';
import { describeTemporalConnection, temporalConnectionOptions } from '../config/temporal-connection';
import { prepareStorage } from '../storage';
import { apiMetricsFor, createApp } from './app';
import { createMetricsApp } from './metrics';
import { DEMO_TOKENS, FileTokenRegistry, loadTokens } from './auth';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { process: 'api' });
  const { registry, demo } = loadTokens(config);
  // SIGHUP re-reads the tokens file at once (it is also re-read when it changes).
  if (registry instanceof FileTokenRegistry) process.on('SIGHUP', () => registry.reload());
  const temporal = temporalConnectionOptions(config.temporal);
  console.log(`Temporal: ${describeTemporalConnection(temporal)}, namespace ${config.temporal.namespace}`);
  console.log(`documents: ${await prepareStorage(config)}`);
  const codec = payloadCodec(config);
  console.log(`payload encryption: key "${codec.encryptWith}" encrypts; ${codec.keyIds.length} key(s) decrypt`);
  const connection = await Connection.connect(temporal);
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: productDataConverter(codec),
  });
  const metrics = apiMetricsFor(config, client);
  const app = createApp({ config, client, tokens: registry, metrics });
  const metricsServer = createMetricsApp(metrics).listen(config.metrics.port, config.metrics.host, () => {
    console.log(`API metrics on http://${config.metrics.host}:${config.metrics.port}/metrics (not on the API port)`);
  });
  const server = app.listen(config.api.port, config.api.host, () => {
    console.log(`API listening on http://${config.api.host}:${config.api.port} (public URL ${config.api.publicUrl})`);
    if (demo) {
      console.log('demo tokens (development profile; set API_TOKENS_FILE to use real ones):');
      for (const d of DEMO_TOKENS) {
        console.log(
          `  ${d.token.padEnd(14)} ${d.principal.role}${d.principal.enterpriseId ? ` of ${d.principal.enterpriseId}` : ''}`,
        );
      }
    }
  });
  const stop = () => {
    metricsServer.close();
    server.close(() => {
      void connection.close().finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
