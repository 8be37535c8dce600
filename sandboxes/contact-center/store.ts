/**
 * The contact-center sandbox's state: one JSON file, held in memory, rewritten after every change.
 *
 * Changes happen synchronously inside `update()`, so a handler's read-check-write cannot
 * interleave with another request's; the file is then written atomically (temp file + rename),
 * one write at a time. Administrator passwords are kept only as salted scrypt hashes.
 */
import { randomBytes } from 'node:crypto';
import { JsonFileStore, completeData, prefixedId, readStoreFile } from '../common/json-store';
import type { Collections, ProtocolData } from '../common/json-store';

export const DATA_VERSION = 1;

export type InstanceStatus = 'active' | 'suspended';

export interface Administrator {
  name: string;
  /** Also the console sign-in account. */
  email: string;
  /** `scrypt$<salt>$<hash>`; null until a password is set. Never leaves the store. */
  passwordHash: string | null;
  passwordSetAt: string | null;
  /** How many times a password was set: 1 after the first, n after n-1 resets. */
  passwordVersion: number;
}

export interface Instance {
  /** `cc-<hex>`: lower-case letters, digits and hyphens, usable in a SIP realm. */
  instanceId: string;
  enterpriseId: string;
  centerName: string;
  status: InstanceStatus;
  admin: Administrator;
  agreement: { version: string; acceptedAt: string };
  createdAt: string;
  updatedAt: string;
  suspendedAt: string | null;
  suspendReason: string | null;
}

export interface App {
  appId: string;
  instanceId: string;
  name: string;
  description: string | null;
  createdAt: string;
}

export interface IvrFlow {
  ivrFlowId: string;
  instanceId: string;
  name: string;
  /** The app whose calls the flow answers, when it is tied to one. */
  appId: string | null;
  createdAt: string;
}

export interface SkillGroup {
  skillGroupId: string;
  instanceId: string;
  name: string;
  createdAt: string;
}

/** Limits the platform applies to calls from a number (hours, per-callee limits, regions). */
export interface CallingRules {
  maxConcurrentCalls?: number;
  callingHours?: { from: string; to: string }[];
  perCalleeDailyLimit?: number | { min: number; max: number };
  perCalleeCountedOn?: 'rung-or-answered' | 'answered';
  noCallingPastComplainants?: boolean;
  noBlindCalling?: boolean;
  blindRegions?: string[];
}

export interface NumberBinding {
  appId: string | null;
  ivrFlowId: string | null;
  skillGroupId: string | null;
  callingRules: CallingRules | null;
}

export interface NumberAssignment {
  /** E.164, e.g. `+862066240001`, `+864008200001`. */
  number: string;
  instanceId: string;
  enterpriseId: string;
  binding: NumberBinding;
  /** The caller's own reference for the assignment (e.g. the case), if it gave one. */
  reference: string | null;
  assignedAt: string;
  updatedAt: string;
}

export interface ContactCenterData
  extends
    ProtocolData,
    Collections<{
      instances: Instance;
      /** Keyed `<instanceId>/<appId>`, and likewise below: ids are unique within an instance. */
      apps: App;
      ivrFlows: IvrFlow;
      skillGroups: SkillGroup;
      /** Keyed by the E.164 number. */
      numbers: NumberAssignment;
    }> {
  /** Salt for fingerprinting bodies that carry secrets; made once per file. */
  fingerprintSalt: string;
}

/** `cc-3f9a…`, `app-…`: lower-case and hyphenated, as instance ids appear in SIP realms. */
export const newId = (prefix: string): string => prefixedId(prefix, '-', 10);

export function childKey(instanceId: string, id: string): string {
  return `${instanceId}/${id}`;
}

/** The collections, each a map by id; collections missing from older files (or a new one) start empty. */
const COLLECTIONS: readonly (keyof ContactCenterData)[] = ['instances', 'apps', 'ivrFlows', 'skillGroups', 'numbers'];

function withCollections(data: Partial<ContactCenterData>): ContactCenterData {
  const salt = typeof data.fingerprintSalt === 'string' && data.fingerprintSalt ? data.fingerprintSalt : undefined;
  return completeData(data, DATA_VERSION, COLLECTIONS, { fingerprintSalt: salt ?? randomBytes(16).toString('base64') });
}

export class ContactCenterStore extends JsonFileStore<ContactCenterData> {
  /** Reads the file (a missing file is an empty store). A corrupt file is an error, never reset. */
  static load(file: string): ContactCenterStore {
    const stored = readStoreFile(file, 'contact-center sandbox', DATA_VERSION, withCollections);
    return new ContactCenterStore(stored.file, stored.data, 'contact-center sandbox');
  }
}
