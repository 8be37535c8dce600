/**
 * Runs a sandbox as a process: listens, says where and on which data file, and on SIGINT or
 * SIGTERM drains its requests and writes its state before it exits (a second signal: at once).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';

/** How long shutdown waits for in-flight requests before cutting connections. */
const SHUTDOWN_GRACE_MS = 5_000;

export interface ServedSandbox {
  app: RequestListener;
  store: { file: string; flush(): Promise<void> };
  /** Drops requests held by simulated timeouts, which would otherwise keep the server open. */
  close(): Promise<void>;
}

export function serveSandbox(name: string, sandbox: ServedSandbox, listen: { host: string; port: number }): void {
  const server = http.createServer(sandbox.app);
  server.on('error', (error) => {
    console.error(`${name}: cannot listen on ${listen.host}:${listen.port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(listen.port, listen.host, () => {
    const { address, port } = server.address() as AddressInfo;
    const host = address.includes(':') ? `[${address}]` : address;
    console.log(`${name} listening on http://${host}:${port} (data ${sandbox.store.file})`);
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`${name}: ${signal}, shutting down`);
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
            console.error(`${name}: could not write its data file on shutdown:`, error);
            process.exit(1);
          },
        );
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
