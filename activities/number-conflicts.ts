/**
 * Whether numbers the inventory offers are already in service elsewhere: routed by the SBC to an
 * instance (a line brought in over a trunk or a registration, a number bought before), or, where
 * a lookup is given, in use on another platform (the contact center). Inventory and routing can
 * disagree (numbers ported in, records edited by hand); a purchase asks before anything is charged.
 */
import { formatNumber, toE164 } from '../domain/numbers';
import type { SipGateway } from './sip-gateway';

export interface NumberInService {
  /** The number as the inventory wrote it. */
  number: string;
  display: string;
  /** Which system has it in service, e.g. `sbc`. */
  where: string;
  /** Who has it there: an instance, with the case that put it there when known. */
  owner: string;
}

/** Another system's view of numbers in use, e.g. the contact-center platform's; `reference`'s own use is not a conflict. */
export type InServiceLookup = (numbers: string[], reference: string) => Promise<NumberInService[]>;

/** The contact-center platform as an `InServiceLookup`: a number bound to any instance there is in use. */
export function contactCenterInService(
  lookUpNumber: (number: string) => Promise<{ instanceId: string; reference: string | null } | null>,
): InServiceLookup {
  return async (numbers, reference) => {
    const found: NumberInService[] = [];
    for (const number of numbers) {
      const bound = await lookUpNumber(number);
      if (bound && bound.reference !== reference) {
        found.push({
          number,
          display: displayOf(number),
          where: 'contact center',
          owner: `instance ${bound.instanceId}${bound.reference ? ` (case ${bound.reference})` : ''}`,
        });
      }
    }
    return found;
  };
}

export interface NumberConflictDeps {
  gateway: Pick<SipGateway, 'assignments'>;
  /** Further places numbers can be in use; each is asked about every number. */
  elsewhere?: InServiceLookup[];
}

/** The forms a number may be written in by the systems asked (400 numbers are national in billing). */
function formsOf(number: string): string[] {
  let e164: string | undefined;
  try {
    e164 = toE164(number);
  } catch {
    e164 = undefined;
  }
  return [...new Set([number, ...(e164 ? [e164] : [])])];
}

function displayOf(number: string): string {
  try {
    return formatNumber(number);
  } catch {
    return number;
  }
}

export function createNumberConflictActivities(deps: NumberConflictDeps) {
  return {
    /**
     * The numbers among `numbers` already in service somewhere. Assignments made by `reference`
     * itself (a retried case) are its own, not a conflict.
     */
    async numbersInService(input: { numbers: string[]; reference: string }): Promise<NumberInService[]> {
      const found: NumberInService[] = [];
      for (const number of input.numbers) {
        for (const form of formsOf(number)) {
          const taken = (await deps.gateway.assignments({ number: form })).find((a) => a.reference !== input.reference);
          if (taken) {
            found.push({
              number,
              display: displayOf(number),
              where: 'sbc',
              owner: `instance ${taken.instanceId} (case ${taken.reference})`,
            });
            break;
          }
        }
      }
      for (const lookup of deps.elsewhere ?? []) {
        const seen = new Set(found.map((f) => f.number));
        for (const hit of await lookup(input.numbers, input.reference)) if (!seen.has(hit.number)) found.push(hit);
      }
      return found;
    },
  };
}

export type NumberConflictActivities = ReturnType<typeof createNumberConflictActivities>;
