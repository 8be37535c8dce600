/**
 * The OpenAPI document as a file, for tools that read files:
 *
 *   tsx dev/openapi.ts lint            Redocly's recommended rules; any warning fails
 *   tsx dev/openapi.ts client          regenerates client/schema.ts (openapi-typescript)
 *   tsx dev/openapi.ts client --check  fails when client/schema.ts differs from a fresh generation
 *
 * The document is built from the default configuration, not this shell's environment, so the
 * committed client does not change with whoever generated it (only `servers` depends on config).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildOpenApi } from '../api/openapi';
import { loadConfig } from '../config';
import { capture } from './supervisor';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
export const CLIENT_SCHEMA = path.join(ROOT, 'client', 'schema.ts');

/** recommended-strict is Redocly's recommended ruleset with every warning raised to an error. */
const REDOCLY_CONFIG = ['extends:', '  - recommended-strict', 'telemetry: off', ''].join('\n');

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return capture(command, args, { cwd: ROOT, env });
}

async function withDocument<T>(fn: (file: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'openapi-'));
  try {
    const file = path.join(dir, 'openapi.json');
    await fs.writeFile(file, `${JSON.stringify(buildOpenApi(loadConfig({})), null, 2)}\n`);
    return await fn(file, dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Redocly prints a boxed notice about Node 20 on every run; it says nothing about the document. */
function withoutBanner(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*[╔║╚]/.test(line))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export async function lintOpenApi(): Promise<boolean> {
  return withDocument(async (file, dir) => {
    const config = path.join(dir, 'redocly.yaml');
    await fs.writeFile(config, REDOCLY_CONFIG);
    const result = await run(
      path.join(BIN, 'redocly'),
      ['lint', file, '--config', config, '--max-problems', '1000', '--format', 'stylish'],
      { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    );
    const output = withoutBanner(`${result.stdout}\n${result.stderr}`);
    const clean = result.code === 0;
    process.stdout.write(
      clean ? 'OpenAPI document: no problems (Redocly recommended rules)\n' : `${output}\nOpenAPI lint failed\n`,
    );
    return clean;
  });
}

/** openapi-typescript's output for the current document, with a header saying how to remake it. */
export async function generateClientSchema(): Promise<string> {
  return withDocument(async (file, dir) => {
    const out = path.join(dir, 'schema.ts');
    // A field with a default may be left out of a request, so it must stay optional in the types.
    const result = await run(path.join(BIN, 'openapi-typescript'), [
      file,
      '--output',
      out,
      '--default-non-nullable=false',
    ]);
    if (result.code !== 0) throw new Error(`openapi-typescript failed:\n${result.stdout}${result.stderr}`);
    const generated = await fs.readFile(out, 'utf8');
    return `// Generated from api/openapi.ts by \`npm run client:generate\`; \`npm run lint\` fails when it is stale.\n${generated}`;
  });
}

async function main(args: string[]): Promise<number> {
  const [command, flag] = args;
  if (command === 'lint') return (await lintOpenApi()) ? 0 : 1;
  if (command === 'client') {
    const fresh = await generateClientSchema();
    if (flag === '--check') {
      const committed = await fs.readFile(CLIENT_SCHEMA, 'utf8').catch(() => '');
      if (committed === fresh) {
        process.stdout.write('client/schema.ts matches the OpenAPI document\n');
        return 0;
      }
      process.stderr.write(
        'client/schema.ts is out of date with api/openapi.ts: run `npm run client:generate` and commit it\n',
      );
      return 1;
    }
    await fs.writeFile(CLIENT_SCHEMA, fresh);
    process.stdout.write(`wrote ${path.relative(ROOT, CLIENT_SCHEMA)}\n`);
    return 0;
  }
  process.stderr.write('usage: tsx dev/openapi.ts lint | client [--check]\n');
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
