/**
 * Runs the contact-center sandbox on CONTACT_CENTER_HOST:CONTACT_CENTER_PORT (`npm run sandbox:contact-center`).
 */
import { ConfigError, loadConfig } from '../../config';
import { serveSandbox } from '../common/serve';
import { createContactCenterSandbox } from './app';

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
  serveSandbox('contact-center sandbox', sandbox, { host: contactCenter.host, port: contactCenter.port });
}

try {
  main();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
