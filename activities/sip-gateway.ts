/**
 * The SIP gateway / SBC: where numbers are assigned to a contact-center instance (with IVR flow,
 * skill group and caller-ID prefix), where customers' gateways are allowlisted by address or
 * given a digest account (registration mode), and where calls and registrations can be seen.
 * One interface, several implementations chosen by configuration; every write is idempotent,
 * tagged with the case that made it.
 */
import { isIP } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import type { BlockedCallee, BlockedCalleeChange } from '../domain/calling-rules';
import type { NumberOrigin } from '../domain/carriers';
import type { CallingRules } from '../domain/eligibility';
import { checkAllowlistAddress } from '../domain/sip';
import { createNumberConflictActivities, type InServiceLookup } from './number-conflicts';

export interface NumberAssignment {
  instanceId: string;
  /** E.164. */
  numbers: string[];
  ivrFlowId?: string;
  skillGroupId?: string;
  callerIdPrefix?: string;
  /** Limits the platform enforces on calls from these numbers (hours, per-callee limits, regions). */
  callingRules?: CallingRules;
  /**
   * The enterprise the numbers call for: per-callee counts and blocked callees are kept per
   * enterprise. Looked up from the instance when not given.
   */
  enterpriseId?: string;
  /** The case that made the assignment; a replay by the same case is a no-op. */
  reference: string;
  /** Where the numbers come from: it decides their route, their rules and how their calls are billed. */
  origin: NumberOrigin;
  /** The supplier (its letter) of supplier lines: their calls go through its trunk. */
  supplier?: string;
  /** The own 400 number these fixed lines carry (own-400 lines). */
  carries400?: string;
}

/** A number's assignment over a stretch of time (`to` null while it lasts), for billing a month. */
export interface AssignmentPeriod {
  number: string;
  instanceId: string;
  enterpriseId?: string;
  origin: NumberOrigin;
  supplier?: string;
  reference: string;
  from: string;
  to: string | null;
}

/** A period as the SBC and the file gateway both keep it: an absent enterprise or supplier left out. */
export function assignmentPeriod(
  p: Omit<AssignmentPeriod, 'enterpriseId' | 'supplier'> & { enterpriseId?: string | null; supplier?: string | null },
): AssignmentPeriod {
  return {
    number: p.number,
    instanceId: p.instanceId,
    ...(p.enterpriseId ? { enterpriseId: p.enterpriseId } : {}),
    origin: p.origin,
    ...(p.supplier ? { supplier: p.supplier } : {}),
    reference: p.reference,
    from: p.from,
    to: p.to,
  };
}

export interface AssignedNumber extends Omit<NumberAssignment, 'numbers'> {
  number: string;
  assignedAt: string;
  /** Absent when the gateway applied it itself; `pending-manual` while a person still has to. */
  state?: ChangeState;
}

export type SipTransport = 'udp' | 'tcp';

/**
 * How far a write got. `live`: the SBC applies it now. `pending-reload`: in the SBC's database
 * but not yet in its memory (a reload failed; the next write or a retry reloads). `recorded`:
 * kept by a gateway with no SBC behind it (development, tests). `pending-manual`: a person still
 * has to apply it on an SBC without an API; nothing is in effect yet.
 */
export type ChangeState = 'live' | 'pending-reload' | 'recorded' | 'pending-manual';

/** A customer gateway allowed to send calls (and to be called) by its address. */
export interface AllowlistEntry {
  ip: string;
  /** The gateway's signalling port; 0 for any. */
  port: number;
  transport: SipTransport;
  /** The case that allowed it. */
  reference: string;
  state: ChangeState;
  since?: string;
}

/** Registration-mode credentials. The password is returned once, when made; it is not stored. */
export interface SipAccount {
  username: string;
  /** `<instanceId>.<SIP domain>`, also the digest realm and the From/To domain of the REGISTER. */
  realm: string;
  password: string;
  state: ChangeState;
}

export interface AccountRef {
  username: string;
  realm: string;
}

export interface Registration {
  /** The Contact the gateway registered. */
  contact: string;
  /** Where the REGISTER came from, when that differs (NAT): calls go there. */
  received?: string;
  transport?: SipTransport;
  expiresAt: string;
  userAgent?: string;
}

