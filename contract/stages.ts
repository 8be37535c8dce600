/**
 * The stages of each kind, in the order a case usually meets them, as the registry declares them:
 * the one list the workflows enter (typed), the API documents and filters by, and the console
 * shows. A case that has ended shows `completed`, `failed` or `cancelled` as its stage.
 */
import { KIND_REGISTRY, ONBOARDING_KINDS, type OnboardingKind, type Registry } from './kinds';

export type { Stage } from './kinds';

export const STAGES = Object.fromEntries(ONBOARDING_KINDS.map((k) => [k, KIND_REGISTRY[k].stages])) as {
  [K in OnboardingKind]: Registry[K]['stages'];
};
