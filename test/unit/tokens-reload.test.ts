/**
 * Revoking a token is an edit of the tokens file: the running API stops accepting it within a
 * few seconds, without a restart; a broken edit keeps the previous tokens and says why.
 */
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { FileTokenRegistry, loadTokens, sha256Hex } from '../../api/auth';
import { ConfigError, loadConfig } from '../../config';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tokens-reload-'));
const file = path.join(dir, 'tokens.json');
const SUPPORT = 'tok-support-5b1e9f3a7c2d';
const PORTAL = 'tok-portal-8d4c2a6e0f1b';
const entry = {
  support: { name: 'support desk', role: 'support', tokenSha256: sha256Hex(SUPPORT) },
  portal: { name: 'portal', role: 'enterprise', enterpriseId: 'ent-1', tokenSha256: sha256Hex(PORTAL) },
};

/** Written aside and renamed over, as deployment tools and editors replace files. */
function writeTokens(content: unknown): void {
  const next = `${file}.${Date.now()}.tmp`;
  writeFileSync(next, typeof content === 'string' ? content : JSON.stringify(content));
  renameSync(next, file);
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - started;
}

describe('tokens file hot reload', () => {
  writeTokens([entry.support, entry.portal]);
  const config = loadConfig({ DATA_DIR: dir, API_TOKENS_FILE: file });
  const lines: string[] = [];
  const { registry } = loadTokens(config, (line) => lines.push(line));
  const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 200 });
  const app = createApp({ config, client: new Client({ connection }), tokens: registry });
  afterAll(async () => {
    (registry as FileTokenRegistry).close();
    await connection.close();
  });
  // A route that needs a principal and nothing else.
  const status = async (token: string) =>
    (await request(app).get('/v1/sip/provider-addresses').set('authorization', `Bearer ${token}`)).status;

  it('stops accepting a token removed from the file within a few seconds, without a restart', async () => {
    expect(await status(SUPPORT)).toBe(200);
    expect(await status(PORTAL)).toBe(200);
    expect(lines).toEqual([`API tokens: loaded 2 principals from ${file}`]);

    writeTokens([entry.portal]);
    const took = await until(async () => (await status(SUPPORT)) === 401, 5_000);
    expect(took).toBeLessThan(5_000);
    expect(await status(PORTAL)).toBe(200);
    expect(lines.at(-1)).toBe(`API tokens: reloaded 1 principals from ${file}`);
  });

  it('keeps the previous tokens when the new file is broken, and logs why without quoting it', async () => {
    const before = lines.length;
    writeTokens(`[{"name":"half written","role":"support","tokenSha256":"${sha256Hex('x')}"`);
    await until(async () => lines.length > before, 5_000);
    expect(lines.at(-1)).toMatch(
      new RegExp(`^API tokens: ${file} not reloaded, keeping 1 principals: API_TOKENS_FILE: .*not valid JSON$`),
    );
    expect(await status(PORTAL)).toBe(200);

    writeTokens([{ name: 'no hash', role: 'support' }]);
    await until(async () => lines.length > before + 1, 5_000);
    expect(lines.at(-1)).toMatch(/not reloaded, keeping 1 principals: API_TOKENS_FILE\.0\.tokenSha256: /);
    expect(await status(PORTAL)).toBe(200);
    expect(await status(SUPPORT)).toBe(401);
  });

  it('re-reads at once on reload() (what SIGHUP calls)', async () => {
    writeFileSync(file, JSON.stringify([entry.support, entry.portal]));
    expect((registry as FileTokenRegistry).reload()).toBe(true);
    expect(await status(SUPPORT)).toBe(200);
  });

  it('never logs a token', () => {
    for (const line of lines) {
      expect(line).not.toContain(SUPPORT);
      expect(line).not.toContain(PORTAL);
    }
  });

  it('does not start on a bad file, nor in production on a demo token', () => {
    writeFileSync(path.join(dir, 'bad.json'), '[]');
    expect(() => new FileTokenRegistry(path.join(dir, 'bad.json'), { log: () => undefined })).toThrow(ConfigError);
    writeFileSync(
      path.join(dir, 'demo.json'),
      JSON.stringify([{ name: 'copied', role: 'support', tokenSha256: sha256Hex('demo-support') }]),
    );
    expect(
      () => new FileTokenRegistry(path.join(dir, 'demo.json'), { production: true, log: () => undefined }),
    ).toThrow(/demo token demo-support/);
  });
});
