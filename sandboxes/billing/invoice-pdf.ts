/**
 * A one-page PDF 1.4 for an issued invoice, written by hand: enough for a client to store,
 * forward and open, without a PDF library in the sandbox.
 */
import type { Customer, Invoice, Order } from './store';

/** `10500` -> `105.00`. */
export function formatYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * A PDF literal string. The standard Helvetica font has no CJK glyphs, so characters outside
 * printable ASCII are shown as `\uXXXX`; the document title keeps the exact text (UTF-16).
 */
function literal(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0x3f;
    if (ch === '(' || ch === ')' || ch === '\\') out += `\\${ch}`;
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else out += `\\\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `(${out})`;
}

/** A PDF text string in UTF-16BE with a byte-order mark: any Unicode text, for metadata. */
function utf16Hex(text: string): string {
  const bytes = Buffer.from(text, 'utf16le');
  bytes.swap16();
  return `<FEFF${bytes.toString('hex').toUpperCase()}>`;
}

function pdfDate(iso: string): string {
  return `D:${iso.replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

export function renderInvoicePdf(
  invoice: Invoice,
  order: Pick<Order, 'id' | 'numbers' | 'prepaidMonths'>,
  customer: Pick<Customer, 'name'>,
): Buffer {
  const lines = [
    `Invoice ${invoice.id}`,
    `Title: ${invoice.title}`,
    `Customer: ${customer.name}`,
    `Order: ${order.id} (${order.prepaidMonths} month(s) prepaid)`,
    `Numbers: ${order.numbers.join(', ')}`,
    `Itemisation: ${invoice.itemisation}`,
    `Amount: CNY ${formatYuan(invoice.amountFen)} (${invoice.amountFen} fen)`,
    `Remark: ${invoice.remark ?? ''}`,
    `Issued: ${invoice.issuedAt ?? ''}`,
  ];
  const content = ['BT', '/F1 12 Tf', '16 TL', '56 780 Td', ...lines.map((line) => `${literal(line)} '`), 'ET'].join(
    '\n',
  );
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    `<< /Title ${utf16Hex(invoice.title)} /Subject ${literal(`Invoice ${invoice.id}`)} /Producer (billing sandbox) /CreationDate (${pdfDate(invoice.issuedAt ?? invoice.requestedAt)}) >>`,
  ];
  // Everything above is ASCII, so string lengths are byte offsets.
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