export interface CallRecordFilter {
  sourceIp?: string;
  callee?: string;
  caller?: string;
  /** ISO time: records at or after it. */
  since: string;
}

/** One INVITE transaction as the SBC accounted it, admitted or refused. */
export interface CallRecord {
  callId: string;
  method: string;
  sipCode: number;
  sipReason: string;
  sourceIp: string;
  caller: string;
  callee: string;
  at: string;
  /** The SBC let it through (the code may still be a failure from further on). */
  admitted: boolean;
  /** Why the SBC admitted or refused it, e.g. `from-platform`, `calling-rule:callee daily limit`. */
  reason?: string;
}

/** A call the SBC relayed and saw answered (its dialog confirmed), with its end once the dialog ended. */
export interface AnsweredCall {
  callId: string;
  /** The enterprise's number the call is on (the callee in, the verified caller out), E.164. */
  number?: string;
  enterpriseId?: string;
  /** How the dialog ended: `bye` (a party hung up), `keep-alive-or-timeout` (the SBC ended it). */
  endReason?: string;
  /** `inbound`: a customer's gateway towards the platform; `outbound`: the platform calling out. */
  direction: 'inbound' | 'outbound';
  /** E.164 where the SBC could read them as numbers, else as sent. */
  caller: string;
  callee: string;
  answeredAt: string;
  /** Null while no BYE is accounted (still up, or its record not there yet). */
  endedAt: string | null;
  seconds: number | null;
}

export interface SipGatewayObserves {
  /** `callRecords` reads the SBC's accounting. */
  calls: boolean;
  /** `registration` reads the SBC's location table. */
  registrations: boolean;
}

export interface SipGateway {
  readonly mode: string;
  assignNumbers(assignment: NumberAssignment): Promise<AssignedNumber[]>;
  /** Removes the numbers' assignments made by `reference`; absent ones are ignored. */
  unassignNumbers(input: { numbers: string[]; reference: string }): Promise<{ removed: string[] }>;
  assignments(filter?: { instanceId?: string; number?: string }): Promise<AssignedNumber[]>;

  // The SBC side. Optional only so that a number-assignment-only double still fits; every
  // gateway this product ships implements all of it (see `sbcOf`).

  /** What this gateway can see. Reading what it cannot see fails (`NotObservable`), never "none". */
  readonly observes?: SipGatewayObserves;
  /**
   * Allowlists a gateway address (group 1) for `reference`; allowing it again is a no-op. The
   * gateway may dial only `numbers` (the case's, also before they are assigned) and the numbers
   * assigned to `instanceId`.
   */
  allowGateway?(input: GatewayEntry): Promise<AllowlistEntry>;
  /** Removes what `reference` allowed for this address; removing it again is a no-op. */
  disallowGateway?(input: {
    ip: string;
    port: number;
    reference: string;
  }): Promise<{ removed: number; state: ChangeState }>;
  allowlist?(filter?: { reference?: string; ip?: string }): Promise<AllowlistEntry[]>;
  /**
   * A new account (gateway01, gateway02, ... within the instance); one per reference: a replay
   * rotates its password. Like a gateway, it may dial `numbers` and the instance's numbers.
   */
  createAccount?(input: AccountRequest): Promise<SipAccount>;
  /** A new password; the old one stops working. */
  rotateAccount?(input: AccountRef): Promise<SipAccount>;
  /** Deletes the account and drops its registration; deleting it again is a no-op. */
  deleteAccount?(input: AccountRef): Promise<{ deleted: boolean; state: ChangeState }>;
  /** Every account made for a case (by its reference); none: nothing to do. */
  deleteAccountsOf?(input: { reference: string }): Promise<{ deleted: AccountRef[]; state: ChangeState }>;
  registration?(input: AccountRef): Promise<Registration | null>;
  callRecords?(filter: CallRecordFilter): Promise<CallRecord[]>;
  /** Calls answered in [from, to) (ISO times), for usage billing; only where `observes.calls`. */
  answeredCalls?(range: { from: string; to: string }): Promise<AnsweredCall[]>;
  /** Every assignment that overlapped [from, to), released or not (usage billing). */
  assignmentHistory?(range: { from: string; to: string }): Promise<AssignmentPeriod[]>;

