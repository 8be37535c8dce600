/**
 * The billing sandbox's /_sandbox routes, not part of the contract: webhook deliveries and their
 * redelivery, the portal's test checkout, the operator's cancellation of released numbers, and the
 * back office's per-minute prices. They pay any order for free, so production leaves them out.
 */
import { escapeHtml, param } from '../common/http';
import { ProblemError, notFound, parseOrThrow } from '../common/problem';
import type { BillingRouteContext } from './api-routes';
import { cancelByOperator } from './inventory';
import { payOrderOnline } from './orders';
import { webhooksQuerySchema } from './schemas';
import type { BillingData, Order } from './store';
import { setUsagePrices, setUsagePricesSchema, usagePrices } from './usage';
import { deliveryOf, type WebhookDispatcher } from './webhooks';

export function mountControlRoutes(context: BillingRouteContext & { webhooks?: WebhookDispatcher }): void {
  const { store, commit, webhooks } = context;
  const { control, respond } = context.http;
  control.get('/webhooks', (req, res) => {
    const { type } = parseOrThrow(webhooksQuerySchema, req.query, 'query');
    const deliveries = Object.values(store.data.webhookEvents)
      .filter((event) => type === undefined || event.type === type)
      .map(deliveryOf);
    respond(req, res, 200, { count: deliveries.length, deliveries });
  });
  control.post('/webhooks/:eventId/redeliver', async (req, res) => {
    const eventId = param(req.params, 'eventId');
    if (!store.data.webhookEvents[eventId]) throw notFound('webhook event', eventId);
    if (!webhooks)
      throw new ProblemError(409, 'webhooks-off', 'Webhooks off', 'the sandbox has no webhook URL to deliver to');
    const event = await store.update((data) => {
      const current = data.webhookEvents[eventId] as BillingData['webhookEvents'][string];
      // One more copy; a copy that had given up is replaced rather than added to.
      current.copies = (current.gaveUp ? current.deliveredCopies : current.copies) + 1;
      current.gaveUp = false;
      return current;
    });
    webhooks.kick(eventId);
    respond(req, res, 202, deliveryOf(event));
  });
  // The billing portal's test checkout: the order, its amount, and a button that pays it online.
  control.get('/checkout/:id', (req, res) => {
    const order = store.data.orders[param(req.params, 'id')];
    if (!order) throw notFound('order', param(req.params, 'id'));
    res.type('html').send(checkoutPage(order));
  });
  control.post('/checkout/:id', async (req, res) => {
    const id = param(req.params, 'id');
    await commit((tx) => payOrderOnline(tx, id));
    res.redirect(303, `/_sandbox/checkout/${encodeURIComponent(id)}`);
  });
  // The enterprise pays the order online through the billing portal: no API key, no key.
  control.post('/orders/:id/pay', async (req, res) => {
    const id = param(req.params, 'id');
    const result = await commit((tx) => payOrderOnline(tx, id));
    respond(req, res, result.status, result.body);
  });
  // The 400 or fixed-line operator cancels a released number (its retention over).
  control.post('/numbers/:number/operator-cancel', async (req, res) => {
    const number = param(req.params, 'number');
    const result = await commit((tx) => cancelByOperator(tx, number));
    respond(req, res, result.status, result.body);
  });
  // The back office changing its per-minute prices (kept in the data file like the rest).
  control.put('/prices/usage', async (req, res) => {
    const input = parseOrThrow(setUsagePricesSchema, req.body ?? {});
    await commit((tx) => setUsagePrices(tx.data, input));
    respond(req, res, 200, usagePrices(store.data));
  });
}

/** The test checkout page (development only): what is paid, and one button to pay it. */
function checkoutPage(order: Pick<Order, 'id' | 'amountFen' | 'status' | 'numbers'>): string {
  const id = escapeHtml(order.id);
  const amount = (order.amountFen / 100).toFixed(2);
  const action =
    order.status === 'unpaid'
      ? `<form method="post" action="/_sandbox/checkout/${encodeURIComponent(order.id)}"><button type="submit">支付 ${amount} 元 / Pay ${amount} yuan</button></form>`
      : `<p role="status">订单状态 Order status: ${escapeHtml(order.status)}</p>`;
  return `<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>支付订单 ${id} / Pay order ${id}</title></head>
<body><main><h1>支付订单 / Pay order ${id}</h1>
<p>金额 Amount: ${amount} 元</p><p>号码 Numbers: ${order.numbers.map(escapeHtml).join(', ')}</p>
<p>测试收银台：不产生真实扣款。Test checkout: no real money moves.</p>${action}</main></body></html>`;
}
