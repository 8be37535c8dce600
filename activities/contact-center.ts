/**
 * The contact-center platform: instances, their administrator, apps, IVR flows, skill groups,
 * and the numbers assigned to an instance with their bindings.
 *
 * Writes carry idempotency keys from the caller, so retries and worker crashes never repeat a
 * write. The client itself never retries: Temporal does, for 5xx, 408, 429 and timeouts; other
 * 4xx are final (non-retryable, typed). The administrator's password is generated, set and
 * emailed inside one activity and never returned.
 */
import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { toE164 } from '../domain/numbers';
import type { CallingRules } from '../domain/eligibility';
import type { EmailLedger } from '../storage/email-ledger';
import { generateSipPassword } from './sip-credentials';
import { HttpServiceClient, type HttpServiceDeps } from './http-client';

export type ContactCenterDeps = HttpServiceDeps;

export interface ContactCenterInstance {
  instanceId: string;
  enterpriseId: string;
  centerName: string;
  status: 'active' | 'suspended';
  admin: { name: string; email: string; passwordSet: boolean; passwordSetAt: string | null; passwordVersion: number };
  agreement: { version: string; acceptedAt: string };
  /** The app, IVR flow and skill group every instance starts with. */
  defaults: { appId: string; ivrFlowId: string; skillGroupId: string };
  createdAt: string;
  suspendedAt: string | null;
}

export interface NumberBinding {
  appId?: string;
  ivrFlowId?: string;
  skillGroupId?: string;
  callingRules?: CallingRules;
}

export interface AssignedNumber {
  /** E.164. */
  number: string;
  instanceId: string;
  enterpriseId: string;
  binding: {
    appId: string | null;
    ivrFlowId: string | null;
    skillGroupId: string | null;
    callingRules: CallingRules | null;
  };
  reference: string | null;
  assignedAt: string;
  updatedAt: string;
}

/** Failure types callers may branch on (`ApplicationFailure.type`). */
export const CONTACT_CENTER_FAILURES = {
  /** 5xx, 408, 429, no answer: retried. */
  unavailable: 'ContactCenterUnavailable',
  notFound: 'ContactCenterNotFound',
  centerNameTaken: 'CenterNameTaken',
  instanceSuspended: 'InstanceSuspended',
  numberAssignedElsewhere: 'NumberAssignedElsewhere',
  unknownReference: 'ContactCenterUnknownReference',
  /** Any other refusal (validation, reused idempotency key). */
  rejected: 'ContactCenterRejected',
} as const;

const FAILURE_BY_PROBLEM: Record<string, string> = {
  'not-found': CONTACT_CENTER_FAILURES.notFound,
  'center-name-taken': CONTACT_CENTER_FAILURES.centerNameTaken,
  'instance-suspended': CONTACT_CENTER_FAILURES.instanceSuspended,
  'number-assigned-elsewhere': CONTACT_CENTER_FAILURES.numberAssignedElsewhere,
  unprocessable: CONTACT_CENTER_FAILURES.unknownReference,
};

/** The platform's HTTP API; refusals become the typed failures above. */
export class ContactCenterClient extends HttpServiceClient {
  constructor(deps: ContactCenterDeps) {
    super('contact center', deps, {
      unavailable: (message) => ApplicationFailure.retryable(message, CONTACT_CENTER_FAILURES.unavailable),
      refused: ({ status, body, problem, message }) =>
        ApplicationFailure.create({
          type: FAILURE_BY_PROBLEM[problem] ?? CONTACT_CENTER_FAILURES.rejected,
          message,
          details: [{ status, body }],
          nonRetryable: true,
        }),
    });
  }
}

function isFailure(err: unknown, type: string): boolean {
  return err instanceof ApplicationFailure && err.type === type;
}

const seg = encodeURIComponent;

/** What a binding names that the platform lacks, one entry each, for the API's 422. */
export interface BindingProblem {
  field: 'instanceId' | 'appId' | 'ivrFlowId' | 'skillGroupId';
  id: string;
  code: 'instance-not-found' | 'instance-suspended' | 'app-not-found' | 'ivr-flow-not-found' | 'skill-group-not-found';
  message: string;
}

export type BindingResolution =
  { ok: true; instance: ContactCenterInstance } | { ok: false; problems: BindingProblem[] };

/** The platform's binding, in the shape of `NumberBinding` (absent rather than null). */
function bindingOf(assigned: AssignedNumber): NumberBinding {
  const b = assigned.binding;
  return {
    ...(b.appId !== null ? { appId: b.appId } : {}),
    ...(b.ivrFlowId !== null ? { ivrFlowId: b.ivrFlowId } : {}),
    ...(b.skillGroupId !== null ? { skillGroupId: b.skillGroupId } : {}),
    ...(b.callingRules !== null ? { callingRules: b.callingRules } : {}),
  };
}

