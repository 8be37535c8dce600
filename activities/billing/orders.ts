/** Orders for numbers: placed, charged, voided or refunded, and undone for a purchase case. */
import { is400Number, toE164, toNational } from '../../domain/numbers';
import {
  orInsufficient,
  orderOf,
  type BillingClient,
  type ChargeOutcome,
  type Order,
  type Reservation,
} from './client';

export function createBillingOrderActivities(client: BillingClient) {
  return {
    async createOrder(input: {
      customerId: string;
      reservationId: string;
      prepaidMonths: number;
      applicationNote?: string;
      reference: string;
      idempotencyKey: string;
    }): Promise<Order> {
      const { idempotencyKey, ...body } = input;
      return orderOf(client, await client.request<Order>('POST', '/v1/orders', { body, idempotencyKey }));
    },

    async chargeOrder(input: { orderId: string; idempotencyKey: string }): Promise<ChargeOutcome<Order>> {
      return orInsufficient(async () =>
        orderOf(
          client,
          await client.request<Order>('POST', `/v1/orders/${encodeURIComponent(input.orderId)}/charge`, {
            body: {},
            idempotencyKey: input.idempotencyKey,
          }),
        ),
      );
    },

    async getOrder(orderId: string): Promise<Order> {
      return orderOf(client, await client.request<Order>('GET', `/v1/orders/${encodeURIComponent(orderId)}`));
    },

    /**
     * Undoes whatever billing holds for a purchase case, found by its reference: a paid order is
     * refunded, an unpaid one voided, an active reservation released. Nothing there: nothing to
     * do. Registered before the first billing write, so a case cancelled or failed at any point
     * (even while a write was in flight) leaves nothing charged or held.
     */
    async undoPurchase(input: { reference: string; reason: string; idempotencyKey: string }): Promise<string> {
      const ref = encodeURIComponent(input.reference);
      const done: string[] = [];
      for (const order of await client.request<Order[]>('GET', `/v1/orders?reference=${ref}`)) {
        if (order.status === 'paid') {
          await client.request('POST', `/v1/orders/${encodeURIComponent(order.id)}/refund`, {
            body: { reason: input.reason },
            idempotencyKey: `${input.idempotencyKey}/refund/${order.id}`,
          });
          done.push(`order ${order.id} refunded (${order.amountFen} fen)`);
        } else if (order.status === 'unpaid') {
          await client.request('POST', `/v1/orders/${encodeURIComponent(order.id)}/void`, {
            body: {},
            idempotencyKey: `${input.idempotencyKey}/void/${order.id}`,
          });
          done.push(`order ${order.id} voided`);
        }
      }
      for (const reservation of await client.request<Reservation[]>(
        'GET',
        `/v1/reservations?reference=${ref}&status=active`,
      )) {
        await client.request('DELETE', `/v1/reservations/${encodeURIComponent(reservation.id)}`, {
          idempotencyKey: `${input.idempotencyKey}/release/${reservation.id}`,
        });
        done.push(`reservation ${reservation.id} released`);
      }
      return done.length > 0 ? done.join('; ') : 'nothing held in billing';
    },

    async voidOrder(input: { orderId: string; idempotencyKey: string }): Promise<Order> {
      return client.request<Order>('POST', `/v1/orders/${encodeURIComponent(input.orderId)}/void`, {
        body: {},
        idempotencyKey: input.idempotencyKey,
      });
    },

    async refundOrder(input: { orderId: string; reason: string; idempotencyKey: string }): Promise<Order> {
      return client.request<Order>('POST', `/v1/orders/${encodeURIComponent(input.orderId)}/refund`, {
        body: { reason: input.reason },
        idempotencyKey: input.idempotencyKey,
      });
    },

    /** Orders a released number back for the customer that held it (seed 003 Q9). */
    async createRecoveryOrder(input: {
      number: string;
      customerId: string;
      prepaidMonths: number;
      reference: string;
      idempotencyKey: string;
    }): Promise<Order> {
      const key = is400Number(input.number) ? toNational(input.number) : toE164(input.number);
      const { number: _n, idempotencyKey, ...body } = input;
      return orderOf(
        client,
        await client.request<Order>('POST', `/v1/numbers/${encodeURIComponent(key)}/recovery-orders`, {
          body,
          idempotencyKey,
        }),
      );
    },
  };
}