  /** Callees the enterprise's numbers never call, oldest first. */
  blockedCallees?(input: { enterpriseId: string }): Promise<BlockedCallee[]>;
  /** Adds a callee (E.164); adding it again keeps the first entry and answers it. */
  blockCallee?(input: { enterpriseId: string } & BlockedCallee): Promise<{ entry: BlockedCallee; created: boolean }>;
  /**
   * Removes a callee; removing one that is not there answers false. What support (or an admin)
   * added only support or an admin removes: `refused` says so and nothing changes.
   */
  unblockCallee?(input: UnblockRequest): Promise<{ removed: boolean; refused?: 'added-by-support' }>;
  /** Every addition and removal, oldest first: who, when, why. */
  blockedCalleeChanges?(input: { enterpriseId: string }): Promise<BlockedCalleeChange[]>;
}

export interface UnblockRequest {
  enterpriseId: string;
  number: string;
  /** `<role>: <name>` of who removes it. */
  removedBy: string;
  reason?: string;
}

/** A gateway address to allowlist, with whose it is. */
export interface GatewayEntry {
  ip: string;
  port: number;
  transport?: SipTransport;
  reference: string;
  instanceId?: string;
  enterpriseId?: string;
  /** E.164: the numbers the case brings in over this gateway. */
  numbers?: string[];
}

export interface AccountRequest {
  instanceId: string;
  reference: string;
  enterpriseId?: string;
  /** E.164: the numbers the case brings in over this account. */
  numbers?: string[];
}

/** A gateway with every SBC operation: what `createSipGateway` returns. */
export type CompleteSipGateway = Required<SipGateway>;

/** Thrown by gateways when a number belongs to another instance or case: retrying cannot help. */
export function numberTaken(number: string, owner: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'NumberAlreadyAssigned',
    message: `${number} is already assigned (${owner})`,
    nonRetryable: true,
  });
}

/** Thrown when asked to read what the gateway cannot see (no SBC, or an SBC without an API). */
export function notObservable(mode: string, what: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'NotObservable',
    message: `the ${mode} SIP gateway cannot observe ${what}; check on the SBC itself`,
    nonRetryable: true,
  });
}

export function accountNotFound(ref: AccountRef): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'SipAccountNotFound',
    message: `no SIP account ${ref.username}@${ref.realm}`,
    nonRetryable: true,
  });
}

export function invalidSipInput(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'InvalidSipGatewayInput', message, nonRetryable: true });
}

/** The gateway's SBC operations, or a non-retryable failure if it has none (a test double). */
export function sbcOf(gateway: SipGateway): CompleteSipGateway {
  const missing = (
    [
      'observes',
      'allowGateway',
      'disallowGateway',
      'allowlist',
      'createAccount',
      'rotateAccount',
      'deleteAccount',
      'deleteAccountsOf',
      'registration',
      'callRecords',
      'blockedCallees',
      'blockCallee',
      'unblockCallee',
      'blockedCalleeChanges',
      'answeredCalls',
      'assignmentHistory',
    ] as const
  ).filter((k) => gateway[k] === undefined);
  if (missing.length > 0) {
    throw ApplicationFailure.create({
      type: 'SipGatewayUnsupported',
      message: `the ${gateway.mode} SIP gateway does not support ${missing.join(', ')}`,
      nonRetryable: true,
    });
  }
  return gateway as CompleteSipGateway;
}

/** Validation shared by the implementations: an IP literal, a port, a case reference. */
export function checkGatewayAddress(input: { ip: string; port: number; reference: string }): void {
  if (isIP(input.ip) === 0) throw invalidSipInput(`not an IP address: ${input.ip}`);
  if (!Number.isInteger(input.port) || input.port < 0 || input.port > 65_535)
    throw invalidSipInput(`not a port: ${input.port}`);
  checkReference(input.reference);
}

