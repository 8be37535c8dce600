/**
 * A SIP gateway that records assignments, allowlist entries and accounts in a JSON file: what
 * the development profile and tests use where no SBC runs. It enforces what a real SBC would (a
 * number serves one instance, an account name is unique within its instance), keeps only a hash
 * of account passwords, and observes nothing: there are no calls or registrations to see.
 */
import { DEFAULT_SIP_DOMAIN } from '../config';
import {
  checkGatewayAddress,
  type AllowlistEntry,
  type AssignedNumber,
  type CompleteSipGateway,
  type GatewayEntry,
} from './sip-gateway';
import { hashPassword } from './sip-credentials';
import { FileSipGateway, withDefaults, type FileAccount, type FileRecord } from './sip-gateway-file';

export type RecordedGateway = FileRecord;

/** Reads the file, old (an array of assignments) or current format. */
export function recordOf(parsed: unknown): RecordedGateway {
  if (Array.isArray(parsed)) return withDefaults({ assignments: parsed as AssignedNumber[] }, {});
  return withDefaults(parsed as Partial<RecordedGateway>, {});
}

export class RecordingSipGateway extends FileSipGateway<RecordedGateway> implements CompleteSipGateway {
  readonly mode = 'recording';

  constructor(file: string, options: { sipDomain?: string } = {}) {
    super(file, options.sipDomain ?? DEFAULT_SIP_DOMAIN);
  }

  protected parse(json: unknown): RecordedGateway {
    return recordOf(json);
  }

  /** The file is all there is: nothing for anyone to do. */
  protected request(): undefined {
    return undefined;
  }

  protected stateOf(): 'recorded' {
    return 'recorded';
  }

  allowGateway(input: GatewayEntry): Promise<AllowlistEntry> {
    return this.allowEntry(input);
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

  protected readonly writeState = 'recorded' as const;

  protected setPassword(_r: RecordedGateway, account: FileAccount, password: string): void {
    const now = new Date().toISOString();
    account.passwordHash = hashPassword(password);
    if (account.createdAt) account.rotatedAt = now;
    else account.createdAt = now;
  }
}
