/**
 * Numbers set aside in billing's inventory: in service elsewhere (quarantined), or an
 * enterprise's own numbers held off sale while its case brings them in.
 */
import { ApplicationFailure } from '@temporalio/common';
import { formatNumber } from '../../domain/numbers';
import { numberRecord, type BillingClient } from './client';

export function createBillingQuarantineActivities(client: BillingClient) {
  /** Quarantining a number again is a no-op; the key is the case's, per number. */
  const quarantine = (number: string, input: { reason: string; reference: string; idempotencyKey: string }) =>
    client.request('POST', `/v1/numbers/${encodeURIComponent(number)}/quarantine`, {
      body: { reason: input.reason, reference: input.reference },
      idempotencyKey: `${input.idempotencyKey}/${number}`,
    });

  return {
    /**
     * Sets numbers aside in the inventory (in service elsewhere): billing never reserves or sells
     * them again until support releases them. Quarantining one again is a no-op.
     */
    async quarantineNumbers(input: {
      numbers: string[];
      reason: string;
      reference: string;
      idempotencyKey: string;
    }): Promise<{ quarantined: string[] }> {
      for (const number of input.numbers) {
        await quarantine(number, input);
      }
      return { quarantined: input.numbers };
    },

    /**
     * An enterprise's own numbers are taken off sale while its case brings them in (a trunk or a
     * registration): set aside in billing with the case as the reason, so no purchase reserves one
     * meanwhile. A number billing does not know needs nothing; one reserved, sold or imported for
     * someone else is refused (`NumberHeldInBilling`), and the case does not go on with it.
     */
    async holdOwnNumbers(input: {
      numbers: string[];
      reason: string;
      reference: string;
      idempotencyKey: string;
    }): Promise<{ held: string[] }> {
      const held: string[] = [];
      for (const number of input.numbers) {
        const record = await numberRecord(client, number);
        if (!record) continue;
        if (record.status === 'quarantined') {
          if (record.quarantine?.reference === input.reference) held.push(number);
          continue;
        }
        if (record.status !== 'available') {
          throw ApplicationFailure.create({
            type: 'NumberHeldInBilling',
            message: `${formatNumber(number)} is ${record.status} in billing${record.customerId ? ` (customer ${record.customerId})` : ''}; it cannot be brought in`,
            nonRetryable: true,
          });
        }
        await quarantine(number, input);
        held.push(number);
      }
      return { held };
    },

    /** Puts back on sale the own numbers a case held, when it ends without bringing them in. */
    async releaseOwnNumbers(input: {
      numbers: string[];
      reference: string;
      reason: string;
      idempotencyKey: string;
    }): Promise<string> {
      const released: string[] = [];
      for (const number of input.numbers) {
        const record = await numberRecord(client, number);
        if (record?.status !== 'quarantined' || record.quarantine?.reference !== input.reference) continue;
        await client.request('POST', `/v1/numbers/${encodeURIComponent(number)}/release-quarantine`, {
          body: { by: `case ${input.reference}`, reason: input.reason },
          idempotencyKey: `${input.idempotencyKey}/${number}`,
        });
        released.push(formatNumber(number));
      }
      return released.length > 0 ? `back on sale in billing: ${released.join(', ')}` : 'nothing held in billing';
    },
  };
}
