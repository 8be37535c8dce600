/**
 * The contact-center platform: instances, their administrator, apps, IVR flows, skill groups,
 * and the numbers assigned to an instance with their bindings.
 *
 * Writes carry idempotency keys from the caller, so retries and worker crashes never repeat a
 * write. The client itself never retries: Temporal does, for 5xx, 408, 429 and timeouts; other
 * 4xx are final (non-retryable, typed). The administrator's password is generated, set and
 * emailed inside one activity and never returned.
 */
import type { ContactCenterClient } from './contact-center/client';
import { createInstanceActivities } from './contact-center/instances';
import { createNumberActivities } from './contact-center/numbers';
import { platformReads } from './contact-center/reads';

export type { BindingProblem, BindingResolution } from './contact-center/instances';

export {
  CONTACT_CENTER_FAILURES,
  ContactCenterClient,
  type AssignedNumber,
  type ContactCenterDeps,
  type ContactCenterInstance,
  type NumberBinding,
} from './contact-center/client';
export {
  createAdminPasswordActivities,
  generateAdminPassword,
  type AdminPasswordActivities,
  type AdminPasswordDeps,
  type AdminPasswordEmail,
  type IssuedAdminPassword,
} from './contact-center/admin-password';

/** The platform's activities, one module per concern under `contact-center/`. */
export function createContactCenterActivities(client: ContactCenterClient) {
  const reads = platformReads(client);
  return { ...createInstanceActivities(client, reads), ...createNumberActivities(client, reads) };
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
