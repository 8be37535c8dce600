/**
 * A webhook receiver, as an enterprise would write one: verify the Standard Webhooks signature
 * over the raw body, then handle each event id once (deliveries are at least once: a retry after
 * a lost answer, or a resend, brings the same id again). Answer 2xx quickly; anything else is
 * retried. Keep `seen` in your database in real life, beside what handling the event changes.
 *
 *   app.use('/webhooks', webhookReceiver({ secret: () => process.env.WEBHOOK_SECRET!, handle }));
 */
import express from 'express';
import { Webhook } from 'standardwebhooks';

export interface ReceivedEvent {
  id: string;
  type: string;
  occurredAt: string;
  enterpriseId: string;
  caseId: string;
  kind: string;
  data: Record<string, unknown>;
}

export function webhookReceiver(options: {
  /** The endpoint's signing secret (`whsec_...`); after a rotation, the new one. */
  secret: () => string;
  handle: (event: ReceivedEvent) => void | Promise<void>;
  seen?: Set<string>;
}): express.Router {
  const seen = options.seen ?? new Set<string>();
  const router = express.Router();
  router.post('/', express.raw({ type: 'application/json' }), async (req, res) => {
    let event: ReceivedEvent;
    try {
      // Checks the signature and that the timestamp is within 5 minutes (no replays of old deliveries).
      event = new Webhook(options.secret()).verify(
        req.body as Buffer,
        req.headers as Record<string, string>,
      ) as ReceivedEvent;
    } catch {
      res.status(401).send('bad signature');
      return;
    }
    if (seen.has(event.id)) {
      res.status(200).send('already handled');
      return;
    }
    await options.handle(event);
    seen.add(event.id);
    res.status(204).end();
  });
  return router;
}
