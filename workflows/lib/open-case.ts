/**
 * How every workflow opens the case it is: for the enterprise its input names, reporting to the
 * journey its input names (if any), at the kind's first stage.
 */
import type { ActingKind } from '../../contract/actions';
import type { Stage } from '../../contract/stages';
import { OnboardingCase } from './case';

type CaseInit<K extends ActingKind> = ConstructorParameters<typeof OnboardingCase<K>>[0];

export function openCase<K extends ActingKind>(
  kind: K,
  input: { enterpriseId: string; journeyId?: string | undefined },
  stage: Stage<K>,
  /** `instanceId`: the contact center the case brings numbers into, when the input names it. */
  more: Pick<CaseInit<K>, 'rules' | 'steps'> & { instanceId?: string } = {},
): OnboardingCase<K> {
  const { instanceId, ...init } = more;
  const c = new OnboardingCase({ kind, enterpriseId: input.enterpriseId, stage, journeyId: input.journeyId, ...init });
  if (instanceId !== undefined) c.facts.instanceId = instanceId;
  return c;
}
