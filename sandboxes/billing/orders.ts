/**
 * Orders of reserved numbers, paid from the balance or online, voided or refunded; and recovery
 * orders that bring a released number back to the customer that held it (seed 003 Q9).
 */
import type { z } from 'zod';
import { PRICES } from './catalog';
import { ProblemError, conflict, notFound, unprocessable, type FieldError } from '../common/problem';
import { newId, type BillingData, type Customer, type Order, type Reservation } from './store';
import type { RecoveryOrderInput, createOrderSchema, refundOrderSchema } from './schemas';
import { getNumber, makeAvailable } from './inventory';
import { addLedgerEntry } from './ledger';
import { insufficientBalance, requireCustomer, type Result, type Tx } from './tx';

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
  const order = unpaidOrder(reservation, {
    prepaidMonths: input.prepaidMonths,
    applicationNote: input.applicationNote || null,
    reference: input.reference,
    now,
  });
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

/**
 * The order a step moves from one status to another: `done` when it is there already (asking
 * again changes nothing), refused when it is anywhere else.
 */
function orderToMove(
  data: BillingData,
  orderId: string,
  move: { from: Order['status']; to: Order['status'] },
  refusal: (order: Order) => ProblemError,
): { order: Order; done: boolean } {
  const order = data.orders[orderId];
  if (!order) throw notFound('order', orderId);
  if (order.status === move.to) return { order, done: true };
  if (order.status !== move.from) throw refusal(order);
  return { order, done: false };
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
  const { order, done } = orderToMove(tx.data, orderId, { from: 'unpaid', to: 'paid' }, notPayable);
  if (done) return { status: 200, body: order };
  const customer = orderCustomer(tx.data, order);
  if (customer.balanceFen < order.amountFen)
    throw insufficientBalance(customer.balanceFen, order.amountFen, `order ${order.id}`);
  settle(tx, order, customer);
  return { status: 200, body: order };
}

/** The enterprise pays online: the shortfall arrives as a credit, then the order is charged. */
export function payOrderOnline(tx: Tx, orderId: string): Result<Order> {
  const { order, done } = orderToMove(tx.data, orderId, { from: 'unpaid', to: 'paid' }, notPayable);
  if (done) return { status: 200, body: order };
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
  const { order, done } = orderToMove(tx.data, orderId, { from: 'unpaid', to: 'void' }, (o) =>
    conflict(
      'order-not-voidable',
      'Order not voidable',
      `order ${o.id} is ${o.status}; only unpaid orders are voided (paid ones are refunded)`,
    ),
  );
  if (done) return { status: 200, body: order };
  order.status = 'void';
  order.voidedAt = tx.now;
  freeOrderNumbers(tx.data, order);
  return { status: 200, body: order };
}

export function refundOrder(tx: Tx, orderId: string, input: z.output<typeof refundOrderSchema>): Result<Order> {
  const { order, done } = orderToMove(tx.data, orderId, { from: 'paid', to: 'refunded' }, (o) =>
    conflict(
      'order-not-refundable',
      'Order not refundable',
      `order ${o.id} is ${o.status}; only paid orders are refunded`,
    ),
  );
  if (done) return { status: 200, body: order };
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

/**
 * An order that brings a released number back to the customer that held it: refused once the
 * operator has cancelled the number, or for anyone else. Paid, the number is sold again.
 */
export function createRecoveryOrder(tx: Tx, number: string, input: RecoveryOrderInput): Result<Order> {
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
  const reservation: Reservation = {
    id: newId('res'),
    customerId: customer.id,
    type: record.type as Order['type'],
    areaCode: record.areaCode,
    numbers: [number],
    status: 'ordered',
    expiresAt: now,
    reference: input.reference,
    orderId: null,
    createdAt: now,
    releasedAt: null,
  };
  const order = unpaidOrder(reservation, {
    prepaidMonths: input.prepaidMonths,
    applicationNote: `recovery of released number ${number}`,
    reference: input.reference,
    now,
    recovers: number,
  });
  reservation.orderId = order.id;
  data.reservations[reservation.id] = reservation;
  data.orders[order.id] = order;
  record.status = 'reserved';
  record.orderId = order.id;
  record.customerId = customer.id;
  return { status: 201, body: order };
}

/** An unpaid order for the numbers a reservation holds: the rent of each for the prepaid months. */
function unpaidOrder(
  reservation: Reservation,
  details: { prepaidMonths: number; applicationNote: string | null; reference: string; now: string; recovers?: string },
): Order {
  const monthlyRentFen = PRICES[reservation.type].monthlyRentFen;
  const id = newId('ord');
  return {
    id,
    checkoutUrl: `/_sandbox/checkout/${id}`,
    customerId: reservation.customerId,
    reservationId: reservation.id,
    numbers: [...reservation.numbers],
    type: reservation.type,
    areaCode: reservation.areaCode,
    prepaidMonths: details.prepaidMonths,
    monthlyRentFen,
    amountFen: monthlyRentFen * details.prepaidMonths * reservation.numbers.length,
    status: 'unpaid',
    applicationNote: details.applicationNote,
    reference: details.reference,
    createdAt: details.now,
    paidAt: null,
    voidedAt: null,
    refundedAt: null,
    refundReason: null,
    ...(details.recovers === undefined ? {} : { recovers: details.recovers }),
  };
}
