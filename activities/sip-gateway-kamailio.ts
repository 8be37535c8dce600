/**
 * The SIP gateway on the product's own SBC (Kamailio, `sbc/`): writes go to its PostgreSQL
 * tables (address, subscriber, assignment), the allowlist is reloaded over JSON-RPC, and calls
 * and registrations are read from `acc` and from usrloc (`ul.lookup`). One module per concern
 * under `kamailio/`; this class is the gateway they make together.
 */
import pg from 'pg';
import type { BlockedCallee, BlockedCalleeChange } from '../domain/calling-rules';
import type {
  AccountRef,
  AccountRequest,
  AllowlistEntry,
  AnsweredCall,
  AssignedNumber,
  AssignmentPeriod,
  CallRecord,
  CallRecordFilter,
  CompleteSipGateway,
  GatewayEntry,
  NumberAssignment,
  Registration,
  SipAccount,
  UnblockRequest,
} from './sip-gateway';
import { KamailioAccounts } from './kamailio/accounts';
import { KamailioAllowlist } from './kamailio/allowlist';
import { KamailioBlockedCallees } from './kamailio/blocked-callees';
import { KamailioNumbers } from './kamailio/numbers';
import { KamailioObservation } from './kamailio/observation';
import { KamailioRpc } from './kamailio/rpc';

export { GATEWAY_GROUP } from './kamailio/allowlist';
export { KamailioRpc, RpcError } from './kamailio/rpc';

export interface KamailioSipGatewayOptions {
  pool: pg.Pool;
  rpcUrl: string;
  /** Realms are `<instanceId>.<sipDomain>`. */
  sipDomain: string;
  /** The zone of `acc.time` for rows without `time_unix` (the SBC's local time). */
  accTimeZone?: string;
  /** How long a reload may keep meeting "ongoing reload" before giving up (covers reload_delta). */
  reloadRetryMs?: number;
  /** Closes the pool on `close()` (when the gateway made it). */
  ownsPool?: boolean;
  /** The provider's own addresses (`providerAddresses`), never allowlisted as a gateway. */
  forbiddenAddresses?: string[];
}

export class KamailioSipGateway implements CompleteSipGateway {
  readonly mode = 'kamailio';
  readonly observes = { calls: true, registrations: true };
  readonly rpc: KamailioRpc;
  private readonly pool: pg.Pool;
  private readonly numbers: KamailioNumbers;
  private readonly blocked: KamailioBlockedCallees;
  private readonly addresses: KamailioAllowlist;
  private readonly accounts: KamailioAccounts;
  private readonly observation: KamailioObservation;

  constructor(private readonly options: KamailioSipGatewayOptions) {
    this.pool = options.pool;
    this.rpc = new KamailioRpc(options.rpcUrl);
    this.numbers = new KamailioNumbers(this.pool);
    this.blocked = new KamailioBlockedCallees(this.pool);
    this.addresses = new KamailioAllowlist(this.pool, this.rpc, options.reloadRetryMs ?? 15_000, options);
    this.accounts = new KamailioAccounts(this.pool, this.rpc, options.sipDomain.toLowerCase());
    this.observation = new KamailioObservation(this.pool, this.rpc, options.accTimeZone ?? 'UTC');
  }

  /** Reloads that met "ongoing reload" and were tried again (visible to tests and logs). */
  get reloadRetries(): number {
    return this.addresses.reloadRetries;
  }

  async close(): Promise<void> {
    if (this.options.ownsPool) await this.pool.end();
  }

  // --- numbers -------------------------------------------------------------------------------

  assignNumbers(a: NumberAssignment): Promise<AssignedNumber[]> {
    return this.numbers.assignNumbers(a);
  }

  unassignNumbers(input: { numbers: string[]; reference: string }): Promise<{ removed: string[] }> {
    return this.numbers.unassignNumbers(input);
  }

