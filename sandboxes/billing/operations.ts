/**
 * The back office's business rules: number inventory, reservations, orders, charges and
 * invoices, as changes of `BillingData`.
 *
 * Each operation runs synchronously inside one store update: it checks everything first and
 * throws a ProblemError for a refusal, and only then changes state, so a refusal changes nothing.
 */
import { z } from 'zod';
import { NUMBER_TYPES, PRICES } from './catalog';
import { ProblemError, conflict, notFound, unprocessable, type FieldError } from '../common/problem';
import {
  newId,
  type BillingData,
  type Charge,
  type Customer,
  type Invoice,
  type LedgerEntry,
  type NumberRecord,
  type Order,
  type Reservation,
} from './store';
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

export interface Result<T> {
  status: number;
  body: T;
}

export const MAX_NUMBERS_PER_RESERVATION = 30;
export const DEFAULT_RESERVATION_TTL_SECONDS = 900;

const text = (max: number) => z.string().trim().min(1).max(max);
const id = text(100);
const reference = text(200);
const numberType = z.enum(NUMBER_TYPES);
const areaCode = z.string().regex(/^0\d{2,3}$/, 'an area code such as 020 or 0755');
const FIXED_LINE_E164 = /^\+86[1-9]\d{9,10}$/;
const TOLL_FREE_NATIONAL = /^400\d{7}$/;

/** Cross-field rules run even when single fields failed, so the answer lists every failing field. */
const always = { when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null };

export const createReservationSchema = z
  .strictObject({
    customerId: id,
    type: numberType,
    areaCode: areaCode.optional(),
    quantity: z.int().min(1).max(MAX_NUMBERS_PER_RESERVATION),
    ttlSeconds: z.int().min(30).max(86_400).default(DEFAULT_RESERVATION_TTL_SECONDS),
    reference,
  })
  .superRefine((body, ctx) => {
    if (body.type === 'fixed-line' && body.areaCode === undefined) {
      ctx.addIssue({ code: 'custom', path: ['areaCode'], message: 'required for fixed-line numbers' });
    }
    if (body.type === '400' && body.areaCode !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['areaCode'], message: '400 numbers have no area code' });
    }
  }, always);

export const createOrderSchema = z.strictObject({
  customerId: id,
  reservationId: id,
  prepaidMonths: z.int().min(1).max(36),
  applicationNote: z.string().trim().max(500).optional(),
  reference,
});

export const emptyBodySchema = z.strictObject({});

export const refundOrderSchema = z.strictObject({ reason: text(500) });

export const createChargeSchema = z.strictObject({
  customerId: id,
  amountFen: z.int().positive(),
  description: text(500),
  reference,
});

export const quarantineNumberSchema = z.strictObject({ reason: text(500), reference });

export const releaseQuarantineSchema = z.strictObject({ by: text(200), reason: text(500) });

export const recoveryOrderSchema = z.strictObject({
  customerId: id,
  prepaidMonths: z.int().min(1).max(36),
  reference,
});

export const releaseNumbersSchema = z.strictObject({
  numbers: z.array(text(20)).min(1).max(100),
  reference,
});

/** Suppliers' numbers come in more kinds than the provider's own stock. */
const IMPORTED_TYPES = [...NUMBER_TYPES, '95', 'mobile', 'virtual-mobile'] as const;
const OTHER_E164 = /^\+86\d{8,12}$/;

const importedNumberSchema = z
  .strictObject({
    number: z.string().trim(),
    type: z.enum(IMPORTED_TYPES),
    areaCode: areaCode.optional(),
    supplier: text(200).optional(),
  })
  .superRefine((item, ctx) => {
    if (item.type === 'fixed-line') {
      if (typeof item.number === 'string' && !FIXED_LINE_E164.test(item.number)) {
        ctx.addIssue({ code: 'custom', path: ['number'], message: 'a fixed line in E.164, e.g. +862066240001' });
      }
      if (item.areaCode === undefined) {
        ctx.addIssue({ code: 'custom', path: ['areaCode'], message: 'required for fixed-line numbers' });
      } else if (
        typeof item.number === 'string' &&
        FIXED_LINE_E164.test(item.number) &&
        !item.number.startsWith(`+86${item.areaCode.slice(1)}`)
      ) {
        ctx.addIssue({ code: 'custom', path: ['areaCode'], message: `does not match the number ${item.number}` });
      }
    }
    if (item.type === '400') {
      if (typeof item.number === 'string' && !TOLL_FREE_NATIONAL.test(item.number)) {
        ctx.addIssue({ code: 'custom', path: ['number'], message: 'a 400 number in national format, e.g. 4008001234' });
      }
      if (item.areaCode !== undefined)
        ctx.addIssue({ code: 'custom', path: ['areaCode'], message: '400 numbers have no area code' });
    }
    if (
      item.type !== 'fixed-line' &&
      item.type !== '400' &&
      typeof item.number === 'string' &&
      !OTHER_E164.test(item.number)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['number'],
        message: `a ${item.type} number in E.164, e.g. +8613800138000`,
      });
    }
  }, always);

