/** The numbers assigned to an instance, with their bindings (app, IVR flow, skill group, calling rules). */
import { toE164 } from '../../domain/numbers';
import {
  CONTACT_CENTER_FAILURES,
  isFailure,
  seg,
  type AssignedNumber,
  type ContactCenterClient,
  type NumberBinding,
} from './client';
import type { PlatformReads } from './reads';

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

export function createNumberActivities(client: ContactCenterClient, reads: PlatformReads) {
  return {
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
      const current = new Map((await reads.numbersOf(input.instanceId)).map((n) => [n.number, n]));
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
        const assigned = await reads.lookUpNumber(number);
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
    lookUpNumber: reads.lookUpNumber,

    async listNumbers(instanceId: string): Promise<AssignedNumber[]> {
      return reads.numbersOf(instanceId);
    },
  };
}
