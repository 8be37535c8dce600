/** The console's page, its modules and the vendored libraries they import, under one content policy. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';

// Beside api/ in the source tree and in the image (dist/console); from a local dist/api, the source's.
const CONSOLE_DIR =
  [path.join(__dirname, '..', 'console'), path.join(__dirname, '..', '..', 'console')].find((dir) =>
    existsSync(path.join(dir, 'index.html')),
  ) ?? path.join(__dirname, '..', 'console');

/** A package's ES module build, which sits beside the CommonJS entry its exports map resolves. */
function esmBeside(entry: string, file: string): string {
  return path.join(path.dirname(entry), file);
}

export function mountConsolePages(app: Express): void {
  // The page and its modules. The import map is inline, so the policy allows exactly its hash.
  const importMap = JSON.stringify({
    imports: {
      preact: '/console/vendor/preact.mjs',
      'preact/hooks': '/console/vendor/hooks.mjs',
      htm: '/console/vendor/htm.mjs',
    },
  });
  const indexHtml = readFileSync(path.join(CONSOLE_DIR, 'index.html'), 'utf8').replace(
    '<!--importmap-->',
    `<script type="importmap">${importMap}</script>`,
  );
  const importMapHash = createHash('sha256').update(importMap).digest('base64');
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'sha256-${importMapHash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-src 'self'",
    "object-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
  const pageHeaders: RequestHandler = (_req, res, next) => {
    res.set({
      'Content-Security-Policy': policy,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
      'Cache-Control': 'no-cache',
    });
    next();
  };
  // Non-strict routing matches `/console` and `/console/` alike; relative links need the slash.
  app.get('/console', pageHeaders, (req, res) => {
    if (!req.originalUrl.split('?')[0]!.endsWith('/')) return res.redirect(301, '/console/');
    res.type('html').send(indexHtml);
  });
  const vendor: Record<string, string> = {
    'preact.mjs': esmBeside(require.resolve('preact'), 'preact.module.js'),
    'hooks.mjs': esmBeside(require.resolve('preact/hooks'), 'hooks.module.js'),
    'htm.mjs': esmBeside(require.resolve('htm'), 'htm.module.js'),
  };
  app.get('/console/vendor/:file', pageHeaders, (req, res, next) => {
    const file = vendor[String(req.params.file)];
    if (!file) return next();
    res.type('text/javascript').sendFile(file);
  });
  // The modules, subfolders too; a folder's bare name is a 404, not a redirect that confirms it.
  app.use(
    '/console',
    pageHeaders,
    express.static(CONSOLE_DIR, { index: false, extensions: false, dotfiles: 'ignore', redirect: false }),
  );
}