export const importNumbersSchema = z
  .strictObject({
    customerId: id,
    numbers: z.array(importedNumberSchema).min(1).max(100),
    reference,
  })
  .superRefine((body, ctx) => {
    if (!Array.isArray(body.numbers)) return;
    const seen = new Set<string>();
    body.numbers.forEach((item, i) => {
      if (typeof item?.number !== 'string') return;
      if (seen.has(item.number))
        ctx.addIssue({ code: 'custom', path: ['numbers', i, 'number'], message: 'listed twice' });
      seen.add(item.number);
    });
  }, always);

export const createInvoiceSchema = z.strictObject({
  customerId: id,
  orderId: id,
  // Not trimmed: the title must be the customer's name exactly.
  title: z.string().min(1).max(200),
  itemisation: z.literal('by-consumption'),
  remark: z.string().trim().max(200).optional(),
  reference: reference.optional(),
});

const optionalFilter = z.string().optional();

export const numbersQuerySchema = z.strictObject({
  type: numberType.optional(),
  areaCode: optionalFilter,
  status: z.enum(['available', 'reserved', 'sold', 'imported', 'quarantined', 'released', 'cancelled']).optional(),
  customerId: optionalFilter,
});

export const reservationsQuerySchema = z.strictObject({
  customerId: optionalFilter,
  reference: optionalFilter,
  status: z.enum(['active', 'released', 'expired', 'ordered']).optional(),
});

export const ordersQuerySchema = z.strictObject({
  customerId: optionalFilter,
  reference: optionalFilter,
  status: z.enum(['unpaid', 'paid', 'void', 'refunded']).optional(),
});

export const chargesQuerySchema = z.strictObject({ customerId: optionalFilter, reference: optionalFilter });

export const invoicesQuerySchema = z.strictObject({
  customerId: optionalFilter,
  orderId: optionalFilter,
  status: z.enum(['requested', 'issued']).optional(),
});

/** Keeps the records whose fields equal every given filter. */
export function filterBy<T extends object>(
  records: Iterable<T>,
  filters: Partial<Record<keyof T, string | undefined>>,
): T[] {
  const active = Object.entries(filters).filter(([, value]) => value !== undefined) as [keyof T, string][];
  return [...records].filter((record) => active.every(([field, value]) => record[field] === value));
}

// ---------------------------------------------------------------------------------------------
// Inventory

function byNumber(a: NumberRecord, b: NumberRecord): number {
  return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
}

export function listNumbers(data: Readonly<BillingData>, query: z.output<typeof numbersQuerySchema>): NumberRecord[] {
  return filterBy(Object.values(data.numbers), query).sort(byNumber);
}

function makeAvailable(record: NumberRecord): void {
  record.status = 'available';
  delete record.reservationId;
  delete record.orderId;
  delete record.customerId;
}

export function hasExpiredReservations(data: Readonly<BillingData>, now: Date): boolean {
  const nowMs = now.getTime();
  return Object.values(data.reservations).some((r) => r.status === 'active' && Date.parse(r.expiresAt) <= nowMs);
}

/** Ends active reservations past their TTL and frees their numbers; run before any inventory read or write. */
export function expireReservations(data: BillingData, now: string): void {
  const nowMs = Date.parse(now);
  for (const reservation of Object.values(data.reservations)) {
    if (reservation.status !== 'active' || Date.parse(reservation.expiresAt) > nowMs) continue;
    reservation.status = 'expired';
    // The numbers were free from the moment the TTL ran out.
    reservation.releasedAt = reservation.expiresAt;
    freeReservedNumbers(data, reservation);
  }
}

