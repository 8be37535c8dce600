/**
 * The dialog a test call's 2xx sets up: where its ACK and BYE go (the Contact, through the
 * Record-Route set reversed), and whether sending them there is safe.
 */
import ipaddr from 'ipaddr.js';
import type { Peer } from './endpoint';
import { header, headerValues, parseNameAddr, uriTarget, type SipResponse } from './message';

export interface Dialog {
  remoteTarget: string;
  routes: string[];
  to: string;
  peer: Peer;
}

/** ACK and BYE within the dialog: to the Contact, through the Record-Route set reversed. */
export function dialogOf(response: SipResponse, call: { requestUri: string; toHeader: string }): Dialog {
  const remoteTarget = parseNameAddr(header(response, 'contact') ?? `<${call.requestUri}>`).uri;
  const routes = headerValues(response, 'record-route').reverse();
  const next = routes[0] ? uriTarget(parseNameAddr(routes[0]).uri) : uriTarget(remoteTarget);
  return {
    remoteTarget,
    routes,
    to: header(response, 'to') ?? call.toHeader,
    peer: { address: next.host, port: next.port },
  };
}

function canonical(host: string): string | undefined {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(bare)) return undefined;
  let addr = ipaddr.parse(bare);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress())
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  return addr.toNormalizedString();
}

function sameHost(a: string, b: string): boolean {
  const ca = canonical(a);
  const cb = canonical(b);
  return ca !== undefined && cb !== undefined ? ca === cb : a.toLowerCase() === b.toLowerCase();
}

/**
 * Where a 2xx may send the dialog's ACK and BYE. The hop they are sent to (the first Route, or
 * the Contact without a route set) must be the target the INVITE went to: the gateway itself, or
 * the SBC in front of it. Further Routes must be that target too (an SBC may record-route
 * twice), or the SBC would forward there. The Contact behind an SBC is where the SBC takes the
 * requests within a dialog it created; it must still be an address a gateway can have: unicast
 * (loopback or private only when the target is in that range too, as in a lab) and none of the
 * provider's own. Anything else (another 127.x, 169.254.169.254, a provider address) is refused.
 */
export function checkDialogHops(input: {
  target: string;
  routes: string[];
  remoteTarget: string;
  forbidden?: string[];
}): { ok: true } | { ok: false; reason: string } {
  let hosts: { route: string[]; remote: string };
  try {
    hosts = {
      route: input.routes.map((r) => uriTarget(parseNameAddr(r).uri).host),
      remote: uriTarget(input.remoteTarget).host,
    };
  } catch (err) {
    return { ok: false, reason: `unparsable route: ${(err as Error).message}` };
  }
  const name = (i: number) => (i === 0 ? 'the first Record-Route' : `Record-Route ${i + 1}`);
  for (const [i, host] of hosts.route.entries()) {
    if (!sameHost(host, input.target))
      return { ok: false, reason: `${name(i)} points at ${host}, not at ${input.target} where the call was sent` };
  }
  const remote = hosts.remote;
  const forbidden = (input.forbidden ?? []).some(
    (f) => sameHost(f.replace(/:\d+$/, ''), remote) || sameHost(f, remote),
  );
  if (forbidden) return { ok: false, reason: `the Contact ${remote} is one of the provider's own addresses` };
  if (hosts.route.length === 0) {
    return sameHost(remote, input.target)
      ? { ok: true }
      : { ok: false, reason: `the Contact points at ${remote}, not at ${input.target} where the call was sent` };
  }
  if (sameHost(remote, input.target)) return { ok: true };
  const ip = canonical(remote);
  // A name behind the SBC is the SBC's to resolve (it does not): nothing of ours goes there.
  if (ip === undefined) return { ok: true };
  const range = ipaddr.parse(ip).range();
  if (range === 'unicast') return { ok: true };
  const targetIp = canonical(input.target);
  const targetRange = targetIp ? ipaddr.parse(targetIp).range() : undefined;
  if (['private', 'loopback', 'uniqueLocal'].includes(range) && range === targetRange) return { ok: true };
  return { ok: false, reason: `the Contact ${remote} is in the ${range} range` };
}
