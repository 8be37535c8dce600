/**
 * Email templates, one per event: Chinese first, English beside it, kept per kind in `kinds/`.
 * Workflows name a template and pass its data; the email activity renders it, so history holds
 * data, never rendered mail.
 */
import type { CaseLinks, Rendered } from './common';
import { anyCaseTemplates } from './kinds/any-case';
import { contactCenterInstanceTemplates } from './kinds/contact-center-instance';
import { journeyTemplates } from './kinds/journey';
import { numberPurchaseTemplates } from './kinds/number-purchase';
import { numberRecoveryTemplates } from './kinds/number-recovery';
import { numberSubscriptionTemplates } from './kinds/number-subscription';
import { own400LandingTemplates } from './kinds/own-400-landing';
import { realNameTemplates } from './kinds/real-name';
import { sipTemplates } from './kinds/sip';
import { thirdPartyLineTemplates } from './kinds/third-party-line';
import { usageBillingTemplates } from './kinds/usage-billing';
import { verificationTemplates } from './kinds/verification';
import { webhooksTemplates } from './kinds/webhooks';

export type { CaseLinks, Rendered } from './common';

export const templates = {
  ...anyCaseTemplates,
  ...contactCenterInstanceTemplates,
  ...journeyTemplates,
  ...numberPurchaseTemplates,
  ...numberRecoveryTemplates,
  ...numberSubscriptionTemplates,
  ...own400LandingTemplates,
  ...realNameTemplates,
  ...sipTemplates,
  ...thirdPartyLineTemplates,
  ...usageBillingTemplates,
  ...verificationTemplates,
  ...webhooksTemplates,
} as const;

export type TemplateName = keyof typeof templates;
export type TemplateData<N extends TemplateName> = Parameters<(typeof templates)[N]>[0];

export function renderEmail<N extends TemplateName>(name: N, data: TemplateData<N>, links: CaseLinks): Rendered {
  const render = templates[name] as (d: TemplateData<N>, l: CaseLinks) => Rendered;
  return render(data, links);
}