/** Equal as JSON regardless of key order. */
function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
          )
        : value;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

export function createContactCenterActivities(client: ContactCenterClient) {
  async function getInstance(instanceId: string): Promise<ContactCenterInstance | null> {
    try {
      return await client.request<ContactCenterInstance>('GET', `/v1/instances/${seg(instanceId)}`);
    } catch (err) {
      if (isFailure(err, CONTACT_CENTER_FAILURES.notFound)) return null;
      throw err;
    }
  }

  async function exists(instanceId: string, path: string, id: string): Promise<boolean> {
    try {
      await client.request('GET', `/v1/instances/${seg(instanceId)}/${path}/${seg(id)}`);
      return true;
    } catch (err) {
      if (isFailure(err, CONTACT_CENTER_FAILURES.notFound)) return false;
      throw err;
    }
  }

  async function numbersOf(instanceId: string): Promise<AssignedNumber[]> {
    return (await client.request<{ items: AssignedNumber[] }>('GET', `/v1/instances/${seg(instanceId)}/numbers`)).items;
  }

  async function lookUpNumber(number: string): Promise<AssignedNumber | null> {
    try {
      return await client.request<AssignedNumber>('GET', `/v1/numbers/${seg(toE164(number))}`);
    } catch (err) {
      if (isFailure(err, CONTACT_CENTER_FAILURES.notFound)) return null;
      throw err;
    }
  }

  return {
    /**
     * Creates an instance with its default app, IVR flow and skill group. A second center of the
     * same name for the enterprise is refused (`CenterNameTaken`, with the existing instance id).
     */
    async createInstance(input: {
      enterpriseId: string;
      centerName: string;
      admin: { name: string; email: string };
      agreement: { version: string; acceptedAt: string };
      idempotencyKey: string;
    }): Promise<ContactCenterInstance> {
      const { idempotencyKey, ...body } = input;
      return client.request<ContactCenterInstance>('POST', '/v1/instances', { body, idempotencyKey });
    },

    /** Null when the platform has no such instance. */
    getInstance,

    async listInstances(enterpriseId: string): Promise<ContactCenterInstance[]> {
      return (
        await client.request<{ items: ContactCenterInstance[] }>(
          'GET',
          `/v1/instances?enterpriseId=${seg(enterpriseId)}`,
        )
      ).items;
    },

    /** Suspending a suspended instance is a no-op. */
    async suspendInstance(input: {
      instanceId: string;
      reason?: string;
      idempotencyKey: string;
    }): Promise<ContactCenterInstance> {
      return client.request<ContactCenterInstance>('POST', `/v1/instances/${seg(input.instanceId)}/suspend`, {
        body: input.reason ? { reason: input.reason } : {},
        idempotencyKey: input.idempotencyKey,
      });
    },

    /**
     * Whether the instance is the enterprise's own (another enterprise's reads as not found, as
     * to its owner it does not exist), active, and has the app, IVR flow and skill group named.
     */
    async resolveBinding(input: {
      enterpriseId: string;
      instanceId: string;
      appId?: string;
      ivrFlowId?: string;
      skillGroupId?: string;
    }): Promise<BindingResolution> {
      const instance = await getInstance(input.instanceId);
      if (!instance || instance.enterpriseId !== input.enterpriseId) {
        return {
          ok: false,
          problems: [
            {
              field: 'instanceId',
              id: input.instanceId,
              code: 'instance-not-found',
              message: `no contact-center instance ${input.instanceId} of enterprise ${input.enterpriseId}`,
            },
          ],
        };
      }
      const problems: BindingProblem[] = [];
      if (instance.status !== 'active') {
        problems.push({
          field: 'instanceId',
          id: input.instanceId,
          code: 'instance-suspended',
          message: `instance ${input.instanceId} is suspended`,
        });
      }
      const checks = [
        { field: 'appId', id: input.appId, path: 'apps', code: 'app-not-found', what: 'app' },
        { field: 'ivrFlowId', id: input.ivrFlowId, path: 'ivr-flows', code: 'ivr-flow-not-found', what: 'IVR flow' },
        {
          field: 'skillGroupId',
          id: input.skillGroupId,
          path: 'skill-groups',
          code: 'skill-group-not-found',
          what: 'skill group',
        },
      ] as const;
      const found = await Promise.all(
        checks.map((c) => (c.id === undefined ? true : exists(input.instanceId, c.path, c.id))),
      );
      checks.forEach((c, i) => {
        if (c.id !== undefined && !found[i])
          problems.push({
            field: c.field,
            id: c.id,
            code: c.code,
            message: `no ${c.what} ${c.id} in instance ${input.instanceId}`,
          });
      });
      return problems.length ? { ok: false, problems } : { ok: true, instance };
    },

    /**
     * Assigns the numbers to the instance with the binding. Numbers already there with this
     * binding are left alone (nothing is written when all are); ones there with another binding
     * take this one. A number on another instance fails the whole call (`NumberAssignedElsewhere`).
     */
    async assignNumbers(input: {
      instanceId: string;
      numbers: string[];
      binding?: NumberBinding;
      reference?: string;
      idempotencyKey: string;
    }): Promise<{
      assigned: string[];
      rebound: string[];
      unchanged: string[];
    }> {
      const numbers = input.numbers.map(toE164);
      const binding = input.binding ?? {};
      const current = new Map((await numbersOf(input.instanceId)).map((n) => [n.number, n]));
      const unchanged = numbers.filter((n) => {
        const here = current.get(n);
        return here !== undefined && sameJson(bindingOf(here), binding);
      });
      if (unchanged.length === numbers.length) return { assigned: [], rebound: [], unchanged };
      // Always the whole set: the body, and so the key's request, is the same on every retry.
      await client.request('POST', `/v1/instances/${seg(input.instanceId)}/numbers`, {
        body: { numbers, binding, ...(input.reference ? { reference: input.reference } : {}) },
        idempotencyKey: input.idempotencyKey,
      });
      return {
        assigned: numbers.filter((n) => !current.has(n)),
        rebound: numbers.filter((n) => current.has(n) && !unchanged.includes(n)),
        unchanged,
      };
    },

    /** Unassigns the numbers from the instance; ones not assigned to it are left alone. */
    async unassignNumbers(input: {
      instanceId: string;
      numbers: string[];
      idempotencyKey: string;
    }): Promise<{ removed: string[]; absent: string[] }> {
      const removed: string[] = [];
      const absent: string[] = [];
      for (const number of input.numbers.map(toE164)) {
        const assigned = await lookUpNumber(number);
        if (!assigned || assigned.instanceId !== input.instanceId) {
          absent.push(number);
          continue;
        }
        try {
          await client.request('DELETE', `/v1/instances/${seg(input.instanceId)}/numbers/${seg(number)}`, {
            idempotencyKey: `${input.idempotencyKey}/${number}`,
          });
          removed.push(number);
        } catch (err) {
          // Unassigned meanwhile: the outcome wanted.
          if (!isFailure(err, CONTACT_CENTER_FAILURES.notFound)) throw err;
          absent.push(number);
        }
      }
      return { removed, absent };
    },

    /** The number's assignment and binding, or null when it is assigned nowhere. */
    lookUpNumber,

    async listNumbers(instanceId: string): Promise<AssignedNumber[]> {
      return numbersOf(instanceId);
    },
  };
}

