/**
 * Customers: one per enterprise, created or updated by the same write.
 */
import type { z } from 'zod';
import { newId, type BillingData, type Customer } from './store';
import type { createCustomerSchema } from './schemas';
import type { Result, Tx } from './tx';

/** One customer per enterprise: creating again updates the existing one. */
export function createCustomer(tx: Tx, input: z.output<typeof createCustomerSchema>): Result<Customer> {
  const { data, now } = tx;
  const existing = findCustomerByEnterprise(data, input.enterpriseId);
  if (existing) {
    const changed =
      existing.name !== input.name ||
      (input.contactEmail !== undefined && existing.contactEmail !== input.contactEmail);
    if (changed) {
      existing.name = input.name;
      if (input.contactEmail !== undefined) existing.contactEmail = input.contactEmail;
      existing.updatedAt = now;
    }
    return { status: 200, body: existing };
  }
  const customer: Customer = {
    id: newId('cus'),
    enterpriseId: input.enterpriseId,
    name: input.name,
    contactEmail: input.contactEmail ?? null,
    balanceFen: 0,
    createdAt: now,
    updatedAt: now,
  };
  data.customers[customer.id] = customer;
  return { status: 201, body: customer };
}

export function findCustomerByEnterprise(data: Readonly<BillingData>, enterpriseId: string): Customer | undefined {
  return Object.values(data.customers).find((customer) => customer.enterpriseId === enterpriseId);
}
