/** Who acts on a case under test: support staff, an administrator, an enterprise's applicant. */
import type { Actor } from '../../contract/case';

export const support: Actor = { role: 'support', name: 'ops' };
export const admin: Actor = { role: 'admin', name: 'root' };
export function enterprise(enterpriseId: string): Actor {
  return { role: 'enterprise', name: 'applicant', enterpriseId };
}
