/**
 * The number inventory: the provider's stock, suppliers' imported numbers, releases, the
 * quarantine of numbers in service elsewhere, and the operator's cancellation of released ones.
 */
import type { z } from 'zod';
import { conflict, notFound, type FieldError } from '../common/problem';
import type { BillingData, NumberRecord, Reservation } from './store';
import type {
  QuarantineInput,
  ReleaseQuarantineInput,
  importNumbersSchema,
  numbersQuerySchema,
  releaseNumbersSchema,
} from './schemas';
import { conflictWith, filterBy, requireCustomer, type Result, type Tx } from './tx';

export function byNumber(a: NumberRecord, b: NumberRecord): number {
  return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
}

export function listNumbers(data: Readonly<BillingData>, query: z.output<typeof numbersQuerySchema>): NumberRecord[] {
  return filterBy(Object.values(data.numbers), query).sort(byNumber);
}

export function makeAvailable(record: NumberRecord): void {
  record.status = 'available';
  delete record.reservationId;
  delete record.orderId;
  delete record.customerId;
}

export function freeReservedNumbers(data: BillingData, reservation: Reservation): void {
  for (const number of reservation.numbers) {
    const record = data.numbers[number];
    if (record?.status === 'reserved' && record.reservationId === reservation.id) makeAvailable(record);
  }
}

export function importNumbers(
  tx: Tx,
  input: z.output<typeof importNumbersSchema>,
): Result<{ customerId: string; reference: string; imported: string[]; unchanged: string[]; numbers: NumberRecord[] }> {
  const { data } = tx;
  const customer = requireCustomer(data, input.customerId);
  const errors: FieldError[] = [];
  const fresh: typeof input.numbers = [];
  const unchanged: string[] = [];
  input.numbers.forEach((item, i) => {
    const existing = data.numbers[item.number];
    if (!existing) fresh.push(item);
    else if (existing.status === 'imported' && existing.customerId === customer.id) unchanged.push(item.number);
    else if (existing.status === 'imported')
      errors.push({ path: `numbers.${i}.number`, message: `${item.number} was imported by another customer` });
    else
      errors.push({
        path: `numbers.${i}.number`,
        message: `${item.number} is in the provider's inventory (${existing.status})`,
      });
  });
  if (errors.length > 0)
    throw conflictWith('number-taken', 'Number taken', 'some numbers belong to someone else', errors);
  for (const item of fresh) {
    data.numbers[item.number] = {
      number: item.number,
      type: item.type,
      areaCode: item.areaCode ?? null,
      status: 'imported',
      customerId: customer.id,
      supplier: item.supplier ?? null,
      reference: input.reference,
    };
  }
  return {
    status: 200,
    body: {
      customerId: customer.id,
      reference: input.reference,
      imported: fresh.map((item) => item.number),
      unchanged,
      numbers: input.numbers.map((item) => data.numbers[item.number] as NumberRecord),
    },
  };
}

/** Ends the use of numbers: sold ones go back on sale, imported ones leave the inventory. */
export function releaseNumbers(
  tx: Tx,
  input: z.output<typeof releaseNumbersSchema>,
): Result<{ reference: string; released: string[]; removed: string[]; unchanged: string[] }> {
  const { data } = tx;
  const errors: FieldError[] = [];
  input.numbers.forEach((number, i) => {
    const record = data.numbers[number];
    if (record?.status === 'reserved') {
      const holder = record.orderId ? `order ${record.orderId}` : `reservation ${record.reservationId}`;
      errors.push({
        path: `numbers.${i}`,
        message: `${number} is held by ${holder}: release the reservation or void the order instead`,
      });
    }
  });
  if (errors.length > 0)
    throw conflictWith('number-held', 'Number held', 'some numbers are reserved, not sold', errors);
  const released: string[] = [];
  const removed: string[] = [];
  const unchanged: string[] = [];
  for (const number of new Set(input.numbers)) {
    const record = data.numbers[number];
    if (record?.status === 'sold') {
      // Off sale while the operator holds it: its customer may still recover it (seed 003 Q9).
      record.releasedFrom = { customerId: record.customerId ?? '', orderId: record.orderId ?? '', at: tx.now };
      record.status = 'released';
      delete record.customerId;
      delete record.orderId;
      released.push(number);
    } else if (record?.status === 'imported') {
      delete data.numbers[number];
      removed.push(number);
    } else {
      // Available already, or an imported number released before: nothing left to do.
      unchanged.push(number);
    }
  }
  return { status: 200, body: { reference: input.reference, released, removed, unchanged } };
}

export function getNumber(data: Readonly<BillingData>, number: string): NumberRecord {
  const record = data.numbers[number];
  if (!record) throw notFound('number', number);
  return record;
}

/**
 * Sets a number aside so it is never reserved or sold. Quarantining it again answers with the
 * quarantine already there (the first finder's reason stays). A number an order or a customer
 * holds is refused: that conflict is not the inventory's to settle.
 */
export function quarantineNumber(tx: Tx, number: string, input: QuarantineInput): Result<NumberRecord> {
  const record = getNumber(tx.data, number);
  if (record.status === 'quarantined') return { status: 200, body: record };
  if (record.status === 'sold' || record.status === 'imported' || record.orderId !== undefined) {
    const holder = record.orderId ? `order ${record.orderId}` : `customer ${record.customerId}`;
    throw conflict(
      'number-held',
      'Number held',
      `${number} is ${record.status} (${holder}); only available or reserved numbers are quarantined`,
    );
  }
  // A reservation that listed it keeps the entry, but no longer holds the number.
  record.status = 'quarantined';
  delete record.reservationId;
  delete record.customerId;
  record.quarantine = { reason: input.reason, reference: input.reference, at: tx.now };
  return { status: 200, body: record };
}

/** Returns a quarantined number to sale, recording who and why beside the quarantine it ends. */
export function releaseQuarantine(tx: Tx, number: string, input: ReleaseQuarantineInput): Result<NumberRecord> {
  const record = getNumber(tx.data, number);
  if (record.status !== 'quarantined' || !record.quarantine) {
    throw conflict('not-quarantined', 'Not quarantined', `${number} is ${record.status}, not quarantined`);
  }
  record.quarantineHistory = [
    ...(record.quarantineHistory ?? []),
    { ...record.quarantine, releasedAt: tx.now, releasedBy: input.by, releaseReason: input.reason },
  ];
  delete record.quarantine;
  makeAvailable(record);
  return { status: 200, body: record };
}

/** The operator cancels a released number: it can no longer be recovered, nor sold. */
export function cancelByOperator(tx: Tx, number: string): Result<NumberRecord> {
  const record = getNumber(tx.data, number);
  if (record.status === 'cancelled') return { status: 200, body: record };
  if (record.status !== 'released' || !record.releasedFrom)
    throw conflict(
      'not-released',
      'Not released',
      `${number} is ${record.status}; only released numbers are cancelled`,
    );
  record.status = 'cancelled';
  record.releasedFrom.cancelledAt = tx.now;
  return { status: 200, body: record };
}
