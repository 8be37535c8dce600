/**
 * The SIP gateway for a provider SBC without an API: every write becomes a change request for a
 * person to carry out on the SBC, kept in a JSON file. Nothing here is in effect until someone
 * marks its change applied, and reads say so (`pending-manual`); calls and registrations cannot
 * be observed at all.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { BlockedCallee } from '../domain/calling-rules';
import { checkAllowlistAddress } from '../domain/sip';
import {
  accountNotFound,
  checkGatewayAddress,
  checkInstanceId,
  checkReference,
  nextGatewayUsername,
  notObservable,
  numberTaken,
  type AccountRef,
  type AllowlistEntry,
  type AnsweredCall,
  type AssignedNumber,
  type CallRecord,
  type CallRecordFilter,
  type ChangeState,
  type CompleteSipGateway,
  type NumberAssignment,
  type Registration,
  type SipAccount,
  type SipTransport,
} from './sip-gateway';
import { generateSipPassword, sipDigests } from './sip-credentials';

export type ManualAction =
  | 'assign-numbers'
  | 'unassign-numbers'
  | 'allow-gateway'
  | 'disallow-gateway'
  | 'create-account'
  | 'rotate-account'
  | 'delete-account'
  | 'block-callee'
  | 'unblock-callee';

/** One thing for a person to do on the SBC. Accounts carry digests (HA1), never the password. */
export interface ManualChange {
  id: string;
  action: ManualAction;
  reference?: string;
  details: Record<string, unknown>;
  requestedAt: string;
  status: 'pending' | 'applied';
  appliedAt?: string;
  appliedBy?: string;
}

interface Desired {
  assignments: (AssignedNumber & { changeId: string })[];
  allowlist: (Omit<AllowlistEntry, 'state'> & { changeId: string })[];
  accounts: { username: string; realm: string; instanceId: string; reference: string; changeId: string }[];
  blockedCallees: (BlockedCallee & { enterpriseId: string; changeId: string })[];
}

interface ManualRecord extends Desired {
  changes: ManualChange[];
}

export class ManualSipGateway implements CompleteSipGateway {
  readonly mode = 'manual';
  readonly observes = { calls: false, registrations: false };
  private queue: Promise<unknown> = Promise.resolve();
  private readonly sipDomain: string;
  private readonly forbiddenAddresses: string[];

  constructor(
    private readonly file: string,
    /** `forbiddenAddresses`: the provider's own (`providerAddresses`), never allowlisted as a gateway. */
    options: { sipDomain: string; forbiddenAddresses?: string[] },
  ) {
    this.sipDomain = options.sipDomain.toLowerCase();
    this.forbiddenAddresses = options.forbiddenAddresses ?? [];
  }

  // --- the operator's side -------------------------------------------------------------------

  async changes(filter: { status?: ManualChange['status'] } = {}): Promise<ManualChange[]> {
    await this.queue;
    return (await this.read()).changes.filter((c) => !filter.status || c.status === filter.status);
  }

  /** A person says the change is done on the SBC. */
  markApplied(id: string, by: string): Promise<ManualChange> {
    return this.change((r) => {
      const change = r.changes.find((c) => c.id === id);
      if (!change)
        throw ApplicationFailure.create({
          type: 'ManualChangeNotFound',
          message: `no manual change ${id}`,
          nonRetryable: true,
        });
      if (change.status !== 'applied')
        Object.assign(change, { status: 'applied', appliedAt: new Date().toISOString(), appliedBy: by });
      return change;
    });
  }

  // --- numbers -------------------------------------------------------------------------------

  assignNumbers(a: NumberAssignment): Promise<AssignedNumber[]> {
    return this.change((r) => {
      for (const number of a.numbers) {
        const existing = r.assignments.find((x) => x.number === number);
        if (existing && existing.reference !== a.reference)
          throw numberTaken(number, `instance ${existing.instanceId}, case ${existing.reference}`);
      }
      const { numbers, ...rest } = a;
      const same = numbers.every((n) => r.assignments.some((x) => x.number === n && sameAssignment(x, a)));
      const changeId = same
        ? r.assignments.find((x) => x.number === numbers[0])!.changeId
        : this.request(r, 'assign-numbers', a.reference, { ...a }).id;
      const at = new Date().toISOString();
      const kept = r.assignments.filter((x) => !numbers.includes(x.number));
      const added = numbers.map((number) => ({
        ...rest,
        number,
        assignedAt: r.assignments.find((x) => x.number === number)?.assignedAt ?? at,
        changeId,
      }));
      r.assignments = [...kept, ...added];
      return added.map((x) => this.publicAssignment(r, x));
    });
  }

  unassignNumbers(input: { numbers: string[]; reference: string }): Promise<{ removed: string[] }> {
    return this.change((r) => {
      const removed = r.assignments
        .filter((x) => input.numbers.includes(x.number) && x.reference === input.reference)
        .map((x) => x.number);
      if (removed.length > 0) this.request(r, 'unassign-numbers', input.reference, { numbers: removed });
      r.assignments = r.assignments.filter((x) => !removed.includes(x.number));
      return { removed };
    });
  }