export type ContactCenterActivities = ReturnType<typeof createContactCenterActivities>;

/**
 * The platform's writes as the worker registers them: prefixed, since the SBC's activities have
 * their own `assignNumbers` and `unassignNumbers`.
 */
export function createPlatformActivities(client: ContactCenterClient) {
  const cc = createContactCenterActivities(client);
  return {
    platformCreateInstance: cc.createInstance,
    platformAssignNumbers: cc.assignNumbers,
    platformUnassignNumbers: cc.unassignNumbers,
    /**
     * Undoes a creation whose answer the case may never have seen: the enterprise's instance of
     * that center name, if any, is suspended. Nothing there: nothing to do.
     */
    async platformWithdrawInstance(input: {
      enterpriseId: string;
      centerName: string;
      reason: string;
      idempotencyKey: string;
    }): Promise<string> {
      const instance = (await cc.listInstances(input.enterpriseId)).find(
        (i) => centerNameKey(i.centerName) === centerNameKey(input.centerName),
      );
      if (!instance) return 'no instance was created';
      if (instance.status === 'suspended') return `instance ${instance.instanceId} already suspended`;
      await cc.suspendInstance({
        instanceId: instance.instanceId,
        reason: input.reason,
        idempotencyKey: input.idempotencyKey,
      });
      return `instance ${instance.instanceId} suspended`;
    },
  };
}

export type PlatformActivities = ReturnType<typeof createPlatformActivities>;

