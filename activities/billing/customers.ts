/** What billing holds for a customer: its record, the charges posted to it and its invoices. */
import { orInsufficient, type BillingClient, type BillingCustomer, type ChargeOutcome, type Invoice } from './client';

export function createBillingCustomerActivities(client: BillingClient) {
  return {
    /** Creates or updates the enterprise's billing customer; its name is the only invoice title. */
    async ensureBillingCustomer(input: {
      enterpriseId: string;
      name: string;
      contactEmail: string;
      idempotencyKey: string;
    }): Promise<{ customerId: string }> {
      const customer = await client.request<BillingCustomer>('POST', '/v1/customers', {
        body: { enterpriseId: input.enterpriseId, name: input.name, contactEmail: input.contactEmail },
        idempotencyKey: input.idempotencyKey,
      });
      return { customerId: customer.id };
    },

    /** A month's rent for a live subscription. */
    async chargeRent(input: {
      customerId: string;
      amountFen: number;
      description: string;
      reference: string;
      idempotencyKey: string;
    }): Promise<ChargeOutcome<{ id: string }>> {
      const { idempotencyKey, ...body } = input;
      return orInsufficient(() => client.request<{ id: string }>('POST', '/v1/charges', { body, idempotencyKey }));
    },

    /**
     * A month's call charges (or a supplement for calls accounted late). Billing answers a second
     * post for the same month and supplement with the first when the amount is the same, and
     * refuses another amount (409, non-retryable): a month is never billed twice.
     */
    async postUsageCharge(input: {
      customerId: string;
      month: string;
      amountFen: number;
      lines: {
        number: string;
        numberType: string;
        direction: string;
        calls: number;
        minutes: number;
        seconds: number;
        fenPerMinute: number;
        amountFen: number;
      }[];
      supplement?: number;
      reference: string;
      idempotencyKey: string;
    }): Promise<{ id: string; amountFen: number; supplement: number; createdAt: string }> {
      const { idempotencyKey, customerId, ...body } = input;
      return client.request('POST', `/v1/customers/${encodeURIComponent(customerId)}/usage-charges`, {
        body,
        idempotencyKey,
      });
    },

    /** An invoice for a paid order; billing accepts only the customer's name as its title. */
    async requestInvoice(input: {
      customerId: string;
      orderId: string;
      title: string;
      remark: string;
      reference: string;
      idempotencyKey: string;
    }): Promise<Invoice> {
      const { idempotencyKey, ...body } = input;
      return client.request<Invoice>('POST', '/v1/invoices', {
        body: { ...body, itemisation: 'by-consumption' },
        idempotencyKey,
      });
    },

    async getInvoice(invoiceId: string): Promise<Invoice> {
      return client.request<Invoice>('GET', `/v1/invoices/${encodeURIComponent(invoiceId)}`);
    },
  };
}
