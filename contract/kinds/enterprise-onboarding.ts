/** The enterprise's whole journey, from verification to a working number, linking every case. */
import type { EnterpriseOnboardingInput } from '../inputs';
import type { JourneySummary, enterpriseOnboardingStartSchema, journeyPayloads } from '../../domain/journey';
import { journeyIdOf } from '../../domain/ids';
import { kind } from './define';

export const enterpriseOnboarding = kind<{
  input: EnterpriseOnboardingInput;
  result: JourneySummary;
  payloads: typeof journeyPayloads;
  start: typeof enterpriseOnboardingStartSchema;
}>()({
  name: 'enterprise-onboarding',
  workflowType: 'enterpriseOnboarding',
  stages: ['verifying-real-name', 'verifying', 'creating-instance', 'awaiting-number-access', 'ready'],
  // People act on the journey's cases, not on the journey.
  actions: {},
  failures: [],
  workflowId: journeyIdOf,
  fixedId: true,
  // What a journey awaits depends on the cases it adopts: the case itself answers.
});
