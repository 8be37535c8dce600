/**
 * Runs the contact-center sandbox on CONTACT_CENTER_HOST:CONTACT_CENTER_PORT (`npm run sandbox:contact-center`).
 */
import { ConfigError, loadConfig } from '../../config';
import { serveSandbox } from '../common/serve';
import { createContactCenterSandbox } from './app';
import { startContactCenterSip } from './sip';

function main(): void {
  const { contactCenter, profile, sipGateway } = loadConfig(process.env, { process: 'contact-center' });
  const sandbox = createContactCenterSandbox({
    dataFile: contactCenter.dataFile,
    apiKey: contactCenter.apiKey,
    latencyMs: contactCenter.latencyMs,
    failureRate: contactCenter.failureRate,
    timeoutRate: contactCenter.timeoutRate,
    controlRoutes: profile !== 'production',
  });
  serveSandbox('contact-center sandbox', sandbox, { host: contactCenter.host, port: contactCenter.port });
  // Its SIP side, where the SBC sends calls in: it answers its instances' numbers.
  const sip = sipGateway.sbc.contactCenterSip;
  startContactCenterSip({ ...sip, data: () => sandbox.store.data, log: (line) => console.log(line) }).then(
    () => console.log(`contact-center sandbox SIP (calls from the SBC) on tcp ${sip.host}:${sip.port}`),
    (error: unknown) => {
      console.error(`contact-center sandbox: cannot listen for SIP on ${sip.host}:${sip.port}: ${String(error)}`);
      process.exit(1);
    },
  );
}

try {
  main();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
