/** The text of a PDF as a reader would copy it (poppler's pdftotext, a test prerequisite). */
import { execFile } from 'node:child_process';

export function pdfText(pdf: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('pdftotext', ['-layout', '-', '-'], { maxBuffer: 10 * 1024 * 1024 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
    child.stdin!.end(pdf);
  });
}

/** The body of a supertest response whose content is binary. */
export function binary(res: { body: unknown }): Buffer {
  return res.body as Buffer;
}
