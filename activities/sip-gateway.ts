/**
 * The SIP gateway / SBC: where numbers are assigned to a contact-center instance (with IVR flow,
 * skill group and caller-ID prefix). One interface, several implementations chosen by
 * configuration; every write is idempotent, tagged with the case that made it.
 */
import { ApplicationFailure } from '@temporalio/common';

export interface NumberAssignment {
  instanceId: string;
  /** E.164. */
  numbers: string[];
  ivrFlowId?: string;
  skillGroupId?: string;
  callerIdPrefix?: string;
  /** The case that made the assignment; a replay by the same case is a no-op. */
  reference: string;
}

export interface AssignedNumber extends Omit<NumberAssignment, 'numbers'> {
  number: string;
  assignedAt: string;
}

export interface SipGateway {
  readonly mode: string;
  assignNumbers(assignment: NumberAssignment): Promise<AssignedNumber[]>;
  /** Removes the numbers' assignments made by `reference`; absent ones are ignored. */
  unassignNumbers(input: { numbers: string[]; reference: string }): Promise<{ removed: string[] }>;
  assignments(filter?: { instanceId?: string; number?: string }): Promise<AssignedNumber[]>;
}

/** Thrown by gateways when a number belongs to another instance or case: retrying cannot help. */
export function numberTaken(number: string, owner: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'NumberAlreadyAssigned',
    message: `${number} is already assigned (${owner})`,
    nonRetryable: true,
  });
}

export function createSipGatewayActivities(gateway: SipGateway) {
  return {
    async assignNumbers(assignment: NumberAssignment): Promise<AssignedNumber[]> {
      return gateway.assignNumbers(assignment);
    },
    async unassignNumbers(input: { numbers: string[]; reference: string }): Promise<{ removed: string[] }> {
      return gateway.unassignNumbers(input);
    },
  };
}

export type SipGatewayActivities = ReturnType<typeof createSipGatewayActivities>;
