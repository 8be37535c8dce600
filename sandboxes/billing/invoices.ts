/**
 * Invoices: one per paid order, requested by the customer and issued a little later.
 */
import type { z } from 'zod';
import { unprocessable, type FieldError } from '../common/problem';
import { newId, type Invoice } from './store';
import type { createInvoiceSchema } from './schemas';
import { requireCustomer, type Result, type Tx } from './tx';

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
