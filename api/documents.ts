/** Documents uploaded for a case (multipart field `file`), checked for type and size. */
import type express from 'express';
import multer from 'multer';
import type { Config } from '../config';
import { UnsupportedContentError, type DocumentStore } from '../storage/documents';
import { requireRole } from './auth';
import { HttpProblem, invalid, parseOr400 } from './problem';
import { documentUploadSchema } from './schemas';

export function mountDocumentRoutes(v1: express.Router, config: Config, documents: DocumentStore): void {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: config.documents.maxBytes, files: 1, fields: 5, fieldSize: 1024 },
  });
  // A broken multipart body (no boundary, cut short, a part without a name) is the client's error.
  const singleFile = upload.single('file');
  const receiveFile: express.RequestHandler = (req, res, next) =>
    singleFile(req, res, (err?: unknown) => {
      if (!err) return next();
      const e = err as { code?: string; message?: string };
      next(
        typeof e.code === 'string' && e.code.startsWith('LIMIT_')
          ? err
          : new HttpProblem(400, 'Invalid upload', `the multipart body could not be read: ${e.message ?? 'malformed'}`),
      );
    });
  v1.post('/documents', receiveFile, async (req, res) => {
    const principal = requireRole(req.principal, ['enterprise', 'support']);
    const fields = parseOr400(documentUploadSchema, req.body ?? {});
    const enterpriseId = principal.role === 'enterprise' ? principal.enterpriseId! : fields.enterpriseId;
    if (principal.role === 'enterprise' && fields.enterpriseId && fields.enterpriseId !== principal.enterpriseId) {
      throw new HttpProblem(403, 'Forbidden', 'an enterprise uploads its own documents only');
    }
    if (!enterpriseId) throw invalid([{ path: 'enterpriseId', message: 'support uploads name the enterprise' }]);
    if (!req.file) throw invalid([{ path: 'file', message: 'a file is required (multipart field "file")' }]);
    try {
      const doc = await documents.save({ enterpriseId, kind: fields.kind, bytes: req.file.buffer });
      res.status(201).json({
        documentId: doc.documentId,
        kind: doc.kind,
        sha256: doc.sha256,
        contentType: doc.contentType,
        size: doc.size,
      });
    } catch (err) {
      if (err instanceof UnsupportedContentError) throw new HttpProblem(415, 'Unsupported media type', err.message);
      throw err;
    }
  });
}
