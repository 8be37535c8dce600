/**
 * Numbers go into service in two places: on the SBC (routing, calling rules, billing by origin)
 * and on the contact-center platform (the instance's IVR flow and skill group). Each undo is
 * registered before its step, so a cancel while either write is in flight leaves nothing behind.
 */
import type { NumberBinding } from '../../activities/contact-center';
import type { AssignedNumber, NumberAssignment } from '../../activities/sip-gateway';
import type { ActingKind } from '../../contract/actions';
import type { OnboardingCase } from './case';
import { gateway, platform } from './activities';

export interface NumbersInService extends Omit<
  NumberAssignment,
  'reference' | 'ivrFlowId' | 'skillGroupId' | 'callingRules'
> {
  /** The words the case's steps use: numbers are `assign`ed, or a supplier's lines `bind`ed. */
  verb: 'assign' | 'bind';
  /** The SBC step's summary in the case's history. */
  summary: string;
  platformSummary: string;
  /**
   * Where their calls go on the instance (IVR flow, skill group) and the rules on calls from them:
   * the SBC and the platform are both told. Given (even empty), the platform binds them to it.
   */
  route?: Pick<NumberBinding, 'ivrFlowId' | 'skillGroupId' | 'callingRules'>;
  /** What else the platform binds them to; with neither this nor a route: the instance's defaults. */
  platformBinding?: Pick<NumberBinding, 'appId'>;
}

export async function putNumbersInService<K extends ActingKind>(
  c: OnboardingCase<K>,
  n: NumbersInService,
): Promise<AssignedNumber[]> {
  const { verb, summary, platformSummary, route, platformBinding, ...assignment } = n;
  const routed = route && {
    ...(route.ivrFlowId ? { ivrFlowId: route.ivrFlowId } : {}),
    ...(route.skillGroupId ? { skillGroupId: route.skillGroupId } : {}),
    ...(route.callingRules ? { callingRules: route.callingRules } : {}),
  };
  const binding = routed || platformBinding ? { ...routed, ...platformBinding } : undefined;
  const undoing = verb === 'bind' ? 'unbind' : 'unassign';
  const { numbers, instanceId } = assignment;
  c.undo.add(`${undoing} the numbers`, () =>
    gateway.unassignNumbers.executeWithOptions({ summary: `compensate: ${undoing} numbers` }, [
      { numbers, reference: c.state.id },
    ]),
  );
  const assigned = await gateway.assignNumbers.executeWithOptions({ summary }, [
    { ...assignment, ...routed, reference: c.state.id },
  ]);
  c.undo.add(`${undoing} the numbers in the contact center`, () =>
    platform.platformUnassignNumbers.executeWithOptions(
      { summary: `compensate: ${undoing} numbers in the contact center` },
      [{ instanceId, numbers, idempotencyKey: `${c.state.id}/platform-unassign` }],
    ),
  );
  await platform.platformAssignNumbers.executeWithOptions({ summary: platformSummary }, [
    {
      instanceId,
      numbers,
      ...(binding ? { binding } : {}),
      reference: c.state.id,
      idempotencyKey: `${c.state.id}/platform-assign`,
    },
  ]);
  return assigned;
}
