// Upload types are decided by the file's first bytes, not by its name or the
// client-declared MIME type. Takes Uint8Array (not Buffer) to stay free of Node built-ins.

export type SniffedContentType = 'application/pdf' | 'image/jpeg' | 'image/png';

const SIGNATURES: ReadonlyArray<{ type: SniffedContentType; magic: readonly number[] }> = [
  { type: 'application/pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // "%PDF-"
  { type: 'image/jpeg', magic: [0xff, 0xd8, 0xff] },
  { type: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
];

/** The longest signature; callers need to pass at least this many leading bytes. */
export const SNIFF_BYTES = 8;

export function sniffContentType(head: Uint8Array): SniffedContentType | null {
  for (const { type, magic } of SIGNATURES) {
    if (head.length >= magic.length && magic.every((byte, i) => head[i] === byte)) {
      return type;
    }
  }
  return null;
}
