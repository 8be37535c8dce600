/**
 * The search attributes are listed in three places that cannot import each other: the domain
 * module, the dev supervisor's start-dev flags (generated from it) and docker-compose.yml's
 * registration step. These keep them in step.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { developmentServices } from '../../dev/start';
import { SEARCH_ATTRIBUTES } from '../../domain/search-attributes';

const ROOT = path.resolve(__dirname, '..', '..');

describe('search attributes in deployment files', () => {
  it('docker-compose.yml registers exactly the product attributes, as Keyword', () => {
    const compose = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    const loop = /for name in ([\w ]+); do/.exec(compose);
    expect(loop, 'the registration loop in temporal-search-attributes').not.toBeNull();
    expect(loop![1]!.trim().split(/\s+/).sort()).toEqual(Object.keys(SEARCH_ATTRIBUTES).sort());
    expect(new Set(Object.values(SEARCH_ATTRIBUTES))).toEqual(new Set(['Keyword']));
  });

  it('the dev server is started with every attribute', () => {
    const config = loadConfig({});
    const temporal = developmentServices(config, '/usr/bin/temporal').find((s) => s.name === 'temporal')!;
    const flags = temporal.args.filter((_, i) => temporal.args[i - 1] === '--search-attribute');
    expect(flags.sort()).toEqual(Object.entries(SEARCH_ATTRIBUTES).map(([n, t]) => `${n}=${t}`).sort());
    expect(temporal.args).toEqual(expect.arrayContaining(['--db-filename', config.temporal.dbFile, '--namespace', 'default']));
  });

  it('services start in order and the API is probed on /healthz', () => {
    const services = developmentServices(loadConfig({}), '/usr/bin/temporal');
    expect(services.map((s) => s.name)).toEqual(['temporal', 'mail', 'billing', 'contact-center', 'worker', 'api']);
    expect(services.at(-1)!.ready).toEqual({ kind: 'http', url: 'http://127.0.0.1:3000/healthz' });
  });
});