  async assignments(filter: { instanceId?: string; number?: string } = {}): Promise<AssignedNumber[]> {
    await this.queue;
    const r = await this.read();
    return r.assignments
      .filter(
        (x) =>
          (!filter.instanceId || x.instanceId === filter.instanceId) && (!filter.number || x.number === filter.number),
      )
      .map((x) => this.publicAssignment(r, x));
  }

  // --- allowlist -----------------------------------------------------------------------------

  async allowGateway(input: {
    ip: string;
    port: number;
    transport?: SipTransport;
    reference: string;
  }): Promise<AllowlistEntry> {
    checkGatewayAddress(input);
    const refusal = checkAllowlistAddress(input.ip, this.forbiddenAddresses);
    if (refusal)
      throw ApplicationFailure.create({
        type: 'GatewayAddressRefused',
        message: refusal.message,
        nonRetryable: true,
        details: [refusal],
      });
    const entry = {
      ip: input.ip.toLowerCase(),
      port: input.port,
      transport: input.transport ?? ('udp' as const),
      reference: input.reference,
    };
    return this.change((r) => {
      let row = r.allowlist.find(
        (e) =>
          e.ip === entry.ip &&
          e.port === entry.port &&
          e.transport === entry.transport &&
          e.reference === entry.reference,
      );
      if (!row) {
        const change = this.request(r, 'allow-gateway', entry.reference, { group: 'customer gateways', ...entry });
        row = { ...entry, since: change.requestedAt, changeId: change.id };
        r.allowlist.push(row);
      }
      return this.publicEntry(r, row);
    });
  }

  async disallowGateway(input: {
    ip: string;
    port: number;
    reference: string;
  }): Promise<{ removed: number; state: ChangeState }> {
    checkGatewayAddress(input);
    return this.change((r) => {
      const gone = r.allowlist.filter(
        (e) => e.ip === input.ip.toLowerCase() && e.port === input.port && e.reference === input.reference,
      );
      if (gone.length === 0) return { removed: 0, state: 'pending-manual' as const };
      r.allowlist = r.allowlist.filter((e) => !gone.includes(e));
      // Withdrawing a request nobody carried out yet needs no work on the SBC; the request is dropped.
      const applied = gone.filter((e) => r.changes.find((c) => c.id === e.changeId)?.status === 'applied');
      r.changes = r.changes.filter((c) => !gone.some((e) => e.changeId === c.id && c.status === 'pending'));
      if (applied.length > 0)
        this.request(r, 'disallow-gateway', input.reference, {
          ip: input.ip,
          port: input.port,
          transports: applied.map((e) => e.transport),
        });
      return { removed: gone.length, state: 'pending-manual' as const };
    });
  }

  async allowlist(filter: { reference?: string; ip?: string } = {}): Promise<AllowlistEntry[]> {
    await this.queue;
    const r = await this.read();
    return r.allowlist
      .filter(
        (e) =>
          (!filter.reference || e.reference === filter.reference) && (!filter.ip || e.ip === filter.ip.toLowerCase()),
      )
      .map((e) => this.publicEntry(r, e));
  }

  // --- accounts ------------------------------------------------------------------------------

  async createAccount(input: { instanceId: string; reference: string }): Promise<SipAccount> {
    checkInstanceId(input.instanceId);
    checkReference(input.reference);
    const realm = `${input.instanceId.toLowerCase()}.${this.sipDomain}`;
    const password = generateSipPassword();
    return this.change((r) => {
      const mine = r.accounts.find((a) => a.realm === realm && a.reference === input.reference);
      const username =
        mine?.username ?? nextGatewayUsername(r.accounts.filter((a) => a.realm === realm).map((a) => a.username));
      const change = this.request(r, mine ? 'rotate-account' : 'create-account', input.reference, {
        username,
        realm,
        ...sipDigests(username, realm, password),
      });
      if (mine) mine.changeId = change.id;
      else
        r.accounts.push({
          username,
          realm,
          instanceId: input.instanceId,
          reference: input.reference,
          changeId: change.id,
        });
      return { username, realm, password, state: 'pending-manual' as const };
    });
  }

  async rotateAccount(ref: AccountRef): Promise<SipAccount> {
    const password = generateSipPassword();
    return this.change((r) => {
      const account = r.accounts.find((a) => a.username === ref.username && a.realm === ref.realm);
      if (!account) throw accountNotFound(ref);
      account.changeId = this.request(r, 'rotate-account', account.reference, {
        ...ref,
        ...sipDigests(ref.username, ref.realm, password),
      }).id;
      return { ...ref, password, state: 'pending-manual' as const };
    });
  }

