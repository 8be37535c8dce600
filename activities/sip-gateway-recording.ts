/**
 * A SIP gateway that records assignments, allowlist entries and accounts in a JSON file: what
 * the development profile and tests use where no SBC runs. It enforces what a real SBC would (a
 * number serves one instance, an account name is unique within its instance), keeps only a hash
 * of account passwords, and observes nothing: there are no calls or registrations to see.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
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
  type CompleteSipGateway,
  type NumberAssignment,
  type Registration,
  type SipAccount,
  type SipTransport,
} from './sip-gateway';
import { generateSipPassword, hashPassword } from './sip-credentials';
import { DEFAULT_SIP_DOMAIN } from '../config';
import type { BlockedCallee } from '../domain/calling-rules';

export interface RecordedAccount {
  username: string;
  realm: string;
  instanceId: string;
  reference: string;
  /** scrypt; the password itself is never written. */
  passwordHash: string;
  createdAt: string;
  rotatedAt?: string;
}

export interface RecordedGateway {
  assignments: AssignedNumber[];
  allowlist: Omit<AllowlistEntry, 'state'>[];
  accounts: RecordedAccount[];
  blockedCallees: (BlockedCallee & { enterpriseId: string })[];
}

/** Reads the file, old (an array of assignments) or current format. */
export async function readRecord(file: string): Promise<RecordedGateway> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { assignments: [], allowlist: [], accounts: [], blockedCallees: [] };
    throw err;
  }
  if (Array.isArray(parsed))
    return { assignments: parsed as AssignedNumber[], allowlist: [], accounts: [], blockedCallees: [] };
  const r = parsed as Partial<RecordedGateway>;
  return {
    assignments: r.assignments ?? [],
    allowlist: r.allowlist ?? [],
    accounts: r.accounts ?? [],
    blockedCallees: r.blockedCallees ?? [],
  };
}

export class RecordingSipGateway implements CompleteSipGateway {
  readonly mode = 'recording';
  readonly observes = { calls: false, registrations: false };
  private queue: Promise<unknown> = Promise.resolve();
  private readonly sipDomain: string;

  constructor(
    private readonly file: string,
    options: { sipDomain?: string } = {},
  ) {
    this.sipDomain = (options.sipDomain ?? DEFAULT_SIP_DOMAIN).toLowerCase();
  }

  assignNumbers(a: NumberAssignment): Promise<AssignedNumber[]> {
    return this.change((record) => {
      const rows = record.assignments;
      for (const number of a.numbers) {
        const existing = rows.find((r) => r.number === number);
        if (existing && existing.reference !== a.reference)
          throw numberTaken(number, `instance ${existing.instanceId}, case ${existing.reference}`);
      }
      const at = new Date().toISOString();
      const { numbers, ...rest } = a;
      const kept = rows.filter((r) => !numbers.includes(r.number));
      const added = numbers.map((number) => ({
        ...rest,
        number,
        assignedAt: rows.find((r) => r.number === number)?.assignedAt ?? at,
      }));
      record.assignments = [...kept, ...added];
      return added;
    });
  }

  unassignNumbers(input: { numbers: string[]; reference: string }): Promise<{ removed: string[] }> {
    return this.change((record) => {
      const removed = record.assignments
        .filter((r) => input.numbers.includes(r.number) && r.reference === input.reference)
        .map((r) => r.number);
      record.assignments = record.assignments.filter((r) => !removed.includes(r.number));
      return { removed };
    });
  }

  async assignments(filter: { instanceId?: string; number?: string } = {}): Promise<AssignedNumber[]> {
    await this.queue;
    return (await readRecord(this.file)).assignments.filter(
      (r) =>
        (!filter.instanceId || r.instanceId === filter.instanceId) && (!filter.number || r.number === filter.number),
    );
  }

  async allowGateway(input: {
    ip: string;
    port: number;
    transport?: SipTransport;
    reference: string;
  }): Promise<AllowlistEntry> {
    checkGatewayAddress(input);
    const entry = {
      ip: input.ip.toLowerCase(),
      port: input.port,
      transport: input.transport ?? 'udp',
      reference: input.reference,
    };
    return this.change((record) => {
      const existing = record.allowlist.find(
        (e) =>
          e.ip === entry.ip &&
          e.port === entry.port &&
          e.transport === entry.transport &&
          e.reference === entry.reference,
      );
      if (existing) return { ...existing, state: 'recorded' as const };
      const added = { ...entry, since: new Date().toISOString() };
      record.allowlist.push(added);
      return { ...added, state: 'recorded' as const };
    });
  }

