/**
 * Options for connecting to the Temporal frontend, shared by the API (`Connection.connect`) and
 * the worker (`NativeConnection.connect`): address, TLS (server CA, client pair for mTLS, server
 * name) and API key, from configuration (TEMPORAL_*).
 */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { ConfigError, type Config } from './index';

export interface TemporalConnectionOptions {
  address: string;
  /** `false`: plaintext, said explicitly so an API key alone does not switch TLS on. */
  tls: TLSConfig | false;
  apiKey?: string;
}

/** Reads the certificate files now, so a missing or unreadable one stops the process at start. */
export function temporalConnectionOptions(
  temporal: Config['temporal'],
  readFile: (file: string) => Buffer = (file) => readFileSync(file),
): TemporalConnectionOptions {
  const issues: { path: string; message: string }[] = [];
  const read = (variable: string, file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFile(file);
    } catch (err) {
      issues.push({
        path: variable,
        message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      });
      return undefined;
    }
  };
  let tls: TLSConfig | false = false;
  if (temporal.tls) {
    const ca = read('TEMPORAL_TLS_CA', temporal.tls.caFile);
    const crt = read('TEMPORAL_TLS_CERT', temporal.tls.certFile);
    const key = read('TEMPORAL_TLS_KEY', temporal.tls.keyFile);
    tls = {
      ...(temporal.tls.serverName ? { serverNameOverride: temporal.tls.serverName } : {}),
      ...(ca ? { serverRootCACertificate: ca } : {}),
      ...(crt && key ? { clientCertPair: { crt, key } } : {}),
    };
  }
  if (issues.length) throw new ConfigError(issues);
  return { address: temporal.address, tls, ...(temporal.apiKey !== undefined ? { apiKey: temporal.apiKey } : {}) };
}

/** One line for the start-up log: where and how, never the key or the files' contents. */
export function describeTemporalConnection(options: TemporalConnectionOptions): string {
  const how = !options.tls ? 'plaintext' : options.tls.clientCertPair ? 'mTLS' : 'TLS';
  return `${options.address} (${how}${options.apiKey !== undefined ? ', API key' : ''})`;
}
