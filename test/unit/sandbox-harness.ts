/** What the sandboxes' unit tests share: a fresh data file per test, and requests with the API key. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach } from 'vitest';
import type { RequestLogEntry } from '../../sandboxes/common/json-store';

interface Closable {
  close(): Promise<void>;
}

type App = Parameters<typeof request>[0];

/**
 * Gives each test a fresh folder holding the sandbox's data file; every sandbox `track`ed in
 * the test is closed after it, then the folder removed.
 */
export function sandboxDataFiles(prefix: string, fileName: string) {
  let dir = '';
  const opened: Closable[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  });
  afterEach(async () => {
    for (const sandbox of opened.splice(0)) await sandbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir(): string {
      return dir;
    },
    get dataFile(): string {
      return path.join(dir, fileName);
    },
    track<S extends Closable>(sandbox: S): S {
      opened.push(sandbox);
      return sandbox;
    },
    /** Closes a sandbox before the test ends (to open the same file again). */
    async close(sandbox: Closable): Promise<void> {
      const at = opened.indexOf(sandbox);
      if (at >= 0) opened.splice(at, 1);
      await sandbox.close();
    },
  };
}

/** Requests to a sandbox's API with this key; writes carry an idempotency key where one is given. */
export function withApiKey(apiKey: string) {
  const auth = `Bearer ${apiKey}`;
  function write(sandbox: { app: App }, method: 'post' | 'put' | 'delete', url: string, body: unknown, key?: string) {
    const req = request(sandbox.app)[method](url).set('Authorization', auth);
    if (key !== undefined) req.set('Idempotency-Key', key);
    return body === undefined ? req : req.send(body as object);
  }
  return {
    write,
    post: (sandbox: { app: App }, url: string, body: unknown, key?: string) => write(sandbox, 'post', url, body, key),
    get: (sandbox: { app: App }, url: string) => request(sandbox.app).get(url).set('Authorization', auth),
  };
}

/** The writes a sandbox logged that match `query` (path, method), oldest first, with their count. */
export async function requestLog(
  sandbox: { app: App },
  query: { path?: string; method?: string } = {},
): Promise<{ count: number; requests: RequestLogEntry[] }> {
  return (await request(sandbox.app).get('/_sandbox/requests').query(query)).body;
}

/** The fields a problem answer names, in its order. */
export const errorPaths = (res: { body: unknown }): string[] =>
  (res.body as { errors: { path: string }[] }).errors.map((e) => e.path);
