/** Who a request is: a person or system holding a token, with the role it acts in. */
import type { Role } from './onboarding';

export interface Principal {
  name: string;
  role: Role;
  /** Set for an enterprise's tokens, and only for them. */
  enterpriseId?: string;
}