  async disallowGateway(input: {
    ip: string;
    port: number;
    reference: string;
  }): Promise<{ removed: number; state: 'recorded' }> {
    checkGatewayAddress(input);
    return this.change((record) => {
      const keep = record.allowlist.filter(
        (e) => !(e.ip === input.ip.toLowerCase() && e.port === input.port && e.reference === input.reference),
      );
      const removed = record.allowlist.length - keep.length;
      record.allowlist = keep;
      return { removed, state: 'recorded' as const };
    });
  }

  async allowlist(filter: { reference?: string; ip?: string } = {}): Promise<AllowlistEntry[]> {
    await this.queue;
    return (await readRecord(this.file)).allowlist
      .filter(
        (e) =>
          (!filter.reference || e.reference === filter.reference) && (!filter.ip || e.ip === filter.ip.toLowerCase()),
      )
      .map((e) => ({ ...e, state: 'recorded' as const }));
  }

  async createAccount(input: { instanceId: string; reference: string }): Promise<SipAccount> {
    checkInstanceId(input.instanceId);
    checkReference(input.reference);
    const realm = `${input.instanceId.toLowerCase()}.${this.sipDomain}`;
    const password = generateSipPassword();
    return this.change((record) => {
      const now = new Date().toISOString();
      const mine = record.accounts.find((a) => a.realm === realm && a.reference === input.reference);
      if (mine) {
        // A replay: issue a new password, as the first one may never have reached anyone.
        mine.passwordHash = hashPassword(password);
        mine.rotatedAt = now;
        return { username: mine.username, realm, password, state: 'recorded' as const };
      }
      const username = nextGatewayUsername(record.accounts.filter((a) => a.realm === realm).map((a) => a.username));
      record.accounts.push({
        username,
        realm,
        instanceId: input.instanceId,
        reference: input.reference,
        passwordHash: hashPassword(password),
        createdAt: now,
      });
      return { username, realm, password, state: 'recorded' as const };
    });
  }

  async rotateAccount(ref: AccountRef): Promise<SipAccount> {
    const password = generateSipPassword();
    return this.change((record) => {
      const account = record.accounts.find((a) => a.username === ref.username && a.realm === ref.realm);
      if (!account) throw accountNotFound(ref);
      account.passwordHash = hashPassword(password);
      account.rotatedAt = new Date().toISOString();
      return { username: ref.username, realm: ref.realm, password, state: 'recorded' as const };
    });
  }

  deleteAccount(ref: AccountRef): Promise<{ deleted: boolean; state: 'recorded' }> {
    return this.change((record) => {
      const before = record.accounts.length;
      record.accounts = record.accounts.filter((a) => !(a.username === ref.username && a.realm === ref.realm));
      return { deleted: record.accounts.length < before, state: 'recorded' as const };
    });
  }

  deleteAccountsOf(input: { reference: string }): Promise<{ deleted: AccountRef[]; state: 'recorded' }> {
    return this.change((record) => {
      const deleted = record.accounts
        .filter((a) => a.reference === input.reference)
        .map((a) => ({ username: a.username, realm: a.realm }));
      record.accounts = record.accounts.filter((a) => a.reference !== input.reference);
      return { deleted, state: 'recorded' as const };
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

  async blockedCallees(input: { enterpriseId: string }): Promise<BlockedCallee[]> {
    await this.queue;
    return (await readRecord(this.file)).blockedCallees
      .filter((b) => b.enterpriseId === input.enterpriseId)
      .map(({ enterpriseId: _e, ...entry }) => entry);
  }

  blockCallee(input: { enterpriseId: string } & BlockedCallee): Promise<{ entry: BlockedCallee; created: boolean }> {
    return this.change((record) => {
      const existing = record.blockedCallees.find(
        (b) => b.enterpriseId === input.enterpriseId && b.number === input.number,
      );
      const { enterpriseId: _e, ...entry } = existing ?? input;
      if (!existing) record.blockedCallees.push({ ...input });
      return { entry, created: !existing };
    });
  }

  unblockCallee(input: { enterpriseId: string; number: string }): Promise<{ removed: boolean }> {
    return this.change((record) => {
      const before = record.blockedCallees.length;
      record.blockedCallees = record.blockedCallees.filter(
        (b) => !(b.enterpriseId === input.enterpriseId && b.number === input.number),
      );
      return { removed: record.blockedCallees.length < before };
    });
  }

  /** Serialised read-modify-write, written atomically. */
  private change<T>(fn: (record: RecordedGateway) => T): Promise<T> {
    const run = this.queue.then(async () => {
      const record = await readRecord(this.file);
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
