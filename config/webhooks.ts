/** The webhook receivers this deployment admits, from its configuration. */
import ipaddr from 'ipaddr.js';
import { providerAddresses } from '../domain/sip';
import type { WebhookUrlPolicy } from '../domain/webhooks';
import type { Config } from './index';

/** This deployment's policy: http outside production, private receivers only when switched on. */
export function webhookUrlPolicy(config: Pick<Config, 'webhooks' | 'sipGateway'>): WebhookUrlPolicy {
  return {
    allowHttp: config.webhooks.allowHttp,
    allowPrivate: config.webhooks.allowPrivateUrls,
    // A local stack runs everything on loopback: the switch that admits loopback receivers admits them all.
    forbidden: providerAddresses(config.sipGateway).filter(
      (ip) => !(config.webhooks.allowPrivateUrls && ipaddr.parse(ip).range() === 'loopback'),
    ),
  };
}
