/** Numbers in billing's inventory: reserved for a purchase, imported for a customer, released. */
import { ApplicationFailure } from '@temporalio/common';
import { is400Number, toE164, toNational, areaCodeOf } from '../../domain/numbers';
import { numberRecord, withDisplay, type BillingClient, type NumberRecord, type Reservation } from './client';

/** Numbers of a type (and area) to set aside for a case, for `ttlSeconds`. */
export interface ReservationRequest {
  customerId: string;
  type: string;
  areaCode?: string;
  quantity: number;
  ttlSeconds: number;
  reference: string;
  idempotencyKey: string;
}

export function createBillingInventoryActivities(client: BillingClient) {
  return {
    async reserveNumbers(input: ReservationRequest): Promise<Reservation> {
      const { idempotencyKey, ...body } = input;
      return withDisplay(await client.request<Reservation>('POST', '/v1/reservations', { body, idempotencyKey }));
    },

    /** Like `reserveNumbers`, but too little stock is an answer (the purchase decides), not a failure. */
    async tryReserveNumbers(
      input: ReservationRequest,
    ): Promise<
      | { status: 'reserved'; reservation: Reservation }
      | { status: 'insufficient-stock'; available: number; requested: number }
    > {
      const { idempotencyKey, ...body } = input;
      try {
        return {
          status: 'reserved',
          reservation: withDisplay(
            await client.request<Reservation>('POST', '/v1/reservations', { body, idempotencyKey }),
          ),
        };
      } catch (err) {
        const details =
          err instanceof ApplicationFailure
            ? (err.details?.[0] as { status?: number; body?: { available?: number; requested?: number } } | undefined)
            : undefined;
        if (details?.status === 409 && typeof details.body?.available === 'number') {
          return {
            status: 'insufficient-stock',
            available: details.body.available,
            requested: details.body.requested ?? input.quantity,
          };
        }
        throw err;
      }
    },

    async releaseReservation(input: { reservationId: string; idempotencyKey: string }): Promise<void> {
      await client.request('DELETE', `/v1/reservations/${encodeURIComponent(input.reservationId)}`, {
        idempotencyKey: input.idempotencyKey,
      });
    },

    /** Numbers a supplier opened, entered into inventory for the customer. */
    async importNumbers(input: {
      customerId: string;
      numbers: string[];
      type: string;
      supplier: string;
      reference: string;
      idempotencyKey: string;
    }): Promise<{ numbers: string[]; display: string[] }> {
      await client.request('POST', '/v1/numbers/import', {
        body: {
          customerId: input.customerId,
          // Billing writes 400 numbers nationally and wants a fixed line's area code beside it.
          numbers: input.numbers.map((number) => ({
            number: is400Number(number) ? toNational(number) : toE164(number),
            type: input.type,
            supplier: input.supplier,
            ...(input.type === 'fixed-line' ? { areaCode: areaCodeOf(number) } : {}),
          })),
          reference: input.reference,
        },
        idempotencyKey: input.idempotencyKey,
      });
      return withDisplay({ numbers: input.numbers });
    },

    /** A number as billing holds it (fixed lines in E.164, 400 numbers national); null when unknown. */
    async getNumber(number: string): Promise<NumberRecord | null> {
      return numberRecord(client, is400Number(number) ? toNational(number) : toE164(number));
    },

    /** Returns numbers to inventory when a subscription ends. */
    async releaseNumbers(input: { numbers: string[]; reference: string; idempotencyKey: string }): Promise<void> {
      await client.request('POST', '/v1/numbers/release', {
        body: { numbers: input.numbers, reference: input.reference },
        idempotencyKey: input.idempotencyKey,
      });
    },
  };
}
