/**
 * Carrier interconnects of the SBC: the provider's carriers (purchased and 400 numbers reach the
 * public network through them) and third-party suppliers' trunks. Each is configuration: where it
 * is, over which transport, which number origins it carries (`purchased`, `own-400`, `supplier:A`,
 * ...) and which number ranges (E.164 prefixes). The SBC routes a number's calls out through a
 * carrier of its origin whose ranges hold the callee, and takes calls in from a carrier only for
 * numbers we hold in an origin and range it carries.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

export const NUMBER_ORIGINS = ['purchased', 'own-400', 'supplier', 'own-trunk', 'own-registration'] as const;
/** Where a number came from: it decides its route, its calling rules and how its calls are billed. */
export type NumberOrigin = (typeof NUMBER_ORIGINS)[number];

export const carrierSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes'),
  ip: z.string().refine((v) => isIP(v) !== 0, 'an IP address'),
  port: z.int().min(1).max(65_535).default(5060),
  transport: z.enum(['udp', 'tcp']).default('udp'),
  origins: z
    .array(z.string().regex(/^(purchased|own-400|supplier:[A-Z])$/, 'purchased, own-400 or supplier:<letter>'))
    .min(1),
  prefixes: z
    .array(z.string().regex(/^\+[0-9]{1,14}$/, 'an E.164 prefix such as +86'))
    .min(1)
    .default(['+86']),
});

export type Carrier = z.infer<typeof carrierSchema>;

/** `SBC_CARRIERS`: a JSON array of carriers. */
export const carrierListSchema = z.array(carrierSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  for (const c of list) {
    if (seen.has(c.name)) ctx.addIssue({ code: 'custom', message: `carrier ${c.name} listed twice` });
    seen.add(c.name);
  }
});
