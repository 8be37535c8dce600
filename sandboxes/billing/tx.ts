/**
 * A change of `BillingData` in progress, and what the back office's operations share.
 *
 * Each operation runs synchronously inside one store update: it checks everything first and
 * throws a ProblemError for a refusal, and only then changes state, so a refusal changes nothing.
 */
import { ProblemError, unprocessable, type FieldError } from '../common/problem';
import type { BillingData, Customer } from './store';
import type { EventType } from './webhooks';

/** A change in progress: the data, its time, and what to do once it is stored. */
export interface Tx {
  data: BillingData;
  now: string;
  /** Records an event, delivered once the change is stored. Call last: it is a change too. */
  emit(type: EventType, resource: unknown): void;
  /** Runs once the change is stored (never for a replayed answer). */
  after(fn: () => void): void;
}

export type { Result } from '../common/idempotency';

/** Keeps the records whose fields equal every given filter. */
export function filterBy<T extends object>(
  records: Iterable<T>,
  filters: Partial<Record<keyof T, string | undefined>>,
): T[] {
  const active = Object.entries(filters).filter(([, value]) => value !== undefined) as [keyof T, string][];
  return [...records].filter((record) => active.every(([field, value]) => record[field] === value));
}

export function requireCustomer(data: BillingData, customerId: string): Customer {
  const customer = data.customers[customerId];
  if (!customer)
    throw unprocessable('the request names an unknown customer', [
      { path: 'customerId', message: `no customer ${customerId}` },
    ]);
  return customer;
}

export function insufficientBalance(balanceFen: number, amountFen: number, what: string): ProblemError {
  return new ProblemError(
    402,
    'insufficient-balance',
    'Insufficient balance',
    `${what} costs ${amountFen} fen, the balance is ${balanceFen} fen; nothing was charged`,
    undefined,
    {},
    // Not the key's final answer: the same key charges once the balance is topped up.
    { extensions: { balanceFen, amountFen, shortfallFen: amountFen - balanceFen }, remembered: false },
  );
}

export function conflictWith(kind: string, title: string, detail: string, errors: FieldError[]): ProblemError {
  return new ProblemError(409, kind, title, detail, errors);
}
