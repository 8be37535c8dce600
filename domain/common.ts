/** Small schemas and types shared by every process. Pure. */
import { isValidPhoneNumber } from 'libphonenumber-js/max';
import { z } from 'zod';

/** A failed business rule, addressed to the field it is about. */
export interface RuleFailure {
  path: string;
  code: string;
  message: string;
}

export const isoDateSchema = z.iso.date();

export const enterpriseIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and dashes, 2-63 characters');

export const phoneSchema = z
  .string()
  .trim()
  .refine((v) => isValidPhoneNumber(v, 'CN'), {
    message: 'not a valid phone number (mainland China numbers may omit +86)',
  });

export const contactSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  phone: phoneSchema,
  email: z.email(),
});
export type Contact = z.infer<typeof contactSchema>;

/** `YYYY-MM-DD` of an instant in China Standard Time, where the enterprises and their licences are. */
export function chinaDate(epochMs: number): string {
  return new Date(epochMs + 8 * 3_600_000).toISOString().slice(0, 10);
}
