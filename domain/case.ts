/**
 * What every case is made of before any rule: the roles people act in, and who acts. Plain
 * TypeScript with no dependency, so workflow code (through `contract/case.ts`) and the schemas in
 * `onboarding.ts` share one definition. The kinds are the registry's (`contract/kinds/`).
 */

export const ROLES = ['enterprise', 'support', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who takes an action: carried with every update and signal so history shows who did what. */
export interface Actor {
  role: Role;
  name: string;
  enterpriseId?: string;
}
