/**
 * The provider's signalling addresses as customers need them: where to send calls (inbound)
 * and what to allow as the platform's calls and returns (outbound).
 */
import { isIP } from 'node:net';
import type { Config } from '../config';

export interface SignallingAddress {
  host?: string;
  ip: string;
  port: number;
  transport: 'udp' | 'tcp';
}

function split(hostPort: string): { host: string; port: number } {
  const i = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) };
}

/** Each address once per transport: the gateways use UDP by default, TCP where configured. */
function both(a: Omit<SignallingAddress, 'transport'>): SignallingAddress[] {
  return [
    { ...a, transport: 'udp' },
    { ...a, transport: 'tcp' },
  ];
}

export function providerAddresses(config: Config): { inbound: SignallingAddress[]; outbound: SignallingAddress[] } {
  const { inbound, inboundIps, outbound } = config.sipGateway.provider;
  const named = split(inbound);
  const inboundList = isIP(named.host)
    ? [{ ip: named.host, port: named.port }]
    : inboundIps
        .map(split)
        .filter((a) => isIP(a.host))
        .map((a) => ({ host: named.host, ip: a.host, port: a.port }));
  return {
    inbound: inboundList.flatMap(both),
    outbound: outbound
      .map(split)
      .map((a) => ({ ip: a.host, port: a.port }))
      .flatMap(both),
  };
}
