/**
 * All activities, built from configuration. Each external system is one factory taking its
 * dependencies, so a sandbox or a test double slots in without touching workflows.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config';
import { caseLinks } from '../domain/links';
import { createDocumentStore, createEmailLedger } from '../storage';
import { BillingClient, createBillingActivities, fetchBillingBytes } from './billing';
import { createCheckActivities } from './checks';
import {
  ContactCenterClient,
  createAdminPasswordActivities,
  createContactCenterActivities,
  createPlatformActivities,
} from './contact-center';
import { createEmailActivities } from './email';
import { closeHttpPool } from './http-client';
import { contactCenterInService } from './number-conflicts';
import { createSipProbeActivities } from './sip-probe';
import { createSipAccountActivities } from './sip-accounts';
import { createSipWatchActivities } from './sip-watch';
import { createUsageActivities } from './usage';
import { createWebhookActivities, type Resolver } from './webhooks';
import { createWebhookStore } from '../storage';
import { webhookUrlPolicy } from '../config/webhooks';
import { createSipGatewayActivities, type CompleteSipGateway, type SipGateway } from './sip-gateway';
import { providerAddresses } from '../domain/sip';
import { kamailioGateway } from './sip-gateway-kamailio';
import { ManualSipGateway } from './sip-gateway-manual';
import { RecordingSipGateway } from './sip-gateway-recording';

/** The SIP gateway implementation this deployment uses. */
export function createSipGateway(config: Config): CompleteSipGateway {
  const sip = config.sipGateway;
  switch (sip.mode) {
    case 'recording':
      return new RecordingSipGateway(sip.recordFile, { sipDomain: sip.sipDomain });
    case 'kamailio':
      return kamailioGateway({
        databaseUrl: sip.sbc.databaseUrl,
        rpcUrl: sip.sbc.rpcUrl,
        sipDomain: sip.sipDomain,
        accTimeZone: sip.sbc.timeZone,
        forbiddenAddresses: providerAddresses(sip),
      });
    case 'manual':
      return new ManualSipGateway(sip.manualFile, {
        sipDomain: sip.sipDomain,
        forbiddenAddresses: providerAddresses(sip),
      });
  }
}

/** SMTP transports made for workers, closed with `closeConnections()`. */
const transports = new Set<Transporter>();

/**
 * One SMTP transport per worker, with a pool of kept-open connections: an email reuses a
 * connection instead of opening (and greeting, and authenticating) one of its own.
 */
export function mailTransport(config: Pick<Config, 'email' | 'profile'>): Transporter {
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 4,
    host: config.email.smtp.host,
    port: config.email.smtp.port,
    secure: config.email.smtp.secure,
    auth: config.email.smtp.user ? { user: config.email.smtp.user, pass: config.email.smtp.password } : undefined,
    // The local inbox has no TLS; a production relay should be configured with SMTP_SECURE.
    ignoreTLS: !config.email.smtp.secure && config.profile !== 'production',
  });
  transports.add(transport);
  return transport;
}

/** Closes the kept-open SMTP and HTTP connections, once the worker has stopped. */
export async function closeConnections(): Promise<void> {
  for (const transport of transports) transport.close();
  transports.clear();
  await closeHttpPool();
}

/** The contact-center platform (or its sandbox), for the worker's activities and the API's look-ups. */
export function contactCenterClient(config: Config): ContactCenterClient {
  return new ContactCenterClient({ baseUrl: config.contactCenter.url, apiKey: config.contactCenter.apiKey });
}

export function createActivities(config: Config, deps: { sipGateway?: SipGateway; resolve?: Resolver } = {}) {
  const transport = mailTransport(config);
  const billingClient = new BillingClient({ baseUrl: config.billing.url, apiKey: config.billing.apiKey });
  const sipGateway = deps.sipGateway ?? createSipGateway(config);
  const ledger = createEmailLedger(config);
  const email = createEmailActivities({
    transport,
    ledger,
    from: config.email.from,
    supportAddress: config.email.supportAddress,
    links: (caseId) => caseLinks(config, caseId),
    attachment: (ref) => fetchBillingBytes(billingClient, `/v1/invoices/${encodeURIComponent(ref.id)}/pdf`),
  });
  const contactCenter = contactCenterClient(config);
  // Built once: the look-ups other systems' activities make on the platform share its client.
  const platform = createContactCenterActivities(contactCenter);
  return {
    ...email,
    ...createWebhookActivities({
      store: createWebhookStore(config),
      enabled: config.webhooks.enabled,
      policy: webhookUrlPolicy(config),
      ...(deps.resolve ? { resolve: deps.resolve } : {}),
    }),
    ...createPlatformActivities(contactCenter),
    ...createAdminPasswordActivities({
      client: contactCenter,
      ledger,
      consoleUrl: config.contactCenter.consoleUrl,
      sendEmail: ({ dedupKey, to, caseId, data, meta }) =>
        email.sendEmail({ dedupKey, to, caseId, data, meta, template: 'contact-center-admin-password' }),
    }),
    ...createSipAccountActivities({
      gateway: sipGateway,
      sendEmail: email.sendEmail,
      ledger,
      registrar: config.sipGateway.registrar,
    }),
    ...createBillingActivities(billingClient),
    ...createCheckActivities({ documents: createDocumentStore(config) }),
    // A purchase's reserved numbers are checked against the SBC and the contact center.
    ...createSipGatewayActivities(sipGateway, {
      inServiceElsewhere: [contactCenterInService(platform.lookUpNumber)],
      // Calling rules are kept per enterprise: an assignment that does not name it is the instance's.
      enterpriseOfInstance: async (id) => (await platform.getInstance(id))?.enterpriseId ?? null,
    }),
    ...createSipWatchActivities({ gateway: sipGateway }),
    ...createUsageActivities({
      gateway: sipGateway,
      billing: billingClient,
      instancesOf: async (enterpriseId) => (await platform.listInstances(enterpriseId)).map((i) => i.instanceId),
    }),
    ...createSipProbeActivities({
      localAddress: config.sipGateway.probeAddress,
      optionsTimeoutMs: config.sipGateway.optionsTimeoutMs,
      ...(config.sipGateway.mode === 'kamailio' ? { via: config.sipGateway.sbc.platformListener } : {}),
    }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
