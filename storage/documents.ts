/**
 * Uploaded qualification documents. Workflows only ever hold a document's id; the bytes stay in
 * the store. Content type is decided by the file's first bytes, never by its name. Two
 * implementations: files on disk (the embedded default) and PostgreSQL (`DATABASE_URL`, read by
 * every API and worker process; `documents-postgres.ts`).
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

const DOCUMENT_ID = /^doc_[0-9a-f-]{36}$/;

export abstract class DocumentStore {
  abstract save(input: { enterpriseId: string; kind: string; bytes: Buffer }): Promise<StoredDocument>;
  /** The document's record; null for an id that is malformed or unknown. */
  abstract get(documentId: string): Promise<StoredDocument | null>;
  /** The document's content; null when there is none. */
  abstract content(documentId: string): Promise<Buffer | null>;
  /** Up to `length` first bytes of the content, without reading the rest; null when there is none. */
  protected abstract head(documentId: string, length: number): Promise<Uint8Array | null>;

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
      const head = await this.head(doc.documentId, SNIFF_BYTES);
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

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** The record a new upload gets, or UnsupportedContentError when it is not a PDF, JPEG or PNG. */
  protected describe(input: { enterpriseId: string; kind: string; bytes: Buffer }): StoredDocument {
    const contentType = sniffContentType(input.bytes.subarray(0, SNIFF_BYTES));
    if (!contentType) throw new UnsupportedContentError('the file is not a PDF, JPEG or PNG (judged by its content)');
    return {
      documentId: `doc_${randomUUID()}`,
      enterpriseId: input.enterpriseId,
      kind: input.kind,
      sha256: createHash('sha256').update(input.bytes).digest('hex'),
      contentType,
      size: input.bytes.length,
      createdAt: new Date().toISOString(),
    };
  }

  protected static wellFormed(documentId: string): boolean {
    return DOCUMENT_ID.test(documentId);
  }
}

/** The embedded default: each document as two files, its bytes and its record. */
export class FileDocumentStore extends DocumentStore {
  constructor(private readonly dir: string) {
    super();
  }

  async save(input: { enterpriseId: string; kind: string; bytes: Buffer }): Promise<StoredDocument> {
    const doc = this.describe(input);
    await mkdir(this.dir, { recursive: true });
    await writeAtomic(this.blobPath(doc.documentId), input.bytes);
    await writeAtomic(this.metaPath(doc.documentId), Buffer.from(JSON.stringify(doc)));
    return doc;
  }

  async get(documentId: string): Promise<StoredDocument | null> {
    if (!DocumentStore.wellFormed(documentId)) return null;
    try {
      return JSON.parse(await readFile(this.metaPath(documentId), 'utf8')) as StoredDocument;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async content(documentId: string): Promise<Buffer | null> {
    if (!DocumentStore.wellFormed(documentId)) return null;
    return readFile(this.blobPath(documentId)).catch(() => null);
  }

  protected async head(documentId: string, length: number): Promise<Uint8Array | null> {
    try {
      const handle = await open(this.blobPath(documentId), 'r');
      try {
        const buf = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buf, 0, length, 0);
        return buf.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    } catch {
      return null;
    }
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
