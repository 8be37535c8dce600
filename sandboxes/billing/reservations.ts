/**
 * Reservations: numbers held for a customer until they are ordered, released, or their TTL ends.
 */
import type { z } from 'zod';
import { conflict, notFound } from '../common/problem';
import { newId, type BillingData, type Reservation } from './store';
import type { createReservationSchema } from './schemas';
import { byNumber, freeReservedNumbers } from './inventory';
import { requireCustomer, type Result, type Tx } from './tx';

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
