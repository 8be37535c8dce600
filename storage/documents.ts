/**
 * Uploaded qualification documents, on disk. Workflows only ever hold a document's id; the bytes
 * stay here. Content type is decided by the file's first bytes, never by its name.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile, open } from 'node:fs/promises';
import path from 'node:path';
import { sniffContentType, SNIFF_BYTES } from '../domain/checks';
import type { RuleFailure } from '../domain/common';
import type { DocumentRef } from '../domain/verification';

export interface StoredDocument {
  documentId: string;
  enterpriseId: string;
  kind: string;
  sha256: string;
  contentType: string;
  size: number;
  createdAt: string;
}

export class UnsupportedContentError extends Error {}

export class DocumentStore {
  constructor(private readonly dir: string) {}

  async save(input: { enterpriseId: string; kind: string; bytes: Buffer }): Promise<StoredDocument> {
    const contentType = sniffContentType(input.bytes.subarray(0, SNIFF_BYTES));
    if (!contentType) throw new UnsupportedContentError('the file is not a PDF, JPEG or PNG (judged by its content)');
    await mkdir(this.dir, { recursive: true });
    const doc: StoredDocument = {
      documentId: `doc_${randomUUID()}`,
      enterpriseId: input.enterpriseId,
      kind: input.kind,
      sha256: createHash('sha256').update(input.bytes).digest('hex'),
      contentType,
      size: input.bytes.length,
      createdAt: new Date().toISOString(),
    };
    await writeAtomic(this.blobPath(doc.documentId), input.bytes);
    await writeAtomic(this.metaPath(doc.documentId), Buffer.from(JSON.stringify(doc)));
    return doc;
  }

  async get(documentId: string): Promise<StoredDocument | null> {
    if (!/^doc_[0-9a-f-]{36}$/.test(documentId)) return null;
    try {
      return JSON.parse(await readFile(this.metaPath(documentId), 'utf8')) as StoredDocument;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /**
   * Checks that each referenced document exists, belongs to the enterprise, is of the kind it is
   * cited as, and is still a PDF/JPEG/PNG by content. Another tenant's document reads as missing.
   */
  async check(enterpriseId: string, refs: readonly DocumentRef[], pathPrefix = 'documents'): Promise<RuleFailure[]> {
    const failures: RuleFailure[] = [];
    for (const [i, ref] of refs.entries()) {
      const at = `${pathPrefix}.${i}.documentId`;
      const doc = await this.get(ref.documentId);
      if (!doc || doc.enterpriseId !== enterpriseId) {
        failures.push({
          path: at,
          code: 'document-not-found',
          message: `no document ${ref.documentId} was uploaded by this enterprise`,
        });
        continue;
      }
      if (doc.kind !== ref.kind) {
        failures.push({
          path: at,
          code: 'document-kind-mismatch',
          message: `document ${ref.documentId} was uploaded as ${doc.kind}, not ${ref.kind}`,
        });
      }
      const head = await readHead(this.blobPath(doc.documentId));
      if (!head || sniffContentType(head) === null) {
        failures.push({
          path: at,
          code: 'document-content-type',
          message: `document ${ref.documentId} is not a readable PDF, JPEG or PNG`,
        });
      }
    }
    return failures;
  }

  private blobPath(id: string): string {
    return path.join(this.dir, `${id}.bin`);
  }
  private metaPath(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }
}

async function writeAtomic(file: string, bytes: Buffer): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, file);
}

async function readHead(file: string): Promise<Uint8Array | null> {
  try {
    const handle = await open(file, 'r');
    try {
      const buf = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}
