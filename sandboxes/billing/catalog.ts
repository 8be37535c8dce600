/**
 * What the back office sells: the price list and the inventory a fresh store starts with.
 */
import type { BillingData, NumberRecord, NumberType } from './store';

export const NUMBER_TYPES = ['fixed-line', '400'] as const satisfies readonly NumberType[];

/** Monthly rent per number, in fen. */
export const PRICES: Readonly<Record<NumberType, { readonly monthlyRentFen: number }>> = {
  'fixed-line': { monthlyRentFen: 3500 },
  '400': { monthlyRentFen: 5000 },
};

export const SEED_NUMBERS_PER_BLOCK = 30;

/** Local blocks of 8-digit numbers per area code: the block's first number is `<prefix>0001`. */
export const FIXED_LINE_BLOCKS: Readonly<Record<string, string>> = {
  '010': '6224',
  '020': '6624',
  '021': '6224',
  '0755': '8624',
  '0571': '8624',
  '028': '8624',
};

/** 400 numbers are written nationally: `4008200001`. */
export const TOLL_FREE_BLOCK = '400820';

/** `020` + `66240001` -> `+862066240001`. */
export function fixedLineE164(areaCode: string, local: string): string {
  return `+86${areaCode.slice(1)}${local}`;
}

/** Fills an empty inventory; the same numbers every time, so tests and demos can name them. */
export function seedInventory(data: BillingData): void {
  const add = (record: NumberRecord) => {
    data.numbers[record.number] = record;
  };
  for (const [areaCode, prefix] of Object.entries(FIXED_LINE_BLOCKS)) {
    for (let i = 1; i <= SEED_NUMBERS_PER_BLOCK; i++) {
      add({
        number: fixedLineE164(areaCode, `${prefix}${String(i).padStart(4, '0')}`),
        type: 'fixed-line',
        areaCode,
        status: 'available',
      });
    }
  }
  for (let i = 1; i <= SEED_NUMBERS_PER_BLOCK; i++) {
    add({
      number: `${TOLL_FREE_BLOCK}${String(i).padStart(4, '0')}`,
      type: '400',
      areaCode: null,
      status: 'available',
    });
  }
}
