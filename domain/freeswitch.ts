/**
 * The gateway file emailed to registration-mode customers running FreeSWITCH: one `<gateway>`
 * for the external SIP profile, where it goes, and the `originate` command that places the first
 * test call through it. `proxy`, `from-domain` and `realm` are the same domain, so the REGISTER's
 * From and To hosts match the realm the SBC authenticates against; the registrar's address is
 * reached through `register-proxy` and `outbound-proxy`. Pure.
 */
import { formatNumber } from './numbers';

/** Short re-registration keeps the contact fresh behind NAT, as the provider's example sets. */
export const FREESWITCH_EXPIRE_SECONDS = 120;

export interface GatewaySettings {
  name: string;
  username: string;
  password: string;
  realm: string;
  /** host:port of the registrar / outbound proxy. */
  registrar: string;
  transport: 'tcp' | 'udp';
  expireSeconds?: number;
}

export interface FirstTestCall {
  /** The line called: Request-URI and To (any notation; dialled as digits). */
  line: string;
  /** The calling number shown in From. */
  caller: string;
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Digits as dialled in China (020-66004441 and +862066004441 both give 02066004441). */
function dialled(number: string): string {
  return formatNumber(number).replace(/\D/g, '');
}

/** Where the file goes in a FreeSWITCH installation (the external profile reads every file there). */
export function freeswitchGatewayPath(name: string): string {
  return `conf/sip_profiles/external/${name}.xml`;
}

export function freeswitchGatewayXml(s: GatewaySettings): string {
  const params: [string, string][] = [
    ['username', s.username],
    ['password', s.password],
    ['realm', s.realm],
    ['from-domain', s.realm],
    ['proxy', s.realm],
    ['register-proxy', s.registrar],
    ['outbound-proxy', s.registrar],
    ['register', 'true'],
    ['register-transport', s.transport],
    ['expire-seconds', String(s.expireSeconds ?? FREESWITCH_EXPIRE_SECONDS)],
    // FreeSWITCH's RTP timing auto-fix misjudges the provider's media and cuts audio.
    ['rtp-autofix-timing', 'false'],
    ['caller-id-in-from', 'true'],
  ];
  return [
    `<!-- ${freeswitchGatewayPath(s.name)} -->`,
    '<include>',
    `  <gateway name="${attr(s.name)}">`,
    ...params.map(([name, value]) => `    <param name="${name}" value="${attr(value)}"/>`),
    '  </gateway>',
    '</include>',
  ].join('\n');
}

/**
 * The fs_cli `originate` for a first test call through the registered gateway, in the provider's
 * shape: Request-URI and To the line, From the caller, both at the realm, no caller-ID headers.
 */
export function freeswitchOriginate(s: Pick<GatewaySettings, 'name' | 'realm'>, call: FirstTestCall): string {
  const line = dialled(call.line);
  const caller = dialled(call.caller);
  return (
    `originate {sip_invite_full_from=sip:${caller}@${s.realm},sip_invite_to_uri=sip:${line}@${s.realm},` +
    `sip_cid_type=none}sofia/gateway/${s.name}/${line} &park`
  );
}
