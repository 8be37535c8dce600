/**
 * The customer's balance: top-ups, charges, and the ledger entry behind every change of it.
 */
import type { z } from 'zod';
import { ProblemError, notFound } from '../common/problem';
import { newId, type Charge, type Customer, type LedgerEntry } from './store';
import type { CreditInput, createChargeSchema } from './schemas';
import { insufficientBalance, requireCustomer, type Result, type Tx } from './tx';

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

/** A top-up of the customer's balance. */
export function creditCustomer(tx: Tx, customerId: string, input: CreditInput): Result<LedgerEntry> {
  const customer = tx.data.customers[customerId];
  if (!customer) throw notFound('customer', customerId);
  return { status: 201, body: addLedgerEntry(tx, customer, 'credit', input.amountFen, input.note || null, {}) };
}

export function addLedgerEntry(
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
