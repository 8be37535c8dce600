/**
 * Quotes for third-party supplier products: what a number of them costs over a term, line by
 * line, from the prices the seed gives. Pure.
 */
import type { Package400, Product, ProductId } from './model';

export type QuoteItem =
  'annual-rent' | 'monthly-rent' | 'prepaid-credit' | '400-package' | 'minimum-spend' | 'first-prepayment';

export interface QuoteLine {
  item: QuoteItem;
  /** What the line is and how it was computed, in words. */
  description: string;
  unitFen: number;
  /** Units the unit amount is multiplied by (numbers x periods). */
  units: number;
  amountFen: number;
}

export interface Quote {
  productId: ProductId;
  quantity: number;
  months: number;
  lines: QuoteLine[];
  /** Sum of the lines: the least the enterprise commits to over the term, before call charges above it. */
  totalFen: number;
  /** Per-minute call charges on top (not in the total; 0 = free, undefined = not stated). */
  rates: { inboundPerMinuteFen?: number; outboundPerMinuteFen?: number };
  /** False when the seed gives no amounts for this product: the total is not a price. */
  priced: boolean;
  notes: string[];
}

export interface QuoteOptions {
  /** The prepaid-credit tier per year, or the 400 package; the lowest when left out. */
  tierFen?: number;
}

/** 004 section 二: who is paid what, whichever product. */
export const THIRD_PARTY_PAYMENT_NOTE =
  'Rent and call charges are paid to the supplier (cloud marketplace or offline); pay-as-you-go contact-center users also pay the platform a usage fee per minute of third-party calls. Prices are indicative (具体价格以实际咨询为准).';

/** 400 packages run three years, everything else is quoted for a year unless told otherwise. */
export function defaultQuoteMonths(product: Product): number {
  return product.prices.packages400?.termMonths ?? 12;
}

export function yuanText(fen: number): string {
  return `${(fen / 100).toFixed(2)} yuan`;
}

/** Minutes a 400 package buys, where its rate is known. */
export function packageMinutes(pkg: Package400, amountFen = pkg.fen): number | undefined {
  return pkg.perMinuteFen ? Math.floor(amountFen / pkg.perMinuteFen) : undefined;
}

/**
 * An itemised quote for `quantity` numbers over `months`, in fen. It contains what the seed prices
 * for the product, each line saying what it is:
 * - rent: annual rent x numbers x whole years (months rounded up to years) where the seed prices
 *   by the year, else monthly rent x numbers x months (a 0 line where the seed says "no rent");
 * - prepaid call credit: the chosen tier (lowest by default) x years;
 * - 400 package: the chosen package (lowest by default) x 400 numbers x 3-year terms;
 * - minimum monthly spend x months (x numbers only where the seed says per number);
 * - first prepayment minimum, once.
 * Amounts whose basis the seed leaves open (per number or per account) are counted once and said so.
 * Per-minute charges are usage, so they are listed in `rates`, not in the total.
 */
export function quote(
  product: Product,
  quantity: number,
  months: number = defaultQuoteMonths(product),
  options: QuoteOptions = {},
): Quote {
  if (!Number.isInteger(quantity) || quantity < 1)
    throw new RangeError(`quantity must be a whole number >= 1, not ${quantity}`);
  if (!Number.isInteger(months) || months < 1)
    throw new RangeError(`months must be a whole number >= 1, not ${months}`);
  const p = product.prices;
  const lines: QuoteLine[] = [];
  const notes: string[] = [];
  const line = (item: QuoteItem, description: string, unitFen: number, units: number) =>
    lines.push({ item, description, unitFen, units, amountFen: unitFen * units });
  const years = Math.ceil(months / 12);
  const n = `${quantity} number(s)`;

  if (p.annualRentFen !== undefined) {
    line(
      'annual-rent',
      `annual rent ${yuanText(p.annualRentFen)} per number x ${n} x ${years} year(s) (billed by the year; ${months} month(s) rounded up)`,
      p.annualRentFen,
      quantity * years,
    );
  } else if (p.monthlyRentFen !== undefined) {
    const what = p.monthlyRentFen === 0 ? 'no monthly rent' : `monthly rent ${yuanText(p.monthlyRentFen)} per number`;
    line('monthly-rent', `${what} x ${n} x ${months} month(s)`, p.monthlyRentFen, quantity * months);
  }

  if (p.prepaidCreditPerYear) {
    const tiers = p.prepaidCreditPerYear.tiersFen;
    const tier = options.tierFen ?? Math.min(...tiers);
    if (!tiers.includes(tier))
      throw new RangeError(
        `${yuanText(tier)} is not a prepaid-credit tier of ${product.id}: ${tiers.map(yuanText).join(', ')}`,
      );
    const perNumber = p.prepaidCreditPerYear.per === 'number';
    const basis = perNumber ? ` x ${n}` : ' (the seed does not say per number or per account: counted once)';
    line(
      'prepaid-credit',
      `prepaid call credit, tier ${yuanText(tier)} per year x ${years} year(s)${basis}`,
      tier,
      years * (perNumber ? quantity : 1),
    );
  }

  if (p.packages400) {
    const { termMonths, tiers } = p.packages400;
    const amount = options.tierFen ?? Math.min(...tiers.map((t) => t.fen));
    const pkg = tiers.find((t) => (t.maxFen === undefined ? t.fen === amount : amount >= t.fen && amount <= t.maxFen));
    if (!pkg) throw new RangeError(`${yuanText(amount)} is not a 400 package of ${product.id}`);
    const terms = Math.ceil(months / termMonths);
    const minutes = packageMinutes(pkg, amount);
    const included =
      minutes === undefined
        ? 'minutes not stated in the seed'
        : `${minutes} minutes at ${yuanText(pkg.perMinuteFen!)}/min`;
    line(
      '400-package',
      `400 package ${yuanText(amount)} per ${termMonths} months (${included}) x ${n} x ${terms} term(s)`,
      amount,
      quantity * terms,
    );
  }

  if (p.minimumMonthlySpend) {
    const { fen, per } = p.minimumMonthlySpend;
    const perNumber = per === 'number';
    const basis =
      per === undefined
        ? ' (the seed does not say per number or per account: counted once)'
        : perNumber
          ? ` per number x ${n}`
          : ' per account';
    line(
      'minimum-spend',
      `minimum monthly spend ${yuanText(fen)}${basis} x ${months} month(s)`,
      fen,
      months * (perNumber ? quantity : 1),
    );
  }

  if (p.firstPrepaymentMin) {
    line(
      'first-prepayment',
      `first prepayment of call credit, at least ${yuanText(p.firstPrepaymentMin.fen)}, once`,
      p.firstPrepaymentMin.fen,
      1,
    );
  }
  if (p.firstPrepaymentMin && p.minimumMonthlySpend) {
    notes.push(
      'The seed does not say whether the first prepayment counts toward the minimum spend; both are in the total.',
    );
  }

  const priced = lines.length > 0;
  if (!priced) notes.push(`The seed gives no amounts for ${product.id}; ask the supplier.`);
  notes.push(THIRD_PARTY_PAYMENT_NOTE);

  const rates: Quote['rates'] = {};
  if (p.inboundPerMinuteFen !== undefined) rates.inboundPerMinuteFen = p.inboundPerMinuteFen;
  if (p.outboundPerMinuteFen !== undefined) rates.outboundPerMinuteFen = p.outboundPerMinuteFen;

  return {
    productId: product.id,
    quantity,
    months,
    lines,
    totalFen: lines.reduce((t, l) => t + l.amountFen, 0),
    rates,
    priced,
    notes,
  };
}
