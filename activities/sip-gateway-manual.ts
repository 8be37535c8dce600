/**
 * The SIP gateway for a provider SBC without an API: every write becomes a change request for a
 * person to carry out on the SBC, kept in a JSON file. Nothing here is in effect until someone
 * marks its change applied, and reads say so (`pending-manual`); calls and registrations cannot
 * be observed at all.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import {
  checkAllowable,
  checkGatewayAddress,
  type AllowlistEntry,
  type ChangeState,
  type CompleteSipGateway,
  type GatewayEntry,
} from './sip-gateway';
import { sipDigests } from './sip-credentials';
import { FileSipGateway, withDefaults, type FileAccount, type FileRecord } from './sip-gateway-file';

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

interface ManualRecord extends FileRecord {
  changes: ManualChange[];
}

export class ManualSipGateway extends FileSipGateway<ManualRecord> implements CompleteSipGateway {
  readonly mode = 'manual';
  protected readonly writeState = 'pending-manual' as const;
  private readonly forbiddenAddresses: string[];

  constructor(
    file: string,
    /** `forbiddenAddresses`: the provider's own (`providerAddresses`), never allowlisted as a gateway. */
    options: { sipDomain: string; forbiddenAddresses?: string[] },
  ) {
    super(file, options.sipDomain);
    this.forbiddenAddresses = options.forbiddenAddresses ?? [];
  }

  protected parse(json: unknown): ManualRecord {
    const r = (json ?? {}) as Partial<ManualRecord>;
    return withDefaults<ManualRecord>(r, { changes: r.changes ?? [] });
  }

  // --- the operator's side -------------------------------------------------------------------

  async changes(filter: { status?: ManualChange['status'] } = {}): Promise<ManualChange[]> {
    return (await this.snapshot()).changes.filter((c) => !filter.status || c.status === filter.status);
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

  // --- allowlist -----------------------------------------------------------------------------

  async allowGateway(input: GatewayEntry): Promise<AllowlistEntry> {
    checkGatewayAddress(input);
    checkAllowable(input.ip, this.forbiddenAddresses);
    return this.allowEntry(input);
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

  // --- what a write means here ---------------------------------------------------------------

  /** Accounts go to a person as digests. */
  protected setPassword(
    r: ManualRecord,
    account: FileAccount,
    password: string,
    action: 'create-account' | 'rotate-account',
  ): void {
    account.changeId = this.request(r, action, account.reference, {
      username: account.username,
      realm: account.realm,
      ...sipDigests(account.username, account.realm, password),
    });
  }

  protected request(
    r: ManualRecord,
    action: string,
    reference: string | undefined,
    details: Record<string, unknown>,
  ): string {
    const change: ManualChange = {
      id: randomUUID(),
      action: action as ManualAction,
      reference,
      details,
      requestedAt: new Date().toISOString(),
      status: 'pending',
    };
    r.changes.push(change);
    return change.id;
  }

  protected stateOf(r: ManualRecord, changeId: string | undefined): ChangeState {
    return r.changes.find((c) => c.id === changeId)?.status === 'applied' ? 'live' : 'pending-manual';
  }
}
