/**
 * A production environment with only what production cannot do without, its own secrets and the
 * manual SIP gateway, and no tokens file (production refuses to start without one).
 */
export const PRODUCTION_WITHOUT_TOKENS: Record<string, string> = {
  APP_PROFILE: 'production',
  API_PUBLIC_URL: 'https://onboarding.cc-provider.net',
  BILLING_API_KEY: 'k-7f3a9c0e1b2d4f6a',
  BILLING_WEBHOOK_SECRET: 'w-5e8d2c7b9a1f3e4d6c',
  CONTACT_CENTER_API_KEY: 'c-2b9e4f7a1d3c5e8f',
  SIP_GATEWAY_MODE: 'manual',
};
