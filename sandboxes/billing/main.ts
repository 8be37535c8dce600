/**
 * Runs the billing sandbox on BILLING_HOST:BILLING_PORT (`npm run sandbox:billing`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '../../config';
import { createBillingSandbox } from './app';

/** How long shutdown waits for in-flight requests before cutting connections. */
const SHUTDOWN_GRACE_MS = 5_000;

function main(): void {
  const { billing, profile } = loadConfig();
  const sandbox = createBillingSandbox({
    dataFile: billing.dataFile,
    apiKey: billing.apiKey,
    latencyMs: billing.latencyMs,
    failureRate: billing.failureRate,
    timeoutRate: billing.timeoutRate,
    webhookUrl: billing.webhookUrl,
    webhookSecret: billing.webhookSecret,
    webhookDropRate: billing.webhookDropRate,
    webhookDuplicateRate: billing.webhookDuplicateRate,
    invoiceDelayMs: billing.invoiceDelayMs,
    controlRoutes: profile !== 'production',
    log: (line) => console.log(`billing sandbox: ${line}`),
  });
  const server = http.createServer(sandbox.app);

  server.on('error', (error) => {
    console.error(`billing sandbox: cannot listen on ${billing.host}:${billing.port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(billing.port, billing.host, () => {
    const { address, port } = server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    console.log(`billing sandbox listening on http://${host}:${port} (data ${sandbox.store.file})`);
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal means "now".
      process.exit(1);
    }
    stopping = true;
    console.log(`billing sandbox: ${signal}, shutting down`);
    // Drops requests held by simulated timeouts, which would otherwise keep the server open.
    const closing = sandbox.close();
    const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
    server.close(() => {
      clearTimeout(force);
      // Flushed again: requests that finished meanwhile appended to the request log.
      closing
        .then(() => sandbox.store.flush())
        .then(
          () => process.exit(0),
          (error: unknown) => {
            console.error('billing sandbox: could not write its data file on shutdown:', error);
            process.exit(1);
          },
        );
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

try {
  main();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
