/**
 * The billing sandbox's state: one JSON file, held in memory, rewritten after every change.
 *
 * Each collection is a field of `BillingData`; a new resource adds a field there, in
 * `COLLECTIONS`, and files written before it existed load with it empty. Changes happen
 * synchronously inside `update()`, so a handler's read-check-write cannot interleave with another
 * request's; the file is then written atomically (temp file + rename), one write at a time.
 */
import { JsonFileStore, completeData, prefixedId, readStoreFile } from '../common/json-store';
import type { Collections, ProtocolData } from '../common/json-store';

export const DATA_VERSION = 1;
/** Attempts kept per webhook event. */
export const WEBHOOK_ATTEMPT_LOG_LIMIT = 50;

export interface Customer {
  id: string;
  enterpriseId: string;
  /** The company name, and the only title an invoice may carry. */
  name: string;
  contactEmail: string | null;
  balanceFen: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * A movement of a customer's balance, always a positive amount: credits are top-ups (and online
 * payments), debits pay orders and charges, refunds give an order's amount back.
 */
export interface LedgerEntry {
  id: string;
  type: 'credit' | 'debit' | 'refund';
  customerId: string;
  amountFen: number;
  balanceAfterFen: number;
  note: string | null;
  /** What a debit or refund paid for; absent on top-ups. */
  orderId?: string;
  chargeId?: string;
  createdAt: string;
}

export type NumberType = 'fixed-line' | '400';
export type ImportedNumberType = '95' | 'mobile' | 'virtual-mobile';
/** `quarantined`: found in service elsewhere (routed by the SBC, say); never reserved or sold until released. */
/**
 * `released`: a sold number whose subscription ended; the operator still holds it (seed 003 Q9:
 * 7 days' retention, or later while the operator has not cancelled it), so it is off sale and its
 * last customer may recover it. `cancelled`: the operator cancelled it; it is gone for good.
 */
export type NumberStatus = 'available' | 'reserved' | 'sold' | 'imported' | 'quarantined' | 'released' | 'cancelled';

/** Whose a released number was, and when it was released or cancelled. */
export interface ReleasedFrom {
  customerId: string;
  orderId: string;
  at: string;
  cancelledAt?: string;
}

/** Why a number was set aside and which case found it; kept while quarantined. */
export interface Quarantine {
  reason: string;
  reference: string;
  at: string;
}

/** A quarantine that ended: who returned the number to sale, and why. */
export interface QuarantineRelease extends Quarantine {
  releasedAt: string;
  releasedBy: string;
  releaseReason: string;
}

/** One number of the inventory: fixed lines in E.164 (`+862066240001`), 400 numbers national (`4008200001`). */
export interface NumberRecord {
  number: string;
  /** The provider's own stock is fixed-line or 400; imported supplier numbers may be other kinds. */
  type: NumberType | ImportedNumberType;
  /** `020`, `0755`; null for 400 numbers. */
  areaCode: string | null;
  status: NumberStatus;
  /** Set while reserved (and ordered but unpaid). */
  reservationId?: string;
  /** Set once an order holds the number, and kept while sold. */
  orderId?: string;
  /** The holder: of the reservation, the sale or the import. */
  customerId?: string;
  /** Imported numbers only: who supplied it, and the import's reference. */
  supplier?: string | null;
  reference?: string;
  /** Set while quarantined. */
  quarantine?: Quarantine;
  /** Set while released or cancelled. */
  releasedFrom?: ReleasedFrom;
  /** Earlier quarantines, oldest first. */
  quarantineHistory?: QuarantineRelease[];
}

export interface Reservation {
  id: string;
  customerId: string;
  type: NumberType;
  areaCode: string | null;
  numbers: string[];
  /** `expired` when the TTL ran out, `ordered` once an order holds the numbers (no expiry then). */
  status: 'active' | 'released' | 'expired' | 'ordered';
  expiresAt: string;
  reference: string;
  orderId: string | null;
  createdAt: string;
  releasedAt: string | null;
}

export interface Order {
  id: string;
  customerId: string;
  reservationId: string;
  numbers: string[];
  type: NumberType;
  areaCode: string | null;
  prepaidMonths: number;
  monthlyRentFen: number;
  /** monthlyRentFen * prepaidMonths * numbers. */
  amountFen: number;
  status: 'unpaid' | 'paid' | 'void' | 'refunded';
  applicationNote: string | null;
  reference: string;
  createdAt: string;
  paidAt: string | null;
  voidedAt: string | null;
  refundedAt: string | null;
  refundReason: string | null;
  /** Where the customer pays it online (the billing portal's checkout), relative to billing's address. */
  checkoutUrl?: string;
  /** A recovery order: the released number it brings back (voided or refunded, it stays released). */
  recovers?: string;
}

