/**
 * The API's read-only view of the contact-center platform: the enterprise's instances, and
 * whether a binding names things that exist there. An unreachable platform is a 503 (nothing is
 * started on a guess); its other refusals pass on as they are.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../config';
import { contactCenterClient } from '../activities';
import {
  CONTACT_CENTER_FAILURES,
  createContactCenterActivities,
  type ContactCenterActivities,
} from '../activities/contact-center';
import type { InstanceSummary } from '../domain/contact-center';
import { HttpProblem } from './problem';

export type ContactCenterLookups = Pick<ContactCenterActivities, 'listInstances' | 'resolveBinding'>;

async function orUnavailable<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === CONTACT_CENTER_FAILURES.unavailable) {
      throw new HttpProblem(
        503,
        'Contact center unavailable',
        'the contact-center platform did not answer; try again shortly',
      );
    }
    throw err;
  }
}

export function contactCenterLookups(config: Config): ContactCenterLookups {
  const cc = createContactCenterActivities(contactCenterClient(config));
  return {
    listInstances: (enterpriseId) => orUnavailable(() => cc.listInstances(enterpriseId)),
    resolveBinding: (input) => orUnavailable(() => cc.resolveBinding(input)),
  };
}

/** The enterprise's instances as `GET /v1/enterprises/{id}/instances` lists them. */
export async function instancesOf(
  lookups: ContactCenterLookups,
  enterpriseId: string,
): Promise<{ items: InstanceSummary[] }> {
  const items = (await lookups.listInstances(enterpriseId)).map((i) => ({
    instanceId: i.instanceId,
    centerName: i.centerName,
    status: i.status,
    admin: { name: i.admin.name, email: i.admin.email },
    defaults: i.defaults,
    createdAt: i.createdAt,
  }));
  return { items };
}
