/**
 * The public network, simulated behind a carrier interconnect (`npm start` runs it as
 * `public-network`): every callee the SBC's carrier sends a call to answers it, rings briefly and
 * waits for the BYE, so calls out from purchased and supplier lines are heard answered. Calls in
 * from it are placed with `npm run call` (dev/call.ts), from the same carrier address.
 */
import { ConfigError, loadConfig } from '../../config';
import { startAnswerer } from '../../sip/answerer';

async function main(): Promise<void> {
  const { host, port } = loadConfig().sipGateway.sbc.pstnSimulator;
  const answerer = await startAnswerer({
    host,
    port,
    transport: 'udp',
    decide: () => ({ answer: true }),
    onEvent: (e) => console.log(`public network: ${e.kind} ${e.callId} ${e.detail}`),
  });
  console.log(`public network (carrier side) answering callees on udp ${host}:${port}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void answerer.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