/** A debit outside orders, e.g. a month's rent of a running subscription. */
export interface Charge {
  id: string;
  customerId: string;
  amountFen: number;
  description: string;
  reference: string;
  status: 'succeeded';
  balanceAfterFen: number;
  createdAt: string;
}

/** Billing's per-minute price for calls on one number type in one direction. */
export interface UsagePriceRecord {
  /** A number type, or `platform-usage`: the platform's fee on third-party supplier lines. */
  numberType: 'fixed-line' | '400' | 'mobile' | 'platform-usage';
  direction: 'inbound' | 'outbound';
  fenPerMinute: number;
}

/** A month's call charges (supplement 0), or a supplement for calls accounted late. */
export interface UsageCharge {
  id: string;
  customerId: string;
  /** YYYY-MM, China time. */
  month: string;
  supplement: number;
  amountFen: number;
  lines: {
    number: string;
    numberType: Exclude<UsagePriceRecord['numberType'], 'platform-usage'>;
    direction: UsagePriceRecord['direction'];
    origin?: string | undefined;
    basis?: string | undefined;
    calls: number;
    minutes: number;
    fenPerMinute: number;
    amountFen: number;
    seconds?: number | undefined;
  }[];
  reference: string | null;
  status: 'billed';
  createdAt: string;
}

export interface Invoice {
  id: string;
  customerId: string;
  orderId: string;
  /** The order's reference unless the request named one: lets webhooks find the case. */
  reference: string;
  title: string;
  itemisation: 'by-consumption';
  remark: string | null;
  amountFen: number;
  status: 'requested' | 'issued';
  requestedAt: string;
  issuedAt: string | null;
  pdfUrl: string | null;
}

export interface WebhookAttempt {
  at: string;
  /** Which copy of the event (2 for the duplicate, more for redeliveries). */
  copy: number;
  attempt: number;
  /** Null when no HTTP answer came (connection refused, timeout). */
  status: number | null;
  error: string | null;
}

/** An event and its delivery state: recorded with the change it reports, delivered afterwards. */
export interface WebhookEvent {
  id: string;
  type: string;
  createdAt: string;
  data: unknown;
  /** Copies to deliver: 0 when dropped, 2 when duplicated, one more per redelivery. */
  copies: number;
  deliveredCopies: number;
  attempts: number;
  delivered: boolean;
  lastStatus: number | null;
  lastError: string | null;
  dropped: boolean;
  duplicated: boolean;
  /** The last copy failed every attempt; a redelivery starts over. */
  gaveUp: boolean;
  attemptLog: WebhookAttempt[];
}

export interface BillingData
  extends
    ProtocolData,
    Collections<{
      customers: Customer;
      ledgerEntries: LedgerEntry;
      /** Keyed by the number itself. */
      numbers: NumberRecord;
      reservations: Reservation;
      orders: Order;
      charges: Charge;
      invoices: Invoice;
      /** Keyed `<numberType>/<direction>`. */
      usagePrices: UsagePriceRecord;
      usageCharges: UsageCharge;
      webhookEvents: WebhookEvent;
    }> {}

/** An id such as `cus_3f9a…`. */
export const newId = (prefix: string): string => prefixedId(prefix, '_', 12);

/** The collections, each a map by id; collections missing from older files (or a new one) start empty. */
const COLLECTIONS = [
  'customers',
  'ledgerEntries',
  'numbers',
  'reservations',
  'orders',
  'charges',
  'invoices',
  'usagePrices',
  'usageCharges',
  'webhookEvents',
] as const satisfies readonly (keyof BillingData)[];

function withCollections(data: Partial<BillingData>): BillingData {
  return completeData(data, DATA_VERSION, COLLECTIONS);
}

export class BillingStore extends JsonFileStore<BillingData> {
  /** Reads the file (a missing file is an empty store). A corrupt file is an error, never reset. */
  static load(file: string): BillingStore {
    const stored = readStoreFile(file, 'billing sandbox', DATA_VERSION, withCollections);
    return new BillingStore(stored.file, stored.data, 'billing sandbox');
  }
}
