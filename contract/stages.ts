/**
 * The stages of each kind, in the order a case usually meets them: the one list the workflows
 * enter (typed), the API documents and filters by, and the console shows. A case that has ended
 * shows `completed`, `failed` or `cancelled` as its stage.
 */
export const STAGES = {
  'enterprise-real-name': ['awaiting-review', 'approving'],
  'enterprise-verification': ['prechecking', 'awaiting-review', 'awaiting-resubmission', 'approving'],
  'number-purchase': [
    'submitted',
    'awaiting-script-review',
    'awaiting-script-resubmission',
    'reserving',
    'charging',
    'awaiting-payment',
    'activating',
    'awaiting-400-routing',
  ],
  'number-subscription': ['active', 'renewing', 'grace', 'releasing'],
  'own-400-landing': [
    'purchasing-fixed-line',
    'awaiting-invoice',
    'awaiting-400-landing',
    'awaiting-400-forwarding',
    'verifying',
  ],
  'sip-trunk': [
    'awaiting-gateway',
    'awaiting-review',
    'allowlisting',
    'awaiting-customer-whitelist',
    'connectivity-check',
    'connectivity-failed',
    'test-calls',
    'awaiting-inbound-test',
    'assigning-numbers',
  ],
  'sip-registration': [
    'awaiting-review',
    'issuing-credentials',
    'awaiting-registration',
    'test-calls',
    'awaiting-inbound-test',
    'assigning-numbers',
    'registered',
  ],
  'third-party-line': ['awaiting-review', 'awaiting-supplier', 'awaiting-numbers', 'importing', 'binding'],
  'contact-center-instance': ['creating', 'issuing-password', 'active'],
  'enterprise-onboarding': ['verifying-real-name', 'verifying', 'creating-instance', 'awaiting-number-access', 'ready'],
  'usage-billing': ['metering', 'billing'],
  'number-recovery': ['checking', 'awaiting-payment', 'reimporting'],
} as const;

export type Stage<K extends keyof typeof STAGES> = (typeof STAGES)[K][number];
