/**
 * What the two SIP gateways kept in a JSON file share (`recording`: no SBC, for tests and single
 * processes; `manual`: an SBC without an API, where each write is a change for a person): the file
 * itself (serialised read-modify-write, written atomically), the rules a real SBC would enforce (a
 * number serves one instance, an account name is unique within its instance, what support blocked
 * only support lifts), the assignment history, the blocked callees with every change kept, and
 * reads of what no file can see (calls, registrations), which fail as `NotObservable`.
 *
 * A subclass says what a write means where it is (`request`: nothing for `recording`, a change
 * request for `manual`) and how far it got (`stateOf`).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { mayUnblock, type BlockedCallee, type BlockedCalleeChange } from '../domain/calling-rules';
import { generateSipPassword } from './sip-credentials';
import {
  accountNotFound,
  assignmentPeriod,
  checkGatewayAddress,
  checkInstanceId,
  checkReference,
  nextGatewayUsername,
  notObservable,
  numberTaken,
  type AccountRef,
  type AccountRequest,
  type AllowlistEntry,
  type AnsweredCall,
  type AssignedNumber,
  type AssignmentPeriod,
  type CallRecord,
  type CallRecordFilter,
  type ChangeState,
  type GatewayEntry,
  type NumberAssignment,
  type Registration,
  type SipAccount,
  type UnblockRequest,
} from './sip-gateway';

/** A row that may wait for a person (`changeId`, manual mode). */
interface Tracked {
  changeId?: string;
}

export type FileAssignment = AssignedNumber & Tracked;
export type FileAllowlistEntry = Omit<AllowlistEntry, 'state'> &
  Tracked & { instanceId?: string; enterpriseId?: string; numbers?: string[] };
export interface FileAccount extends Tracked {
  username: string;
  realm: string;
  instanceId: string;
  reference: string;
  enterpriseId?: string;
  numbers?: string[];
  /** scrypt, where kept (recording); the manual gateway hands digests to a person instead. */
  passwordHash?: string;
  createdAt?: string;
  rotatedAt?: string;
}

export interface FileRecord {
  assignments: FileAssignment[];
  history: AssignmentPeriod[];
  allowlist: FileAllowlistEntry[];
  accounts: FileAccount[];
  blockedCallees: (BlockedCallee & Tracked & { enterpriseId: string })[];
  blockedCalleeChanges: (BlockedCalleeChange & { enterpriseId: string })[];
}

/** An empty record with `extra`'s fields, or the file's with missing lists filled in. */
export function withDefaults<R extends FileRecord>(parsed: Partial<R>, extra: Omit<R, keyof FileRecord>): R {
  return {
    ...extra,
    ...parsed,
    assignments: parsed.assignments ?? [],
    history: parsed.history ?? [],
    allowlist: parsed.allowlist ?? [],
    accounts: parsed.accounts ?? [],
    blockedCallees: parsed.blockedCallees ?? [],
    blockedCalleeChanges: parsed.blockedCalleeChanges ?? [],
  } as R;
}

export abstract class FileSipGateway<R extends FileRecord> {
  abstract readonly mode: string;
  readonly observes = { calls: false, registrations: false };
  protected readonly sipDomain: string;
  private queue: Promise<unknown> = Promise.resolve();

  protected constructor(
    protected readonly file: string,
    sipDomain: string,
  ) {
    this.sipDomain = sipDomain.toLowerCase();
  }

  /** The file's content (an empty record when there is no file yet). */
  protected abstract parse(json: unknown): R;
  /**
   * What a write means on this gateway: a change request for a person (its id), or nothing
   * (undefined) where the file is all there is.
   */
  protected abstract request(
    r: R,
    action: string,
    reference: string | undefined,
    details: Record<string, unknown>,
  ): string | undefined;
  /** How far a row's change got. */
  protected abstract stateOf(r: R, changeId: string | undefined): ChangeState;
  /** What every write answers at once: `recorded`, or `pending-manual` until a person applies it. */
  protected abstract readonly writeState: ChangeState;
  /** Keeps (or hands on) the account's new password as this gateway does; never the password itself. */
  protected abstract setPassword(
    r: R,
    account: FileAccount,
    password: string,
    action: 'create-account' | 'rotate-account',
  ): void;

  // --- the file --------------------------------------------------------------------------------

