/**
 * Uploaded documents in PostgreSQL: the record and the bytes in one row (`bytea`), written by one
 * INSERT, so a document is either wholly there or not at all, on every API and worker process.
 * Uploads are bounded (`DOCUMENT_MAX_BYTES`, 10 MiB by default), far below bytea's limit; the
 * content column is stored out of line uncompressed, so the content-type check reads its first
 * bytes only.
 */
import { DocumentStore, type StoredDocument } from './documents';
import type { PgDatabase } from './postgres';

interface Row {
  document_id: string;
  enterprise_id: string;
  kind: string;
  sha256: string;
  content_type: string;
  size: number;
  created_at: Date;
}

export class PgDocumentStore extends DocumentStore {
  constructor(private readonly db: PgDatabase) {
    super();
  }

  async save(input: { enterpriseId: string; kind: string; bytes: Buffer }): Promise<StoredDocument> {
    const doc = this.describe(input);
    await this.db.ready();
    await this.db.pool.query(
      `INSERT INTO documents (document_id, enterprise_id, kind, sha256, content_type, size, created_at, content)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [doc.documentId, doc.enterpriseId, doc.kind, doc.sha256, doc.contentType, doc.size, doc.createdAt, input.bytes],
    );
    return doc;
  }

  async get(documentId: string): Promise<StoredDocument | null> {
    if (!DocumentStore.wellFormed(documentId)) return null;
    await this.db.ready();
    const { rows } = await this.db.pool.query<Row>(
      `SELECT document_id, enterprise_id, kind, sha256, content_type, size, created_at
       FROM documents WHERE document_id = $1`,
      [documentId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      documentId: row.document_id,
      enterpriseId: row.enterprise_id,
      kind: row.kind,
      sha256: row.sha256,
      contentType: row.content_type,
      size: row.size,
      createdAt: row.created_at.toISOString(),
    };
  }

  async content(documentId: string): Promise<Buffer | null> {
    if (!DocumentStore.wellFormed(documentId)) return null;
    await this.db.ready();
    const { rows } = await this.db.pool.query<{ content: Buffer }>(
      'SELECT content FROM documents WHERE document_id = $1',
      [documentId],
    );
    return rows[0]?.content ?? null;
  }

  protected async head(documentId: string, length: number): Promise<Uint8Array | null> {
    await this.db.ready();
    const { rows } = await this.db.pool.query<{ head: Buffer }>(
      'SELECT substring(content FROM 1 FOR $2) AS head FROM documents WHERE document_id = $1',
      [documentId, length],
    );
    return rows[0]?.head ?? null;
  }
}