  deleteAccount(ref: AccountRef): Promise<{ deleted: boolean; state: ChangeState }> {
    return this.change((r) => {
      const account = r.accounts.find((a) => a.username === ref.username && a.realm === ref.realm);
      if (!account) return { deleted: false, state: 'pending-manual' as const };
      r.accounts = r.accounts.filter((a) => a !== account);
      this.request(r, 'delete-account', account.reference, { ...ref });
      return { deleted: true, state: 'pending-manual' as const };
    });
  }

  deleteAccountsOf(input: { reference: string }): Promise<{ deleted: AccountRef[]; state: ChangeState }> {
    return this.change((r) => {
      const mine = r.accounts.filter((a) => a.reference === input.reference);
      r.accounts = r.accounts.filter((a) => a.reference !== input.reference);
      for (const a of mine) this.request(r, 'delete-account', a.reference, { username: a.username, realm: a.realm });
      return { deleted: mine.map((a) => ({ username: a.username, realm: a.realm })), state: 'pending-manual' as const };
    });
  }

  async registration(_ref: AccountRef): Promise<Registration | null> {
    throw notObservable(this.mode, 'registrations');
  }

  async callRecords(_filter: CallRecordFilter): Promise<CallRecord[]> {
    throw notObservable(this.mode, 'calls');
  }

  async answeredCalls(_range: { from: string; to: string }): Promise<AnsweredCall[]> {
    throw notObservable(this.mode, 'calls');
  }

  /** The list as asked for; each change is also a task for a person to apply on the SBC. */
  async blockedCallees(input: { enterpriseId: string }): Promise<BlockedCallee[]> {
    await this.queue;
    return (await this.read()).blockedCallees
      .filter((b) => b.enterpriseId === input.enterpriseId)
      .map(({ enterpriseId: _e, changeId: _c, ...entry }) => entry);
  }

  blockCallee(input: { enterpriseId: string } & BlockedCallee): Promise<{ entry: BlockedCallee; created: boolean }> {
    return this.change((r) => {
      const existing = r.blockedCallees.find((b) => b.enterpriseId === input.enterpriseId && b.number === input.number);
      if (existing) {
        const { enterpriseId: _e, changeId: _c, ...entry } = existing;
        return { entry, created: false };
      }
      const change = this.request(r, 'block-callee', undefined, { ...input });
      r.blockedCallees.push({ ...input, changeId: change.id });
      const { enterpriseId: _e, ...entry } = input;
      return { entry, created: true };
    });
  }

  unblockCallee(input: { enterpriseId: string; number: string }): Promise<{ removed: boolean }> {
    return this.change((r) => {
      const before = r.blockedCallees.length;
      r.blockedCallees = r.blockedCallees.filter(
        (b) => !(b.enterpriseId === input.enterpriseId && b.number === input.number),
      );
      const removed = r.blockedCallees.length < before;
      if (removed) this.request(r, 'unblock-callee', undefined, { ...input });
      return { removed };
    });
  }

  // --- storage -------------------------------------------------------------------------------

  private request(
    r: ManualRecord,
    action: ManualAction,
    reference: string | undefined,
    details: Record<string, unknown>,
  ): ManualChange {
    const change: ManualChange = {
      id: randomUUID(),
      action,
      reference,
      details,
      requestedAt: new Date().toISOString(),
      status: 'pending',
    };
    r.changes.push(change);
    return change;
  }

  private stateOf(r: ManualRecord, changeId: string): ChangeState {
    return r.changes.find((c) => c.id === changeId)?.status === 'applied' ? 'live' : 'pending-manual';
  }

  private publicEntry(r: ManualRecord, e: Desired['allowlist'][number]): AllowlistEntry {
    const { changeId, ...rest } = e;
    return { ...rest, state: this.stateOf(r, changeId) };
  }

  private publicAssignment(r: ManualRecord, x: Desired['assignments'][number]): AssignedNumber {
    const { changeId, ...rest } = x;
    return { ...rest, state: this.stateOf(r, changeId) };
  }

  private async read(): Promise<ManualRecord> {
    try {
      const r = JSON.parse(await readFile(this.file, 'utf8')) as Partial<ManualRecord>;
      return {
        changes: r.changes ?? [],
        assignments: r.assignments ?? [],
        allowlist: r.allowlist ?? [],
        accounts: r.accounts ?? [],
        blockedCallees: r.blockedCallees ?? [],
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return { changes: [], assignments: [], allowlist: [], accounts: [], blockedCallees: [] };
      throw err;
    }
  }

  private change<T>(fn: (record: ManualRecord) => T): Promise<T> {
    const run = this.queue.then(async () => {
      const record = await this.read();
      const result = fn(record);
      await mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(record, null, 1));
      await rename(tmp, this.file);
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function sameAssignment(x: AssignedNumber, a: NumberAssignment): boolean {
  return (
    x.reference === a.reference &&
    x.instanceId === a.instanceId &&
    x.ivrFlowId === a.ivrFlowId &&
    x.skillGroupId === a.skillGroupId &&
    x.callerIdPrefix === a.callerIdPrefix &&
    JSON.stringify(x.callingRules) === JSON.stringify(a.callingRules)
  );
}