function freeReservedNumbers(data: BillingData, reservation: Reservation): void {
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

// ---------------------------------------------------------------------------------------------
// Quarantine: numbers the inventory offers but that are in service elsewhere

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
export function quarantineNumber(
  tx: Tx,
  number: string,
  input: z.output<typeof quarantineNumberSchema>,
): Result<NumberRecord> {
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
export function releaseQuarantine(
  tx: Tx,
  number: string,
  input: z.output<typeof releaseQuarantineSchema>,
): Result<NumberRecord> {
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

// ---------------------------------------------------------------------------------------------
// Reservations

export function createReservation(tx: Tx, input: z.output<typeof createReservationSchema>): Result<Reservation> {
  const { data, now } = tx;
  const customer = requireCustomer(data, input.customerId);
  const area = input.type === 'fixed-line' ? (input.areaCode ?? null) : null;
  const free = Object.values(data.numbers)
    .filter((n) => n.status === 'available' && n.type === input.type && n.areaCode === area)
    .sort(byNumber);
  if (free.length < input.quantity) {
    const what = area ? `${input.type} numbers in ${area}` : `${input.type} numbers`;
    throw conflict(
      'insufficient-stock',
      'Insufficient stock',
      `${input.quantity} ${what} asked, ${free.length} available`,
      {
        extensions: { available: free.length, requested: input.quantity },
        remembered: false,
      },
    );
  }
  const reservation: Reservation = {
    id: newId('res'),
    customerId: customer.id,
    type: input.type,
    areaCode: area,
    numbers: free.slice(0, input.quantity).map((n) => n.number),
    status: 'active',
    expiresAt: new Date(Date.parse(now) + input.ttlSeconds * 1000).toISOString(),
    reference: input.reference,
    orderId: null,
    createdAt: now,
    releasedAt: null,
  };
  for (const record of free.slice(0, input.quantity)) {
    record.status = 'reserved';
    record.reservationId = reservation.id;
    record.customerId = customer.id;
  }
  data.reservations[reservation.id] = reservation;
  return { status: 201, body: reservation };
}

export function releaseReservation(tx: Tx, reservationId: string): Result<Reservation> {
  const { data, now } = tx;
  const reservation = data.reservations[reservationId];
  if (!reservation) throw notFound('reservation', reservationId);
  if (reservation.status === 'ordered') {
    throw conflict(
      'reservation-ordered',
      'Reservation ordered',
      `reservation ${reservation.id} became order ${reservation.orderId}: void the order instead`,
    );
  }
  // Released or expired already: the numbers are free, which is what was asked.
  if (reservation.status !== 'active') return { status: 200, body: reservation };
  reservation.status = 'released';
  reservation.releasedAt = now;
  freeReservedNumbers(data, reservation);
  return { status: 200, body: reservation };
}

// ---------------------------------------------------------------------------------------------
// Orders

export function createOrder(tx: Tx, input: z.output<typeof createOrderSchema>): Result<Order> {
  const { data, now } = tx;
  const errors: FieldError[] = [];
  const customer = data.customers[input.customerId];
  if (!customer) errors.push({ path: 'customerId', message: `no customer ${input.customerId}` });
  const reservation = data.reservations[input.reservationId];
  if (!reservation) errors.push({ path: 'reservationId', message: `no reservation ${input.reservationId}` });
  else if (customer && reservation.customerId !== customer.id)
    errors.push({ path: 'reservationId', message: `reservation ${reservation.id} belongs to another customer` });
  if (errors.length > 0 || !customer || !reservation) throw unprocessable('the order cannot be made', errors);
  if (reservation.status === 'ordered') {
    throw conflict(
      'reservation-ordered',
      'Reservation ordered',
      `reservation ${reservation.id} became order ${reservation.orderId} already`,
    );
  }
  if (reservation.status !== 'active') {
    const when =
      reservation.status === 'expired'
        ? `expired at ${reservation.expiresAt}`
        : `was released at ${reservation.releasedAt}`;
    throw conflict(
      'reservation-not-active',
      'Reservation not active',
      `reservation ${reservation.id} ${when}: reserve numbers again`,
    );
  }
  const quarantined = reservation.numbers.filter((n) => data.numbers[n]?.status === 'quarantined');
  if (quarantined.length > 0) {
    throw conflict(
      'number-quarantined',
      'Number quarantined',
      `reservation ${reservation.id} holds quarantined number(s) ${quarantined.join(', ')}: release it and reserve again`,
    );
  }
  const monthlyRentFen = PRICES[reservation.type].monthlyRentFen;
  const amountFen = monthlyRentFen * input.prepaidMonths * reservation.numbers.length;
  const id = newId('ord');
  const order: Order = {
    id,
    checkoutUrl: `/_sandbox/checkout/${id}`,
    customerId: customer.id,
    reservationId: reservation.id,
    numbers: [...reservation.numbers],
    type: reservation.type,
    areaCode: reservation.areaCode,
    prepaidMonths: input.prepaidMonths,
    monthlyRentFen,
    amountFen,
    status: 'unpaid',
    applicationNote: input.applicationNote || null,
    reference: input.reference,
    createdAt: now,
    paidAt: null,
    voidedAt: null,
    refundedAt: null,
    refundReason: null,
  };
  data.orders[order.id] = order;
  // Held for the order from now on: an ordered reservation no longer expires.
  reservation.status = 'ordered';
  reservation.orderId = order.id;
  for (const number of order.numbers) {
    const record = data.numbers[number];
    if (record) record.orderId = order.id;
  }
  return { status: 201, body: order };
}

function requireOrder(data: BillingData, orderId: string): Order {
  const order = data.orders[orderId];
  if (!order) throw notFound('order', orderId);
  return order;
}

function orderCustomer(data: BillingData, order: Order): Customer {
  const customer = data.customers[order.customerId];
  if (!customer)
    throw new ProblemError(
      500,
      'internal-error',
      'Internal error',
      `order ${order.id} has no customer ${order.customerId}`,
    );
  return customer;
}

function notPayable(order: Order): ProblemError {
  return conflict('order-not-payable', 'Order not payable', `order ${order.id} is ${order.status}`);
}

/** Pays an unpaid order from the balance; 402 with nothing changed when the balance is short. */
export function chargeOrder(tx: Tx, orderId: string): Result<Order> {
  const order = requireOrder(tx.data, orderId);
  if (order.status === 'paid') return { status: 200, body: order };
  if (order.status !== 'unpaid') throw notPayable(order);
  const customer = orderCustomer(tx.data, order);
  if (customer.balanceFen < order.amountFen)
    throw insufficientBalance(customer.balanceFen, order.amountFen, `order ${order.id}`);
  settle(tx, order, customer);
  return { status: 200, body: order };
}

/** The enterprise pays online: the shortfall arrives as a credit, then the order is charged. */
export function payOrderOnline(tx: Tx, orderId: string): Result<Order> {
  const order = requireOrder(tx.data, orderId);
  if (order.status === 'paid') return { status: 200, body: order };
  if (order.status !== 'unpaid') throw notPayable(order);
  const customer = orderCustomer(tx.data, order);
  const shortfallFen = order.amountFen - customer.balanceFen;
  if (shortfallFen > 0)
    addLedgerEntry(tx, customer, 'credit', shortfallFen, `online payment for order ${order.id}`, {});
  settle(tx, order, customer);
  return { status: 200, body: order };
}

function settle(tx: Tx, order: Order, customer: Customer): void {
  addLedgerEntry(tx, customer, 'debit', order.amountFen, `order ${order.id}`, { orderId: order.id });
  order.status = 'paid';
  order.paidAt = tx.now;
  for (const number of order.numbers) {
    const record = tx.data.numbers[number];
    if (record?.orderId !== order.id) continue;
    record.status = 'sold';
    record.customerId = order.customerId;
    delete record.reservationId;
  }
  tx.emit('order.paid', order);
}

export function voidOrder(tx: Tx, orderId: string): Result<Order> {
  const order = requireOrder(tx.data, orderId);
  if (order.status === 'void') return { status: 200, body: order };
  if (order.status !== 'unpaid') {
    throw conflict(
      'order-not-voidable',
      'Order not voidable',
      `order ${order.id} is ${order.status}; only unpaid orders are voided (paid ones are refunded)`,
    );
  }
  order.status = 'void';
  order.voidedAt = tx.now;
  freeOrderNumbers(tx.data, order);
  return { status: 200, body: order };
}

export function refundOrder(tx: Tx, orderId: string, input: z.output<typeof refundOrderSchema>): Result<Order> {
  const order = requireOrder(tx.data, orderId);
  if (order.status === 'refunded') return { status: 200, body: order };
  if (order.status !== 'paid') {
    throw conflict(
      'order-not-refundable',
      'Order not refundable',
      `order ${order.id} is ${order.status}; only paid orders are refunded`,
    );
  }
  const customer = orderCustomer(tx.data, order);
  addLedgerEntry(tx, customer, 'refund', order.amountFen, input.reason, { orderId: order.id });
  order.status = 'refunded';
  order.refundedAt = tx.now;
  order.refundReason = input.reason;
  freeOrderNumbers(tx.data, order);
  tx.emit('order.refunded', order);
  return { status: 200, body: order };
}

/**
 * Numbers still held by the order go back on sale (not ones released and resold meanwhile); a
 * recovery order's number goes back to released, where it was.
 */
function freeOrderNumbers(data: BillingData, order: Order): void {
  for (const number of order.numbers) {
    const record = data.numbers[number];
    if (record?.orderId !== order.id || (record.status !== 'reserved' && record.status !== 'sold')) continue;
    if (order.recovers && record.releasedFrom) {
      record.status = 'released';
      delete record.orderId;
      delete record.customerId;
    } else makeAvailable(record);
  }
}

// ---------------------------------------------------------------------------------------------
// Recovery of released numbers (seed 003 Q9) and the operator's cancellation

/**
 * An order that brings a released number back to the customer that held it: refused once the
 * operator has cancelled the number, or for anyone else. Paid, the number is sold again.
 */
export function createRecoveryOrder(
  tx: Tx,
  number: string,
  input: z.output<typeof recoveryOrderSchema>,
): Result<Order> {
  const { data, now } = tx;
  const record = getNumber(data, number);
  const customer = requireCustomer(data, input.customerId);
  if (record.status === 'cancelled')
    throw conflict(
      'number-cancelled',
      'Number cancelled',
      `${number} was cancelled by the operator at ${record.releasedFrom?.cancelledAt ?? 'an unknown time'}; it cannot be recovered`,
    );
  if (record.status !== 'released' || record.releasedFrom?.customerId !== customer.id)
    throw conflict(
      'not-recoverable',
      'Not recoverable',
      `${number} is ${record.status}, not released by this customer`,
    );
  const type = record.type as Order['type'];
  const monthlyRentFen = PRICES[type].monthlyRentFen;
  const orderId = newId('ord');
  const reservation: Reservation = {
    id: newId('res'),
    customerId: customer.id,
    type,
    areaCode: record.areaCode,
    numbers: [number],
    status: 'ordered',
    expiresAt: now,
    reference: input.reference,
    orderId,
    createdAt: now,
    releasedAt: null,
  };
  const order: Order = {
    id: orderId,
    checkoutUrl: `/_sandbox/checkout/${orderId}`,
    customerId: customer.id,
    reservationId: reservation.id,
    numbers: [number],
    type,
    areaCode: record.areaCode,
    prepaidMonths: input.prepaidMonths,
    monthlyRentFen,
    amountFen: monthlyRentFen * input.prepaidMonths,
    status: 'unpaid',
    applicationNote: `recovery of released number ${number}`,
    reference: input.reference,
    createdAt: now,
    paidAt: null,
    voidedAt: null,
    refundedAt: null,
    refundReason: null,
    recovers: number,
  };
  data.reservations[reservation.id] = reservation;
  data.orders[order.id] = order;
  record.status = 'reserved';
  record.orderId = order.id;
  record.customerId = customer.id;
  return { status: 201, body: order };
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

// ---------------------------------------------------------------------------------------------
// Charges

export function createCharge(tx: Tx, input: z.output<typeof createChargeSchema>): Result<Charge> {
  const customer = requireCustomer(tx.data, input.customerId);
  if (customer.balanceFen < input.amountFen)
    throw insufficientBalance(customer.balanceFen, input.amountFen, input.description);
  const charge: Charge = {
    id: newId('ch'),
    customerId: customer.id,
    amountFen: input.amountFen,
    description: input.description,
    reference: input.reference,
    status: 'succeeded',
    balanceAfterFen: customer.balanceFen - input.amountFen,
    createdAt: tx.now,
  };
  addLedgerEntry(tx, customer, 'debit', input.amountFen, input.description, { chargeId: charge.id });
  tx.data.charges[charge.id] = charge;
  return { status: 201, body: charge };
}

// ---------------------------------------------------------------------------------------------
// Invoices

export function createInvoice(tx: Tx, input: z.output<typeof createInvoiceSchema>): Result<Invoice> {
  const { data, now } = tx;
  const customer = requireCustomer(data, input.customerId);
  // The title is checked first: a wrong title is refused whether or not the order has an invoice.
  const errors: FieldError[] = [];
  if (input.title !== customer.name)
    errors.push({ path: 'title', message: `must be exactly the customer's name "${customer.name}"` });
  // One invoice per order: asking again is answered with the one already requested.
  const existing = Object.values(data.invoices).find(
    (invoice) => invoice.orderId === input.orderId && invoice.customerId === customer.id,
  );
  if (existing && errors.length === 0) return { status: 200, body: existing };
  const order = data.orders[input.orderId];
  if (!order) errors.push({ path: 'orderId', message: `no order ${input.orderId}` });
  else if (order.customerId !== customer.id)
    errors.push({ path: 'orderId', message: `order ${order.id} belongs to another customer` });
  else if (order.status !== 'paid')
    errors.push({ path: 'orderId', message: `order ${order.id} is ${order.status}; only paid orders are invoiced` });
  if (errors.length > 0 || !order) throw unprocessable('the invoice cannot be requested', errors);
  const invoice: Invoice = {
    id: newId('inv'),
    customerId: customer.id,
    orderId: order.id,
    reference: input.reference ?? order.reference,
    title: input.title,
    itemisation: input.itemisation,
    remark: input.remark || null,
    amountFen: order.amountFen,
    status: 'requested',
    requestedAt: now,
    issuedAt: null,
    pdfUrl: null,
  };
  data.invoices[invoice.id] = invoice;
  return { status: 201, body: invoice };
}

export function issueInvoice(tx: Tx, invoiceId: string): Invoice | undefined {
  const invoice = tx.data.invoices[invoiceId];
  if (!invoice || invoice.status !== 'requested') return invoice;
  invoice.status = 'issued';
  invoice.issuedAt = tx.now;
  invoice.pdfUrl = `/v1/invoices/${encodeURIComponent(invoice.id)}/pdf`;
  tx.emit('invoice.issued', invoice);
  return invoice;
}

// ---------------------------------------------------------------------------------------------
// Shared

function requireCustomer(data: BillingData, customerId: string): Customer {
  const customer = data.customers[customerId];
  if (!customer)
    throw unprocessable('the request names an unknown customer', [
      { path: 'customerId', message: `no customer ${customerId}` },
    ]);
  return customer;
}

function insufficientBalance(balanceFen: number, amountFen: number, what: string): ProblemError {
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

function conflictWith(kind: string, title: string, detail: string, errors: FieldError[]): ProblemError {
  return new ProblemError(409, kind, title, detail, errors);
}

export const createCreditSchema = z.strictObject({
  amountFen: z.int().positive(),
  note: z.string().trim().max(500).optional(),
});

/** A top-up of the customer's balance. */
export function creditCustomer(
  tx: Tx,
  customerId: string,
  input: z.output<typeof createCreditSchema>,
): Result<LedgerEntry> {
  const customer = tx.data.customers[customerId];
  if (!customer) throw notFound('customer', customerId);
  return { status: 201, body: addLedgerEntry(tx, customer, 'credit', input.amountFen, input.note || null, {}) };
}

function addLedgerEntry(
  tx: Tx,
  customer: Customer,
  type: LedgerEntry['type'],
  amountFen: number,
  note: string | null,
  refs: { orderId?: string; chargeId?: string },
): LedgerEntry {
  const balanceAfterFen = type === 'debit' ? customer.balanceFen - amountFen : customer.balanceFen + amountFen;
  if (!Number.isSafeInteger(balanceAfterFen)) {
    throw new ProblemError(
      422,
      'balance-overflow',
      'Amount too large',
      'the balance would exceed the largest amount the ledger can hold',
    );
  }
  const entry: LedgerEntry = {
    id: newId(type === 'debit' ? 'deb' : type === 'refund' ? 'ref' : 'cred'),
    type,
    customerId: customer.id,
    amountFen,
    balanceAfterFen,
    note,
    ...refs,
    createdAt: tx.now,
  };
  tx.data.ledgerEntries[entry.id] = entry;
  customer.balanceFen = balanceAfterFen;
  customer.updatedAt = tx.now;
  return entry;
}