  /** The rules the SBC enforces on calls from `number` now, or null (not a number with rules). */
  callingRuleOf(number: string): Promise<Record<string, unknown> | null> {
    return this.numbers.callingRuleOf(number);
  }

  assignments(filter: { instanceId?: string; number?: string } = {}): Promise<AssignedNumber[]> {
    return this.numbers.assignments(filter);
  }

  // --- blocked callees -----------------------------------------------------------------------

  blockedCallees(input: { enterpriseId: string }): Promise<BlockedCallee[]> {
    return this.blocked.blockedCallees(input);
  }

  blockCallee(input: { enterpriseId: string } & BlockedCallee): Promise<{ entry: BlockedCallee; created: boolean }> {
    return this.blocked.blockCallee(input);
  }

  unblockCallee(input: UnblockRequest): Promise<{ removed: boolean; refused?: 'added-by-support' }> {
    return this.blocked.unblockCallee(input);
  }

  blockedCalleeChanges(input: { enterpriseId: string }): Promise<BlockedCalleeChange[]> {
    return this.blocked.blockedCalleeChanges(input);
  }

  // --- allowlist -----------------------------------------------------------------------------

  allowGateway(input: GatewayEntry): Promise<AllowlistEntry> {
    return this.addresses.allowGateway(input);
  }

  disallowGateway(input: { ip: string; port: number; reference: string }): Promise<{ removed: number; state: 'live' }> {
    return this.addresses.disallowGateway(input);
  }

  /** Rows in the database, each marked live only if the SBC's memory has it (addressDump). */
  allowlist(filter: { reference?: string; ip?: string } = {}): Promise<AllowlistEntry[]> {
    return this.addresses.allowlist(filter);
  }

  /** Reloads the SBC's allowlist from the database (calls made while one waits share it). */
  reloadAddresses(): Promise<void> {
    return this.addresses.reloadAddresses();
  }

  // --- accounts ------------------------------------------------------------------------------

  realmOf(instanceId: string): string {
    return this.accounts.realmOf(instanceId);
  }

  createAccount(input: AccountRequest): Promise<SipAccount> {
    return this.accounts.createAccount(input);
  }

  rotateAccount(ref: AccountRef): Promise<SipAccount> {
    return this.accounts.rotateAccount(ref);
  }

  deleteAccount(ref: AccountRef): Promise<{ deleted: boolean; state: 'live' }> {
    return this.accounts.deleteAccount(ref);
  }

  deleteAccountsOf(input: { reference: string }): Promise<{ deleted: AccountRef[]; state: 'live' }> {
    return this.accounts.deleteAccountsOf(input);
  }

  // --- observation ---------------------------------------------------------------------------

  registration(ref: AccountRef): Promise<Registration | null> {
    return this.observation.registration(ref);
  }

  callRecords(filter: CallRecordFilter): Promise<CallRecord[]> {
    return this.observation.callRecords(filter);
  }

  answeredCalls(range: { from: string; to: string }): Promise<AnsweredCall[]> {
    return this.observation.answeredCalls(range);
  }

  assignmentHistory(range: { from: string; to: string }): Promise<AssignmentPeriod[]> {
    return this.observation.assignmentHistory(range);
  }
}

/** The gateway with a pool of its own, from connection settings. */
export function kamailioGateway(settings: {
  databaseUrl: string;
  rpcUrl: string;
  sipDomain: string;
  accTimeZone?: string;
  forbiddenAddresses?: string[];
}): KamailioSipGateway {
  const pool = new pg.Pool({ connectionString: settings.databaseUrl, max: 4, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection must not take the worker down; the next query reconnects.
  pool.on('error', () => undefined);
  return new KamailioSipGateway({
    pool,
    rpcUrl: settings.rpcUrl,
    sipDomain: settings.sipDomain,
    accTimeZone: settings.accTimeZone,
    forbiddenAddresses: settings.forbiddenAddresses,
    ownsPool: true,
  });
}
