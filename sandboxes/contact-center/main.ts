/**
 * Runs the contact-center sandbox on CONTACT_CENTER_HOST:CONTACT_CENTER_PORT (`npm run sandbox:contact-center`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '../../config';
import { createContactCenterSandbox } from './app';

/** How long shutdown waits for in-flight requests before cutting connections. */
const SHUTDOWN_GRACE_MS = 5_000;

function main(): void {
  const { contactCenter, profile } = loadConfig();
  const sandbox = createContactCenterSandbox({
    dataFile: contactCenter.dataFile,
    apiKey: contactCenter.apiKey,
    latencyMs: contactCenter.latencyMs,
    failureRate: contactCenter.failureRate,
    timeoutRate: contactCenter.timeoutRate,
    controlRoutes: profile !== 'production',
  });
  const server = http.createServer(sandbox.app);

  server.on('error', (error) => {
    console.error(
      `contact-center sandbox: cannot listen on ${contactCenter.host}:${contactCenter.port}: ${error.message}`,
    );
    process.exit(1);
  });
  server.listen(contactCenter.port, contactCenter.host, () => {
    const { address, port } = server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    console.log(`contact-center sandbox listening on http://${host}:${port} (data ${sandbox.store.file})`);
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal means "now".
      process.exit(1);
    }
    stopping = true;
    console.log(`contact-center sandbox: ${signal}, shutting down`);
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
            console.error('contact-center sandbox: could not write its data file on shutdown:', error);
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