/** An address a customer's gateway may have: none of the provider's own (`forbidden`), nor a special one. */
export function checkAllowable(ip: string, forbidden: string[]): void {
  const refusal = checkAllowlistAddress(ip, forbidden);
  if (refusal)
    throw ApplicationFailure.create({
      type: 'GatewayAddressRefused',
      message: refusal.message,
      nonRetryable: true,
      details: [refusal],
    });
}

export function checkReference(reference: string): void {
  if (!reference || reference.length > 255)
    throw invalidSipInput('a reference (the case id, at most 255 characters) is required');
}

/** Instance ids become the first label of the realm. */
export function checkInstanceId(instanceId: string): void {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(instanceId))
    throw invalidSipInput(`not a usable instance id: ${instanceId}`);
}

/** `gateway01`, `gateway02`, ...: the first free number within an instance. */
export function nextGatewayUsername(existing: string[]): string {
  const taken = new Set(
    existing
      .map((u) => /^gateway(\d+)$/.exec(u)?.[1])
      .filter(Boolean)
      .map(Number),
  );
  let n = 1;
  while (taken.has(n)) n++;
  return `gateway${String(n).padStart(2, '0')}`;
}

/**
 * `inServiceElsewhere`: other systems' views of numbers in use (the contact-center platform), asked
 * beside the SBC's assignments when a purchase checks the numbers it reserved.
 */
export function createSipGatewayActivities(
  gateway: SipGateway,
  options: {
    inServiceElsewhere?: InServiceLookup[];
    /** The enterprise owning a contact-center instance (null: unknown), for assignments that do not say. */
    enterpriseOfInstance?: (instanceId: string) => Promise<string | null>;
  } = {},
) {
  return {
    ...createNumberConflictActivities({ gateway, elsewhere: options.inServiceElsewhere }),
    /** Also writes the numbers' calling rules to the SBC (its defaults where the numbers carry none). */
    async assignNumbers(assignment: NumberAssignment): Promise<AssignedNumber[]> {
      const enterpriseId =
        assignment.enterpriseId ?? (await options.enterpriseOfInstance?.(assignment.instanceId)) ?? undefined;
      return gateway.assignNumbers({ ...assignment, ...(enterpriseId ? { enterpriseId } : {}) });
    },
    async unassignNumbers(input: { numbers: string[]; reference: string }): Promise<{ removed: string[] }> {
      return gateway.unassignNumbers(input);
    },
    async allowGateway(input: GatewayEntry): Promise<AllowlistEntry> {
      const enterpriseId =
        input.enterpriseId ??
        (input.instanceId ? ((await options.enterpriseOfInstance?.(input.instanceId)) ?? undefined) : undefined);
      return sbcOf(gateway).allowGateway({ ...input, ...(enterpriseId ? { enterpriseId } : {}) });
    },
    async disallowGateway(input: {
      ip: string;
      port: number;
      reference: string;
    }): Promise<{ removed: number; state: ChangeState }> {
      return sbcOf(gateway).disallowGateway(input);
    },
    /** The password is in the result (and so in the case's history) until the case hands it on. */
    async createSipAccount(input: AccountRequest): Promise<SipAccount> {
      return sbcOf(gateway).createAccount(input);
    },
    async rotateSipAccount(input: AccountRef): Promise<SipAccount> {
      return sbcOf(gateway).rotateAccount(input);
    },
    async deleteSipAccount(input: AccountRef): Promise<{ deleted: boolean; state: ChangeState }> {
      return sbcOf(gateway).deleteAccount(input);
    },

    async deleteSipAccountsOf(input: { reference: string }): Promise<{ deleted: AccountRef[]; state: ChangeState }> {
      return sbcOf(gateway).deleteAccountsOf(input);
    },
    async sipGatewayObserves(): Promise<SipGatewayObserves> {
      return sbcOf(gateway).observes;
    },
    async sipRegistration(input: AccountRef): Promise<Registration | null> {
      return sbcOf(gateway).registration(input);
    },
    async sipCallRecords(filter: CallRecordFilter): Promise<CallRecord[]> {
      return sbcOf(gateway).callRecords(filter);
    },
  };
}

export type SipGatewayActivities = ReturnType<typeof createSipGatewayActivities>;
