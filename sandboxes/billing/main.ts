/**
 * Runs the billing sandbox on BILLING_HOST:BILLING_PORT (`npm run sandbox:billing`).
 */
import { ConfigError, loadConfig } from '../../config';
import { serveSandbox } from '../common/serve';
import { createBillingSandbox } from './app';

function main(): void {
  const { billing, profile } = loadConfig(process.env, { process: 'billing' });
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
  serveSandbox('billing sandbox', sandbox, { host: billing.host, port: billing.port });
}

try {
  main();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
