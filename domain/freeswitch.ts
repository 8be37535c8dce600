/**
 * The gateway file emailed to registration-mode customers running FreeSWITCH: one `<gateway>`
 * for the external SIP profile. `proxy`, `from-domain` and `realm` are the same domain, so the
 * REGISTER's From and To hosts match the realm the SBC authenticates against; the registrar's
 * address is reached through `register-proxy` and `outbound-proxy`. Pure.
 */

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

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
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
    ['expire-seconds', String(s.expireSeconds ?? 3600)],
    ['caller-id-in-from', 'true'],
  ];
  return [
    '<include>',
    `  <gateway name="${attr(s.name)}">`,
    ...params.map(([name, value]) => `    <param name="${name}" value="${attr(value)}"/>`),
    '  </gateway>',
    '</include>',
  ].join('\n');
}