/** Center names compare as the platform compares them (one per enterprise). */
export function centerNameKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// The administrator's password

/** Letters and digits, at least one of each case and a digit, as the console requires. */
export function generateAdminPassword(length = 20): string {
  for (;;) {
    // Redrawn rather than patched, so every qualifying password stays equally likely.
    const password = generateSipPassword(length);
    if (/[a-z]/.test(password) && /[A-Z]/.test(password) && /\d/.test(password)) return password;
  }
}

/** The email that hands the password over; `sendEmail` renders it with its template. */
export interface AdminPasswordEmail {
  dedupKey: string;
  to: string;
  caseId: string;
  data: {
    caseId: string;
    centerName: string;
    adminName: string;
    /** The sign-in account. */
    adminEmail: string;
    password: string;
    consoleUrl: string;
    instanceId: string;
    /** 0 for the first password, n for the n-th re-issue. */
    reissue: number;
  };
  /** Recorded in the email ledger; never secrets. */
  meta: Record<string, string>;
}

export interface AdminPasswordDeps {
  client: ContactCenterClient;
  /** Sends once per `dedupKey` and records it in `ledger` with `meta`. */
  sendEmail: (email: AdminPasswordEmail) => Promise<unknown>;
  ledger: EmailLedger;
  /** Where the administrator signs in (CONTACT_CENTER_CONSOLE_URL). */
  consoleUrl: string;
}

export interface IssuedAdminPassword {
  instanceId: string;
  adminEmail: string;
  /** The platform's count of passwords set for the administrator; absent when delivered earlier. */
  passwordVersion?: number;
  passwordSetAt?: string;
  state: 'issued' | 'delivered-earlier';
}

export function createAdminPasswordActivities(deps: AdminPasswordDeps) {
  return {
    /**
     * Generates a password, sets it in the platform and emails it to the administrator with the
     * sign-in address. Returns no secret. The email ledger remembers the delivery, so a retry
     * after the email went out does not rotate the password the administrator already has; a
     * retry before it sets a fresh one (the earlier one was never seen by anyone).
     */
    async issueAdminPassword(input: {
      caseId: string;
      instanceId: string;
      /** Who the case says administers the instance; the platform must agree. */
      adminEmail: string;
      /** 0 for the first password, n for the n-th re-issue; each with its own `dedupKey`. */
      reissue: number;
      dedupKey: string;
    }): Promise<IssuedAdminPassword> {
      // One issuance at a time per email, on every worker: a second attempt (a retry after a
      // timeout) waits, then finds the delivery instead of setting a password no one receives.
      return deps.ledger.exclusive(input.dedupKey, async () => {
        const delivered = await deps.ledger.find(input.dedupKey);
        if (delivered) {
          return {
            instanceId: input.instanceId,
            adminEmail: delivered.meta?.adminEmail ?? input.adminEmail,
            state: 'delivered-earlier',
          };
        }
        const instance = await deps.client.request<ContactCenterInstance>(
          'GET',
          `/v1/instances/${seg(input.instanceId)}`,
        );
        if (instance.admin.email.toLowerCase() !== input.adminEmail.toLowerCase()) {
          throw ApplicationFailure.create({
            type: CONTACT_CENTER_FAILURES.rejected,
            message: `instance ${input.instanceId} is administered by another email than the case names; no password was set`,
            nonRetryable: true,
          });
        }
        const password = generateAdminPassword();
        // Every attempt sets a new password, so each is its own operation with its own key.
        const set = await deps.client.request<{ email: string; passwordVersion: number; passwordSetAt: string }>(
          'PUT',
          `/v1/instances/${seg(input.instanceId)}/admin/password`,
          { body: { password }, idempotencyKey: `${input.dedupKey}/set/${randomBytes(8).toString('hex')}` },
        );
        await deps.sendEmail({
          dedupKey: input.dedupKey,
          to: set.email,
          caseId: input.caseId,
          meta: { instanceId: input.instanceId, adminEmail: set.email, passwordVersion: String(set.passwordVersion) },
          data: {
            caseId: input.caseId,
            centerName: instance.centerName,
            adminName: instance.admin.name,
            adminEmail: set.email,
            password,
            consoleUrl: deps.consoleUrl,
            instanceId: input.instanceId,
            reissue: input.reissue,
          },
        });
        return {
          instanceId: input.instanceId,
          adminEmail: set.email,
          passwordVersion: set.passwordVersion,
          passwordSetAt: set.passwordSetAt,
          state: 'issued',
        };
      });
    },
  };
}

export type AdminPasswordActivities = ReturnType<typeof createAdminPasswordActivities>;