  protected async read(): Promise<R> {
    try {
      return this.parse(JSON.parse(await readFile(this.file, 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.parse({});
      throw err;
    }
  }

  /** The record once the writes queued before are done. */
  protected async snapshot(): Promise<R> {
    await this.queue;
    return this.read();
  }

  /** Serialised read-modify-write, written atomically. */
  protected change<T>(fn: (record: R) => T): Promise<T> {
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

  // --- numbers ---------------------------------------------------------------------------------

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
        : this.request(r, 'assign-numbers', a.reference, { ...a });
      const at = new Date().toISOString();
      const added = numbers.map((number) => {
        const before = r.assignments.find((x) => x.number === number);
        if (!before || !sameOwner(before, a)) this.openPeriod(r, { ...rest, number }, at);
        return { ...rest, number, assignedAt: before?.assignedAt ?? at, ...(changeId ? { changeId } : {}) };
      });
      r.assignments = [...r.assignments.filter((x) => !numbers.includes(x.number)), ...added];
      return added.map((x) => this.visible(r, x));
    });
  }

  unassignNumbers(input: { numbers: string[]; reference: string }): Promise<{ removed: string[] }> {
    return this.change((r) => {
      const removed = r.assignments
        .filter((x) => input.numbers.includes(x.number) && x.reference === input.reference)
        .map((x) => x.number);
      if (removed.length > 0) this.request(r, 'unassign-numbers', input.reference, { numbers: removed });
      r.assignments = r.assignments.filter((x) => !removed.includes(x.number));
      const at = new Date().toISOString();
      for (const p of r.history) if (removed.includes(p.number) && p.to === null) p.to = at;
      return { removed };
    });
  }

  async assignments(filter: { instanceId?: string; number?: string } = {}): Promise<AssignedNumber[]> {
    const r = await this.snapshot();
    return r.assignments
      .filter(
        (x) =>
          (!filter.instanceId || x.instanceId === filter.instanceId) && (!filter.number || x.number === filter.number),
      )
      .map((x) => this.visible(r, x));
  }

  async assignmentHistory(range: { from: string; to: string }): Promise<AssignmentPeriod[]> {
    return (await this.snapshot()).history.filter((p) => p.from < range.to && (p.to === null || p.to > range.from));
  }

  private openPeriod(r: R, a: Omit<NumberAssignment, 'numbers'> & { number: string }, at: string): void {
    for (const p of r.history) if (p.number === a.number && p.to === null) p.to = at;
    r.history.push(assignmentPeriod({ ...a, from: at, to: null }));
  }

  private visible(r: R, x: FileAssignment): AssignedNumber {
    const { changeId, ...rest } = x;
    const state = this.stateOf(r, changeId);
    return state === 'recorded' ? rest : { ...rest, state };
  }

  // --- allowlist -------------------------------------------------------------------------------

  /** Adds the entry unless the case has it; a changed owner (instance, numbers) is updated. */
  protected async allowEntry(input: GatewayEntry): Promise<AllowlistEntry> {
    checkGatewayAddress(input);
    const entry = {
      ip: input.ip.toLowerCase(),
      port: input.port,
      transport: input.transport ?? ('udp' as const),
      reference: input.reference,
    };
    const owner = {
      ...(input.instanceId ? { instanceId: input.instanceId } : {}),
      ...(input.enterpriseId ? { enterpriseId: input.enterpriseId } : {}),
      ...(input.numbers ? { numbers: input.numbers } : {}),
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
        const changeId = this.request(r, 'allow-gateway', entry.reference, {
          group: 'customer gateways',
          ...entry,
          ...owner,
        });
        row = { ...entry, ...owner, since: new Date().toISOString(), ...(changeId ? { changeId } : {}) };
        r.allowlist.push(row);
      } else Object.assign(row, owner);
      return this.visibleEntry(r, row);
    });
  }

  async allowlist(filter: { reference?: string; ip?: string } = {}): Promise<AllowlistEntry[]> {
    const r = await this.snapshot();
    return r.allowlist
      .filter(
        (e) =>
          (!filter.reference || e.reference === filter.reference) && (!filter.ip || e.ip === filter.ip.toLowerCase()),
      )
      .map((e) => this.visibleEntry(r, e));
  }

  private visibleEntry(r: R, e: FileAllowlistEntry): AllowlistEntry {
    const { changeId, instanceId: _i, enterpriseId: _e, numbers: _n, ...rest } = e;
    return { ...rest, state: this.stateOf(r, changeId) };
  }

  // --- accounts --------------------------------------------------------------------------------

  protected realmOf(instanceId: string): string {
    checkInstanceId(instanceId);
    return `${instanceId.toLowerCase()}.${this.sipDomain}`;
  }

  /** The case's account in the realm, or a new one named `gatewayNN` (not yet in the record). */
  protected accountFor(
    r: R,
    input: { instanceId: string; reference: string },
  ): { account: FileAccount; existing: boolean } {
    checkReference(input.reference);
    const realm = this.realmOf(input.instanceId);
    const mine = r.accounts.find((a) => a.realm === realm && a.reference === input.reference);
    if (mine) return { account: mine, existing: true };
    const username = nextGatewayUsername(r.accounts.filter((a) => a.realm === realm).map((a) => a.username));
    return {
      account: { username, realm, instanceId: input.instanceId, reference: input.reference },
      existing: false,
    };
  }

  async createAccount(input: AccountRequest): Promise<SipAccount> {
    const password = generateSipPassword();
    return this.change((r) => {
      const { account, existing } = this.accountFor(r, input);
      Object.assign(account, {
        ...(input.numbers ? { numbers: input.numbers } : {}),
        ...(input.enterpriseId ? { enterpriseId: input.enterpriseId } : {}),
      });
      if (!existing) r.accounts.push(account);
      // A replay issues a new password, as the first one may never have reached anyone.
      this.setPassword(r, account, password, existing ? 'rotate-account' : 'create-account');
      return { username: account.username, realm: account.realm, password, state: this.writeState };
    });
  }

  async rotateAccount(ref: AccountRef): Promise<SipAccount> {
    const password = generateSipPassword();
    return this.change((r) => {
      const account = r.accounts.find((a) => a.username === ref.username && a.realm === ref.realm);
      if (!account) throw accountNotFound(ref);
      this.setPassword(r, account, password, 'rotate-account');
      return { username: ref.username, realm: ref.realm, password, state: this.writeState };
    });
  }

  deleteAccount(ref: AccountRef): Promise<{ deleted: boolean; state: ChangeState }> {
    return this.change((r) => {
      const account = r.accounts.find((a) => a.username === ref.username && a.realm === ref.realm);
      if (account) this.dropAccount(r, account);
      return { deleted: account !== undefined, state: this.writeState };
    });
  }

  deleteAccountsOf(input: { reference: string }): Promise<{ deleted: AccountRef[]; state: ChangeState }> {
    return this.change((r) => {
      const mine = r.accounts.filter((a) => a.reference === input.reference);
      for (const a of mine) this.dropAccount(r, a);
      return { deleted: mine.map((a) => ({ username: a.username, realm: a.realm })), state: this.writeState };
    });
  }

  private dropAccount(r: R, account: FileAccount): void {
    r.accounts = r.accounts.filter((a) => a !== account);
    this.request(r, 'delete-account', account.reference, { username: account.username, realm: account.realm });
  }

  // --- what a file cannot see --------------------------------------------------------------------

  async registration(_ref: AccountRef): Promise<Registration | null> {
    throw notObservable(this.mode, 'registrations');
  }

  async callRecords(_filter: CallRecordFilter): Promise<CallRecord[]> {
    throw notObservable(this.mode, 'calls');
  }

  async answeredCalls(_range: { from: string; to: string }): Promise<AnsweredCall[]> {
    throw notObservable(this.mode, 'calls');
  }

  // --- blocked callees -------------------------------------------------------------------------

  async blockedCallees(input: { enterpriseId: string }): Promise<BlockedCallee[]> {
    return (await this.snapshot()).blockedCallees
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
      const changeId = this.request(r, 'block-callee', undefined, { ...input });
      r.blockedCallees.push({ ...input, ...(changeId ? { changeId } : {}) });
      r.blockedCalleeChanges.push({
        enterpriseId: input.enterpriseId,
        number: input.number,
        change: 'added',
        reason: input.reason,
        by: input.addedBy,
        at: input.addedAt,
      });
      const { enterpriseId: _e, ...entry } = input;
      return { entry, created: true };
    });
  }

  unblockCallee(input: UnblockRequest): Promise<{ removed: boolean; refused?: 'added-by-support' }> {
    return this.change((r) => {
      const entry = r.blockedCallees.find((b) => b.enterpriseId === input.enterpriseId && b.number === input.number);
      if (!entry) return { removed: false };
      if (!mayUnblock(entry.addedBy, input.removedBy)) return { removed: false, refused: 'added-by-support' as const };
      r.blockedCallees = r.blockedCallees.filter((b) => b !== entry);
      this.request(r, 'unblock-callee', undefined, { enterpriseId: input.enterpriseId, number: input.number });
      r.blockedCalleeChanges.push({
        enterpriseId: input.enterpriseId,
        number: input.number,
        change: 'removed',
        reason: input.reason ?? '',
        by: input.removedBy,
        at: new Date().toISOString(),
      });
      return { removed: true };
    });
  }

  async blockedCalleeChanges(input: { enterpriseId: string }): Promise<BlockedCalleeChange[]> {
    return (await this.snapshot()).blockedCalleeChanges
      .filter((c) => c.enterpriseId === input.enterpriseId)
      .map(({ enterpriseId: _e, ...c }) => c);
  }
}

function sameOwner(x: AssignedNumber, a: NumberAssignment): boolean {
  return (
    x.reference === a.reference &&
    x.instanceId === a.instanceId &&
    x.enterpriseId === a.enterpriseId &&
    x.origin === a.origin &&
    x.supplier === a.supplier
  );
}

function sameAssignment(x: AssignedNumber, a: NumberAssignment): boolean {
  return (
    sameOwner(x, a) &&
    x.ivrFlowId === a.ivrFlowId &&
    x.skillGroupId === a.skillGroupId &&
    x.callerIdPrefix === a.callerIdPrefix &&
    JSON.stringify(x.callingRules) === JSON.stringify(a.callingRules)
  );
}
