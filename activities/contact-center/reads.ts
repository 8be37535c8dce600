/** What the platform's activities look up: an instance, one of its parts, its numbers, a number. */
import { toE164 } from '../../domain/numbers';
import {
  CONTACT_CENTER_FAILURES,
  isFailure,
  seg,
  type AssignedNumber,
  type ContactCenterClient,
  type ContactCenterInstance,
} from './client';

/** Lookups where "not found" is an answer (null, false), not a failure. */
export function platformReads(client: ContactCenterClient) {
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

  return { getInstance, exists, numbersOf, lookUpNumber };
}

export type PlatformReads = ReturnType<typeof platformReads>;
