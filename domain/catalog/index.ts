/**
 * The third-party supplier catalogue (seed 004): its shape (`model.ts`), its products
 * (`data.ts`), look-ups (here) and quotes (`quote.ts`). Pure.
 */
import { addWorkingDays } from '../working-days';
import { CATALOG } from './data';
import type { Product, ProductId } from './model';

export * from './model';
export { CATALOG } from './data';
export * from './quote';

const BY_ID = new Map<string, Product>(CATALOG.map((p) => [p.id, p]));

export function productById(id: ProductId): Product;
export function productById(id: string): Product | undefined;
export function productById(id: string): Product | undefined {
  return BY_ID.get(id);
}

/** When a product with a stated lead time should be ready: working days after approval. */
export function leadTimeWindow(
  product: Product,
  approvedOn: string,
  holidays: readonly string[],
): { earliest: string; latest: string } | undefined {
  const lead = product.leadTimeWorkingDays;
  if (!lead) return undefined;
  return {
    earliest: addWorkingDays(approvedOn, lead.min, holidays),
    latest: addWorkingDays(approvedOn, lead.max, holidays),
  };
}
