/** Contact-center instances: created, listed, suspended, and checked as a binding's target. */
import { seg, type ContactCenterClient, type ContactCenterInstance } from './client';
import type { PlatformReads } from './reads';

/** What a binding names that the platform lacks, one entry each, for the API's 422. */
export interface BindingProblem {
  field: 'instanceId' | 'appId' | 'ivrFlowId' | 'skillGroupId';
  id: string;
  code: 'instance-not-found' | 'instance-suspended' | 'app-not-found' | 'ivr-flow-not-found' | 'skill-group-not-found';
  message: string;
}

export type BindingResolution =
  { ok: true; instance: ContactCenterInstance } | { ok: false; problems: BindingProblem[] };

export function createInstanceActivities(client: ContactCenterClient, reads: PlatformReads) {
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
    getInstance: reads.getInstance,

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
      const instance = await reads.getInstance(input.instanceId);
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
        checks.map((c) => (c.id === undefined ? true : reads.exists(input.instanceId, c.path, c.id))),
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
  };
}
